"""The admin writes through the services: a room made there is recorded like any other."""

from forum.models import ModerationEvent
from realtime.models import Room, RoomBan, RoomMessage
from realtime.services import post_message


def test_an_admin_creates_a_room_and_bans_a_member_through_the_services(admin_user, member, room, client_for):
    client = client_for(admin_user)
    response = client.post("/admin/realtime/room/add/", {
        "slug": "marib", "name": "Marib", "topic": "", "retention_days": "", "slow_mode_seconds": "0",
    })
    assert response.status_code == 302
    assert Room.objects.filter(slug="marib", seq=0, rev=0).exists()

    response = client.post("/admin/realtime/roomban/add/", {
        "room": room.pk, "user": member.pk, "until_0": "", "until_1": "", "reason": "threats",
    })
    assert response.status_code == 302
    assert RoomBan.objects.get().by == admin_user
    assert ModerationEvent.objects.filter(action="ban", reason="threats").exists()


def test_messages_are_read_only_in_the_admin(admin_user, member, room, client_for):
    message, _ = post_message(author=member, room=room, body="hello", client_id="h")
    client = client_for(admin_user)
    assert client.get("/admin/realtime/roommessage/").status_code == 200
    assert client.get(f"/admin/realtime/roommessage/{message.pk}/change/").status_code == 200
    assert client.post(f"/admin/realtime/roommessage/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoomMessage.objects.count() == 1


def test_the_admin_lists_load(admin_user, room, client_for):
    client = client_for(admin_user)
    for model in ("room", "roomban", "roommute", "messagereport"):
        assert client.get(f"/admin/realtime/{model}/").status_code == 200, model
