"""A TCP relay between the browser and the test server that can stall the traffic of the
connections through it without closing them: as when a phone loses signal, no close and no
error reaches either side, the bytes just stop.

The browser loads the page through the relay too, so its Origin and Host are both the
relay's (127.0.0.1, another port) and the server's same-origin check (realtime/origin.py)
passes as in production. Cookies ignore the port, so a log-in on the server's own address
is also a log-in here.
"""

import socket
import threading

CHUNK = 65536


class Pipe:
    """One browser connection and its connection to the server, a thread per direction."""

    def __init__(self, client, upstream, stalled):
        self.client, self.upstream = client, upstream
        self.flowing = threading.Event()
        if not stalled:
            self.flowing.set()
        self.websocket = None   # known from the browser's first bytes
        self.request = b""      # their first line: "GET /ws/rooms/aden/?after=0 HTTP/1.1"
        self.held = 0           # bytes read while stalled, waiting to go on
        self.closed = False
        for source, target in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        while True:
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if source is self.client and self.websocket is None:
                self.websocket = b"upgrade: websocket" in data.lower()
                self.request = data.split(b"\r\n", 1)[0]
            if not self.flowing.is_set():
                self.held += len(data)
            self.flowing.wait()  # a stall holds the bytes (and an end of stream) here
            if self.closed:
                return
            try:
                if not data:
                    target.shutdown(socket.SHUT_WR)
                    return
                target.sendall(data)
            except OSError:
                return
            finally:
                self.held = max(0, self.held - len(data))

    def close(self):
        self.closed = True
        self.flowing.set()
        for end in (self.client, self.upstream):
            try:
                end.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it; close alone would not
            except OSError:
                pass
            try:
                end.close()
            except OSError:
                pass


class Relay:
    def __init__(self, server_url: str):
        host, port = server_url.removeprefix("http://").rsplit(":", 1)
        self.upstream = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.pipes: list[Pipe] = []
        self.stall_new = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.upstream)
            except OSError:
                return
            with self.lock:
                self.pipes.append(Pipe(client, upstream, stalled=self.stall_new))

    def stall(self, *, sockets_only=False):
        """Stop forwarding, both ways. `sockets_only`: only the WebSocket connections open
        now (pages still load, on new connections); else every connection, new ones too."""
        with self.lock:
            self.stall_new = not sockets_only
            for pipe in self.pipes:
                if not sockets_only or pipe.websocket:
                    pipe.flowing.clear()

    def resume(self):
        with self.lock:
            self.stall_new = False
            for pipe in self.pipes:
                pipe.flowing.set()

    def websockets(self, path: str) -> int:
        """How many WebSocket connections the browser opened to paths starting with `path`."""
        start = f"GET {path}".encode()
        with self.lock:
            return sum(1 for pipe in self.pipes if pipe.websocket and pipe.request.startswith(start))

    def holding(self) -> int:
        """Bytes read while stalled that have not gone on yet."""
        with self.lock:
            return sum(pipe.held for pipe in self.pipes)

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (Linux)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for pipe in self.pipes:
                pipe.close()
