"""The garbage collector of a process that holds thousands of sockets.

Each open socket keeps a few hundred objects that CPython's cyclic garbage collector
tracks (daphne's protocol, Twisted's transport, the consumer, its tasks and futures). A
full collection scans every one of them with the GIL held, and CPython 3.11 runs one
whenever the objects promoted to the old generation since the last reach a quarter of
it. Young collections every 700 allocations promoted the short-lived objects of the
handshakes in flight, so while a crowd connected a full collection came every ~3 s and
stopped the process for 0.1–0.6 s, longer the more sockets were open: with 5,000 members
in one room that was a fifth of the process's time at the end (bench/sockets.py).

So a process that serves sockets collects its young generation every YOUNG_THRESHOLD
allocations (far fewer of a connect's objects outlive two collections), and freezes what
it had loaded before its first socket (the framework, the app registry, the URLs) out of
the collector's reach. Cycles are still collected; full collections come rarer and scan
less.
"""

import gc

YOUNG_THRESHOLD = 50_000  # allocations between two young collections (CPython's default: 700)

_tuned = False


def tune_for_sockets() -> None:
    """Once per process, at its first socket."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
