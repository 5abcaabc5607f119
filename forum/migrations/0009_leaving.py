"""Leaving with one's data and password recovery (issue 13, items 4 and 5)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("forum", "0008_member_sessions")]

    operations = []
