"""Sessions a member can see and end (issue 13, item 2)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("forum", "0007_lookalike_names")]

    operations = []
