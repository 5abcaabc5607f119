"""WebSocket routes; every one of them sits behind the same-origin check in config/asgi.py."""

websocket_urlpatterns: list = []
