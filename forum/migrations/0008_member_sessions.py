"""Sessions a member can see and end (issue 13, item 2)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import forum.ids


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0007_lookalike_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SessionRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.CharField(default=forum.ids.new_public_id, editable=False, max_length=16,
                                               unique=True)),
                ("session_key", models.CharField(max_length=40, unique=True)),
                ("device", models.CharField(max_length=40)),
                ("created_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="session_records",
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-last_seen_at", "-created_at"]},
        ),
    ]
