# No query orders or filters by (last_name, first_name): lists sort by sort_name, search uses the
# full-text index and duplicates the name keys. Each import paid for this index on every row.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0009_drop_redundant_fk_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_last_first',
        ),
    ]
