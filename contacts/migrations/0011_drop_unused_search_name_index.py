# Name search goes through the full-text index and the name+birth-date match through the
# birth-date index (checked with EXPLAIN): this one served no query and cost every import.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0010_drop_unused_name_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_search_name',
        ),
    ]
