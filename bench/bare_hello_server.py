"""Baseline of bench/sockets.py: a bare `websockets` server that accepts a same-origin
socket and says a JSON hello — how fast Python accepts sockets on this machine.

    python bench/bare_hello_server.py PORT
"""

import asyncio
import json
import sys

from websockets.asyncio.server import serve

connections = set()


async def greet(websocket):
    connections.add(websocket)
    try:
        await websocket.send(json.dumps({"type": "hello", "rev": 0, "online_count": len(connections)}))
        await websocket.wait_closed()
    finally:
        connections.discard(websocket)


async def main(port: int) -> None:
    # The same Origin rule as Majlis: the page's own origin only.
    async with serve(greet, "127.0.0.1", port, origins=[f"http://127.0.0.1:{port}"], compression=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
