"""Every write of the realtime app. Views, the consumer, commands and the admin call these."""

from realtime.services.messages import delete_message, edit_message, post_message, report_message
from realtime.services.moderation import (
    ban_member, mute_member, sanction, set_read_only, set_slow_mode, unban_member, unmute_member,
)
from realtime.services.presence import socket_closed, socket_opened, sockets_seen, sweep_stale_sockets, typing
from realtime.services.rooms import create_room, delete_room, do_create_room, purge_expired, update_room

__all__ = [
    "ban_member", "create_room", "delete_message", "delete_room", "do_create_room", "edit_message",
    "mute_member", "post_message", "purge_expired", "report_message", "sanction",
    "set_read_only", "set_slow_mode", "socket_closed", "socket_opened", "sockets_seen", "sweep_stale_sockets", "typing",
    "unban_member", "unmute_member", "update_room",
]
