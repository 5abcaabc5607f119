"""How much a socket has handed to daphne that its client has not read yet.

A client that never reads (a phone that lost signal, or an attacker) would otherwise make
the server buffer without limit: each frame we send waits in Twisted's write buffer for
the TCP connection to drain. Twisted tells a registered *streaming producer* when that
buffer passes its `bufferSize` (64 KiB; `pauseProducing`) and when it has drained
completely (`resumeProducing`): its public producer/consumer API, which is all we use.
While the transport is paused, the bytes a socket sends are counted; past the socket's
bound the socket is closed with 4408 (DESIGN.md, close codes) and the client catches up
by `rev` when it reconnects.

Daphne hands each application instance `partial(server.handle_reply, protocol)` as its
`send`; the protocol's transport is the TCP connection. The transport already reports to
the HTTP channel the WebSocket was upgraded from (`transport.producer`, a
`twisted.web.http.HTTPChannel`), which passes pause and resume on to the one producer
registered with it, as it does for an HTTP response: we register there. Under another
server, or in tests with Channels' WebsocketCommunicator, there is no transport to watch
and the bound does nothing.
"""

import logging
from functools import partial

from django.conf import settings
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

logger = logging.getLogger(__name__)


def output_limit() -> int:
    return settings.MAJLIS_SOCKET_OUTPUT_LIMIT


def _consumer_of(send):
    """Whom to register with: the HTTP channel the transport reports to, or the transport."""
    if not (isinstance(send, partial) and send.args):
        return None
    transport = getattr(send.args[0], "transport", None)
    channel = getattr(transport, "producer", None)
    return channel if hasattr(channel, "registerProducer") else transport


@implementer(IPushProducer)
class OutputMeter:
    def __init__(self, send):
        self.backed_up = False
        self.unread = 0  # bytes sent since the transport's buffer passed its size
        self.limit = output_limit()
        self.consumer = None
        consumer = _consumer_of(send)
        if consumer is None:
            return
        try:
            consumer.registerProducer(self, True)
        except Exception:  # another producer is registered: leave it alone
            logger.warning("could not watch a socket's output", exc_info=True)
            return
        self.consumer = consumer

    # IPushProducer: Twisted calls these from inside transport.write and when it drains.
    def pauseProducing(self) -> None:
        # Twisted calls this on every write while its buffer is over size: count from the first.
        if not self.backed_up:
            self.backed_up, self.unread = True, 0

    def resumeProducing(self) -> None:
        self.backed_up, self.unread = False, 0

    def stopProducing(self) -> None:
        self.backed_up = False

    def passed_bound(self, text: str) -> bool:
        """Count a frame handed to daphne while backed up; True once the unread output passed
        the bound. The frame that filled the buffer is not counted: a catch-up answer may be
        large (at most SYNC_MAX messages), and a member on a slow link must get it whole."""
        self.unread += len(text.encode("utf-8", "surrogatepass"))
        return self.unread > self.limit

    def close(self) -> None:
        consumer, self.consumer = self.consumer, None
        if consumer is not None:
            try:
                consumer.unregisterProducer()
            except Exception:  # the connection is already gone
                pass
