"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the activity log.

The model and queryset already refuse them inside the application; the trigger also stops
a stray script or a shell session. SQLite keeps the application-level guard only.
TRUNCATE is left to the table's owner (Django's test flush uses it); the hash chain still
exposes it, because the next event's prev_hash would no longer match.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION activity_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'activity_activityevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS activity_event_append_only ON activity_activityevent;
CREATE TRIGGER activity_event_append_only
    BEFORE UPDATE OR DELETE ON activity_activityevent
    FOR EACH ROW EXECUTE FUNCTION activity_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS activity_event_append_only ON activity_activityevent;
DROP FUNCTION IF EXISTS activity_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_compliance_records")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
