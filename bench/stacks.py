"""Where Majlis keeps its data in a benchmark: the embedded default, or PostgreSQL + Redis.

The scale-out stack's database is dropped and made afresh, and the Redis database's
channel-layer keys are deleted, so every run starts from the same empty state; for that
reason a database whose name lacks "bench" is refused. Once migrated and seeded, the
database can be kept as a template (`<name>_seeded`) and copied back before each later
run, which takes a second where migrating takes half a minute.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/majlis_bench"
REDIS_URL = "redis://127.0.0.1:6379/9"
SETTINGS = "bench.majlis_settings"
LAYER_PREFIX = "asgi"  # channels-redis's default key prefix


def embedded(workdir: Path) -> dict:
    """SQLite in `workdir` and the in-memory channel layer: one process only."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": f"sqlite:///{workdir / 'majlis.sqlite3'}"}
    env.pop("REDIS_URL", None)
    return env


def scale_out(database_url: str, redis_url: str) -> dict:
    """PostgreSQL and Redis, emptied: any number of processes share them."""
    fresh_database(database_url)
    fresh_channel_layer(redis_url)
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database_url, "REDIS_URL": redis_url}


def fresh_database(url: str, template: str | None = None) -> None:
    name = bench_database(url)
    with _server(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def keep_seeded(url: str) -> None:
    """Keep the database as it is now (migrated, seeded) for `seeded_again`."""
    name = bench_database(url)
    with _server(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}_seeded" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}_seeded" TEMPLATE "{name}"')


def seeded_again(url: str) -> None:
    """The database as `keep_seeded` left it."""
    fresh_database(url, template=f"{bench_database(url)}_seeded")


def forget_seeded(url: str) -> None:
    with _server(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{bench_database(url)}_seeded" WITH (FORCE)')


def bench_database(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop the database {name!r}: a benchmark database's name holds 'bench'")
    return name


def _server(url: str) -> psycopg.Connection:
    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def fresh_channel_layer(url: str) -> None:
    """Forget what an earlier run left in the channel layer (group memberships live a day)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"{LAYER_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
