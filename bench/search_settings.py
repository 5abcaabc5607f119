"""bench/search.py's settings: the benchmark's (bench/majlis_settings.py), with replies
and threads unpaced, because the indexing cost is measured over hundreds of replies."""

from bench.majlis_settings import *  # noqa: F403

MAJLIS_PACE = {**MAJLIS_PACE, "reply": (1_000_000, 1), "thread": (1_000_000, 1)}  # noqa: F405
