"""manage.py rebuild_search_index: every post and message indexed afresh, with a progress bar."""

import sys

from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "Rebuilds the search index from every post and message (after a change of the analyser)."

    def handle(self, *args, **options):
        out = self.stdout

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
            out.flush()

        total = rebuild(progress=progress if sys.stdout.isatty() or options["verbosity"] > 1 else None)
        out.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} posts and messages."))
