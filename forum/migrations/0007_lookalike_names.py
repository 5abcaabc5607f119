"""Display names compared by their confusable skeleton (issue 13, item 6)."""

from django.db import migrations, models

from forum.names import display_name_skeleton


def fill_skeletons(apps, schema_editor):
    """Give every existing profile the skeleton of its name.

    Members whose names already look alike keep them: the column is indexed, not unique,
    and the services refuse only a name that takes a skeleton another member holds, so
    each of them can still save their settings (their own skeleton is unchanged).
    """
    Profile = apps.get_model("forum", "Profile")
    for profile in Profile.objects.only("pk", "display_name").iterator(chunk_size=500):
        Profile.objects.filter(pk=profile.pk).update(
            display_name_skeleton=display_name_skeleton(profile.display_name)
        )


class Migration(migrations.Migration):
    dependencies = [("forum", "0006_second_factors")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="display_name_skeleton",
            field=models.CharField(db_index=True, default="", editable=False, max_length=320),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
    ]
