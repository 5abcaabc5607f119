"""WebSocket routes; every one of them sits behind the same-origin check in config/asgi.py."""

from django.urls import path

from realtime.sockets.feeds import NotificationSocket, ThreadSocket
from realtime.sockets.rooms import RoomSocket

websocket_urlpatterns: list = [
    path("ws/rooms/<slug:slug>/", RoomSocket.as_asgi(), name="ws_room"),
    path("ws/notifications/", NotificationSocket.as_asgi(), name="ws_notifications"),
    path("ws/threads/<str:public_id>/", ThreadSocket.as_asgi(), name="ws_thread"),
]
