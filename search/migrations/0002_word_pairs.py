"""PostgreSQL: an index of each text's adjacent word pairs, so that a quoted phrase is
looked up, not checked row by row (search/pairs.py says why). SQLite's FTS5 finds phrases
in its own index and needs nothing."""

from django.db import migrations


def add(apps, schema_editor):
    from search.pairs import create_pair_index

    create_pair_index(schema_editor.connection)


def remove(apps, schema_editor):
    from search.pairs import drop_pair_index

    drop_pair_index(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
