"""The embedded default as `make run` serves it, for tests of what only a real server shows.

`embedded_majlis()` makes a fresh SQLite file in a temporary folder, migrates it, seeds
it with `tests/realtime/embedded_seed.py` (members, a room, messages, logged-in
sessions) and starts one daphne process on it with the in-memory channel layer — no
DATABASE_URL, no REDIS_URL, whatever the suite runs on. Management commands run against
the same file through `server.manage(...)`, as a coalition admin's would.
"""

import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tests.realtime.processes import free_port, wait_for_health

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class EmbeddedServer:
    port: int
    env: dict
    process: subprocess.Popen
    seeded: dict = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def cookie(self, username: str) -> str:
        return f"sessionid={self.seeded['sessions'][username]}"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env,
            check=True, capture_output=True, text=True, timeout=120,
        )

    def resident_kib(self) -> int:
        """The daphne process's resident memory (VmRSS), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def _env(folder: Path, extra: dict) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "MAJLIS_ENV")}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(BASE_DIR), **extra,
    )
    return env


@contextmanager
def embedded_majlis(folder: Path, seed: dict, env: dict | None = None):
    """A daphne process serving a fresh SQLite database seeded with `seed` (see embedded_seed)."""
    env = _env(folder, env or {})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=BASE_DIR, env=env, check=True, timeout=300)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.realtime.embedded_seed"], cwd=BASE_DIR, env=env, check=True,
        input=json.dumps(seed), capture_output=True, text=True, timeout=300,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "daphne.log", "w"),
    )
    server = EmbeddedServer(port, env, process, json.loads(seeded.stdout.strip().splitlines()[-1]))
    try:
        wait_for_health(port, timeout=30)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # daphne waits for lingering application instances
            process.kill()
            process.wait()
