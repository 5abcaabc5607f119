"""Display names compared by their confusable skeleton (issue 13, item 6)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("forum", "0006_second_factors")]

    operations = []
