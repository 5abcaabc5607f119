from django.contrib.auth import get_user_model
from django.core.management import call_command

from forum.models import Organisation, Profile


def test_seed_demo_creates_the_coalition_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "majlis-demo-2026" in out and "moderator" in out
    organisations = Organisation.objects.all()
    assert organisations.count() == 8
    assert {o.region for o in organisations} == {"sanaa", "marib", "aden", "shabwa", "taiz", "diaspora"}
    assert organisations.exclude(region="diaspora").count() == 7
    User = get_user_model()
    assert User.objects.count() == 4 and Profile.objects.count() == 4
    assert User.objects.get(username="admin").is_superuser
    assert set(User.objects.get(username="diaspora").groups.values_list("name", flat=True)) == {
        "members", "diaspora", "diaspora-bridge"}
