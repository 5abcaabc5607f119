"""The text tables, and the full-text index the backend has (search/models.py says which)."""

import django.db.models.deletion
from django.db import migrations, models


def full_text_index(apps, schema_editor):
    from search.index import create_full_text_index

    create_full_text_index(schema_editor.connection)


def drop_full_text_index(apps, schema_editor):
    from search.index import drop_full_text_index

    drop_full_text_index(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('forum', '0010_coalition'),
        ('realtime', '0003_former_members'),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageText',
            fields=[
                ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='realtime.roommessage')),
                ('analysed', models.TextField()),
                ('facets', models.TextField(default='')),
            ],
        ),
        migrations.CreateModel(
            name='PostText',
            fields=[
                ('post', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='forum.post')),
                ('analysed', models.TextField()),
                ('facets', models.TextField(default='')),
            ],
        ),
        migrations.RunPython(full_text_index, drop_full_text_index),
        # What exists is indexed by 0003, once the text tables have all their columns.
    ]
