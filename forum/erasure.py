"""Deleted text leaves the disk, not only the tables.

Members delete what is dangerous to keep, so a deleted or overwritten text must not stay
readable in the database's files.

SQLite: every connection sets `secure_delete` (config/settings.py), which zeroes the bytes
a delete or an update frees. In WAL mode the page as it was before the change still sits
in the `-wal` file, and the database file keeps its old copy of the page, until a
checkpoint copies the new page over it; a TRUNCATE checkpoint then empties the WAL. A
service that deleted or overwrote user text calls `scrub_after_commit()` inside its
transaction. A checkpoint costs about what the write before it did (measured on a file
with 10,000 messages: a median of 2–7 ms, against 7 ms for an edit) and only deletions,
edits and purges pay it, never a new message: each one checkpoints at once rather than
on a timer, so the text is gone when the member's deletion is.

PostgreSQL: an old row version stays in the table's pages until VACUUM marks its space
reusable; `purge_expired` (cron) runs `vacuum()` on the tables that hold members' text.
VACUUM does not zero the space: README.md says what it does and does not guarantee.
"""

import logging
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

logger = logging.getLogger(__name__)

# A reader elsewhere (another process's page, a command) keeps its snapshot for
# milliseconds; waiting the connection's whole busy timeout (20 s) would stall every
# socket of this process, whose database work shares one thread.
CHECKPOINT_WAIT_MS = 200


def scrub_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Call inside a transaction that deleted or overwrote user text: once it commits, the
    old text is wiped from the database files (SQLite); on PostgreSQL VACUUM does it later."""
    if connections[using].vendor == "sqlite":
        transaction.on_commit(partial(checkpoint, using), using=using)


def checkpoint(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Copy the WAL into the database file and empty it; False if a reader prevented it.

    Then the old text is in neither file: secure_delete zeroed it in the new pages, which
    now replace the old ones. While another connection still reads an older snapshot the
    WAL cannot be emptied: the pages it does not need are copied all the same (PASSIVE),
    and the next scrub, or SQLite's own checkpoint, finishes the work.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        patience = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            if busy:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(patience)}")
    if busy:
        logger.warning("A reader kept the WAL from being emptied; deleted text stays in it until the next checkpoint.")
    return not busy


def vacuum(models: list[type[Model]], using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """VACUUM these models' tables on PostgreSQL; return the tables vacuumed.

    VACUUM cannot run inside a transaction, and inside one there is nothing to reclaim
    yet (its own deletions are not dead before it commits): then it does nothing. Out of
    any `atomic` block Django's connection is in autocommit, as VACUUM needs.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    if connection.in_atomic_block:
        logger.info("VACUUM skipped: called inside a transaction.")
        return []
    tables = list(dict.fromkeys(model._meta.db_table for model in models))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM " + ", ".join(connection.ops.quote_name(name) for name in tables))
    return tables
