"""The profile's "Load full pictures automatically" (issue 17, item 4): off by default, since a
full picture costs a member on a paid link many times its preview; the member turns it on
and off on their settings page. Its effect on posts and rooms: tests/attachments/test_showing_files.py."""

from forum.models import Profile

PROFILE_FORM = {"display_name": "Sami", "language": "en", "time_zone": "Asia/Aden", "hide_presence": "",
                "watch_what_i_write": "on", "email": "", "digest": "none"}


def _page(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_profile_turns_full_pictures_on_off_by_default(other_member, client_for):
    assert Profile.objects.get(user=other_member).load_full_pictures is False
    client = client_for(other_member)
    page = _page(client, "/accounts/profile/")
    assert 'name="load_full_pictures"' in page and "Load full pictures automatically" in page
    assert 'name="load_full_pictures" id="id_load_full_pictures" checked' not in page

    response = client.post("/accounts/profile/", {**PROFILE_FORM, "load_full_pictures": "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=other_member).load_full_pictures is True
    client.post("/accounts/profile/", PROFILE_FORM)
    assert Profile.objects.get(user=other_member).load_full_pictures is False
