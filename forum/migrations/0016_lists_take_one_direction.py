"""Posts and room messages rendered before a list took one direction (issue 16, item 7)
carry `dir="auto"` on each list item, so a list flips item by item. The stored HTML is
brought to what the sanitiser writes now: the direction on the list, none on its items;
then cleaned again by the one allowlist (forum.sanitiser.clean_html). Text and search are
unchanged. Going back leaves the HTML as it is now (it reads right either way)."""

import re

from django.db import migrations

OLD_ITEM = '<li dir="auto">'
_LIST = re.compile(r"<(ul|ol)((?: start=\"\d+\")?)>")


def _one_direction(html: str) -> str:
    from forum.sanitiser import clean_html

    return clean_html(_LIST.sub(r'<\1\2 dir="auto">', html.replace(OLD_ITEM, "<li>")))


def forward(apps, schema_editor):
    for app, model in (("forum", "Post"), ("forum", "PostRevision"), ("realtime", "RoomMessage"),
                       ("realtime", "MessageRevision")):
        rows = apps.get_model(app, model).objects.filter(body_html__contains=OLD_ITEM)
        for row in rows.only("pk", "body_html").iterator(chunk_size=500):
            row.body_html = _one_direction(row.body_html)
            row.save(update_fields=["body_html"])


class Migration(migrations.Migration):

    dependencies = [
        ("forum", "0015_profile_load_full_pictures"),
        ("realtime", "0006_evidence_locker"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
