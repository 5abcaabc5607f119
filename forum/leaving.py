"""What other apps keep of a member, for export and for leaving (issue 13, item 4).

The forum exports and erases its own text (forum.services.export, forum.services.leaving);
words kept elsewhere (room messages, in the realtime app, which the forum never imports)
are reached through a `Holding` that app registers when it loads, as it registers its kind
of report (forum/reports.py) and its places (forum/permissions.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Holding:
    # Sections of the export, e.g. {"room_messages": [...], "follows": [...]}: the member's own
    # words with where and when, and only the names of places they may still view.
    export: Callable[[object], dict[str, list[dict]]]
    # Inside the leaving transaction, when the member chose "erase": their words become
    # what a deletion leaves (tombstones), so conversations keep their shape.
    erase: Callable[[object], None]
    # Files the export ZIP carries beside its JSON: (path in the ZIP, path on disk).
    files: Callable[[object], list[tuple[str, Path]]] | None = None
    # Inside the leaving transaction, whichever they chose (the attachments' originals).
    leave: Callable[[object], None] | None = None


_HOLDINGS: list[Holding] = []


def register_holding(holding: Holding) -> None:
    _HOLDINGS.append(holding)


def holdings() -> list[Holding]:
    return list(_HOLDINGS)
