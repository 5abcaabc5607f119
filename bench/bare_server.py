"""Baseline 1: the bare `websockets` broadcast server — the limit of Python on this machine.

    python bench/bare_server.py PORT
"""

import asyncio
import sys

from websockets.asyncio.server import broadcast, serve

connections = set()


async def relay(websocket):
    connections.add(websocket)
    try:
        async for text in websocket:
            broadcast(connections, text)
    finally:
        connections.discard(websocket)


async def main(port: int) -> None:
    async with serve(relay, "127.0.0.1", port, compression=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
