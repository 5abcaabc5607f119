"""WebSocket routes; every one of them sits behind the same-origin check in config/asgi.py."""

from django.urls import path

from realtime.consumers import RoomConsumer
from realtime.live import NotificationConsumer, ThreadConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi(), name="ws_room"),
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws_notifications"),
    path("ws/threads/<str:public_id>/", ThreadConsumer.as_asgi(), name="ws_thread"),
]
