"""Append-only tables: rows are written once and never changed or deleted.

The activity log and the security log both keep to this. Inside the application the model
and its queryset refuse updates and deletes; on PostgreSQL a trigger (`append_only_trigger`,
added by each table's migration) also refuses them to a stray script or a shell session.
TRUNCATE is left to the table's owner (Django's test flush uses it).
"""

from django.db import migrations, models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name_plural.capitalize()} are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name_plural.capitalize()} are append-only.")


class AppendOnlyModel(models.Model):
    """A row saved once: saving it again or deleting it raises PermissionError."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"{self._meta.verbose_name_plural.capitalize()} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name_plural.capitalize()} are append-only.")


_CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""

_DROP_TRIGGER = """
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""


def append_only_trigger(*, table: str, name: str) -> migrations.RunPython:
    """The migration operation that makes PostgreSQL refuse UPDATE and DELETE on `table`."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_CREATE_TRIGGER.format(table=table, name=name))

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_DROP_TRIGGER.format(table=table, name=name))

    return migrations.RunPython(create, drop, elidable=False)
