"""Drop the single-column indexes of four foreign keys that a composite index already leads
with: every import wrote each of them for nothing. A plain DROP INDEX, where letting Django
alter the fields would copy each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models


# (table, column, index name Django gave it)
REDUNDANT = [
    ("contacts_contactemail", "contact_id", "contacts_contactemail_contact_id_8dd35e56"),
    ("contacts_contactphone", "contact_id", "contacts_contactphone_contact_id_4e09e055"),
    ("contacts_importedcontact", "batch_id", "contacts_importedcontact_batch_id_0a1a16ab"),
    ("contacts_importrownote", "batch_id", "contacts_importrownote_batch_id_18fd1b2e"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_import_check_dnc"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                )
                for table, column, name in REDUNDANT
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="contactemail",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="contactphone",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phones",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="importedcontact",
                    name="batch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="imported_contacts",
                        to="contacts.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="importrownote",
                    name="batch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="contacts.importbatch",
                    ),
                ),
            ],
        ),
    ]
