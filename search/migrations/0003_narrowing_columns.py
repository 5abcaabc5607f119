"""What narrows a search on PostgreSQL without reading the posts (search/facets.py says
why): place, author, time and who may find a post, as columns with B-tree indexes. The
`facet_vector` column they replace on PostgreSQL goes (SQLite keeps its facets in FTS5),
and the word pairs' function is written anew (search/pairs.py).

The index is then rebuilt, so that rows written before this migration store them too:
migration 0001 no longer indexes what exists, since the model it would write has these
columns only from here on."""

from django.db import migrations, models


def drop_facet_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ("search_posttext", "search_messagetext"):
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS facet_vector")


def add_facet_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ("search_posttext", "search_messagetext"):
            schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN facet_vector tsvector "
                                  "GENERATED ALWAYS AS (to_tsvector('simple', facets)) STORED")
            schema_editor.execute(f"CREATE INDEX {table}_facet_vector ON {table} USING GIN (facet_vector)")


def faster_pair_function(apps, schema_editor):
    from search.pairs import replace_pair_function

    replace_pair_function(schema_editor.connection)  # the same pairs, a third cheaper to write


def index_what_exists(apps, schema_editor):
    from search.index import rebuild

    rebuild(posts=apps.get_model("forum", "Post").objects.all(),
            messages=apps.get_model("realtime", "RoomMessage").objects.all())


class Migration(migrations.Migration):

    dependencies = [("search", "0002_word_pairs")]

    operations = [
        migrations.AddField(model_name="posttext", name="place", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="posttext", name="author", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="posttext", name="created", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="posttext", name="visibility", field=models.SmallIntegerField(default=0)),
        migrations.AddField(model_name="posttext", name="owner", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="messagetext", name="place", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="messagetext", name="author", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="messagetext", name="created", field=models.DateTimeField(null=True)),
        migrations.AddIndex(model_name="posttext",
                            index=models.Index(fields=["place", "post"], name="search_post_place")),
        migrations.AddIndex(model_name="posttext",
                            index=models.Index(fields=["author", "post"], name="search_post_author")),
        migrations.AddIndex(model_name="posttext", index=models.Index(fields=["created"], name="search_post_created")),
        migrations.AddIndex(model_name="messagetext",
                            index=models.Index(fields=["place", "message"], name="search_message_place")),
        migrations.AddIndex(model_name="messagetext",
                            index=models.Index(fields=["author", "message"], name="search_message_author")),
        migrations.AddIndex(model_name="messagetext",
                            index=models.Index(fields=["created"], name="search_message_created")),
        migrations.RunPython(drop_facet_vector, add_facet_vector),
        migrations.RunPython(faster_pair_function, migrations.RunPython.noop),
        migrations.RunPython(index_what_exists, migrations.RunPython.noop),
    ]
