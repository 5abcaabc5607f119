"""Search over 100,000 posts and 100,000 room messages, against `icontains`, on both backends.

    .venv/bin/python bench/search.py                  # SQLite and PostgreSQL, the issue's sizes
    .venv/bin/python bench/search.py --backend sqlite --posts 20000 --messages 20000

Each backend runs in a process of its own, on a database made for the run (a SQLite file
in a temporary folder; a PostgreSQL database `majlis_search_bench` on 127.0.0.1, dropped
at the end). It writes:

- 40 categories and 40 rooms; the searcher's group may view half of each (and is banned
  from one more room), so the permission filter has real work;
- 100,000 posts in 10,000 threads and 100,000 messages, Arabic and English, of realistic
  lengths (posts 20–150 words, messages 3–30), drawn from a vocabulary with a Zipf-like
  frequency so that some words are in a third of the texts and others in a few; a few
  per cent hidden, pending, rejected or deleted, and old messages in rooms with retention;
- the index, by `search.index.rebuild` (its rate is printed too).

Then 200 queries (single words common to rare, phrases, Arabic spelling variants, and
filters) run as the searcher through `search.results.search_page`, the search page's
whole work but the template: p50 and p95. The same queries, run naively (`icontains` on
the text, the same permission filter, newest first, a page of 20 and the count), give
the baseline in the same run. Last, the cost indexing adds to a post: replies written
by the real service with the index and, alternately, with `put_post` made a no-op.

Goal (issue 15): p95 ≤ 50 ms on both backends, at least 20× faster than `icontains`,
and indexing adds at most 2 ms to a post.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "majlis_search_bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=40, help="icontains is slow: a sample of the queries")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        from bench.search_worker import run

        print(json.dumps(run(args)))
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    reports = {backend: _run_backend(backend, args) for backend in backends}
    _print(reports, args)


def _run_backend(backend: str, args) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        if backend == "sqlite":
            url = f"sqlite:///{folder}/search.sqlite3"
        else:
            _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            _psql(f"CREATE DATABASE {PG_DATABASE}")
            url = f"{PG_SERVER}/{PG_DATABASE}"
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAJLIS_ENV"}}
        env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.search_settings", PYTHONPATH=str(ROOT))
        command = [sys.executable, str(ROOT / "bench" / "search.py"), "--worker", "--posts", str(args.posts),
                   "--messages", str(args.messages), "--queries", str(args.queries),
                   "--baseline-queries", str(args.baseline_queries)]
        print(f"[{backend}] generating {args.posts:,} posts and {args.messages:,} messages…", file=sys.stderr)
        try:
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        finally:
            if backend == "postgres":
                _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        if done.returncode:
            sys.exit(f"[{backend}] failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def _psql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _print(reports: dict, args) -> None:
    print(f"\nSearch over {args.posts:,} posts and {args.messages:,} messages; {args.queries} queries as a member "
          "who may view about half the places.\n")
    print("| Backend | Search p50 | Search p95 | icontains p50 | icontains p95 | Faster (p50 / p95) "
          "| Indexing per post | Rebuild |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, r in reports.items():
        print(f"| {backend} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['naive_p50']:.0f} ms | "
              f"{r['naive_p95']:.0f} ms | {r['naive_p50'] / r['same_p50']:.0f}× / {r['naive_p95'] / r['same_p95']:.0f}× "
              f"| {r['index_ms']:.2f} ms | {r['rebuild_rate']:,.0f} rows/s |")
    print("\nBy kind of query (p50 / p95, ms):")
    for backend, r in reports.items():
        kinds = ", ".join(f"{kind} {v[0]:.1f} / {v[1]:.1f}" for kind, v in r["by_kind"].items())
        print(f"  {backend}: {kinds}")
    print("\n'Faster' compares the baseline's sample of queries with the same queries searched.")
    print("Goal: p95 ≤ 50 ms on both backends, ≥ 20× faster than icontains, indexing ≤ 2 ms per post.")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
