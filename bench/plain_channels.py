"""Baseline 2: the plain Channels consumer a Django developer writes first, on daphne.

AsyncJsonWebsocketConsumer + group_send, JSON encoded per recipient, nothing stored,
nothing checked. Served by `daphne bench.plain_channels:application` with
DJANGO_SETTINGS_MODULE=bench.plain_settings.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.plain_settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class PlainRoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("room", self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard("room", self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send("room", {"type": "room.message", "message": content})

    async def room_message(self, event):
        await self.send_json(event["message"])


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": URLRouter([path("ws/rooms/<slug>/", PlainRoomConsumer.as_asgi())]),
})
