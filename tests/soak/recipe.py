"""The README's production recipe, read from README.md and run as written.

The fenced `sh` block under "PostgreSQL, Redis and several daphne processes" is the
recipe. Its `export` lines give the environment, its commands run in order, and the
commands that end with `&` (the daphne processes) are left running. The only changes:
what installs packages is skipped (this virtualenv is the installed set), the listening
ports become free ones, and `overrides` replaces environment values that name a place
(the database, Redis, the host) or a secret.
"""

import os
import re
import shlex
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tests.realtime.processes import free_port, stop, wait_for_health

SECTION = "## PostgreSQL, Redis and several daphne processes"
_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
# What a forwarding TLS proxy adds to every request (README, nginx): production redirects
# plain HTTP, and a socket's Origin must carry the forwarded scheme.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Recipe:
    env: dict[str, str] = field(default_factory=dict)
    commands: list[list[str]] = field(default_factory=list)  # run in order, each to its end
    servers: list[list[str]] = field(default_factory=list)   # started with `&`, left running
    skipped: list[str] = field(default_factory=list)


def read_recipe(readme: Path | None = None) -> Recipe:
    text = (readme or Path(settings.BASE_DIR) / "README.md").read_text()
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    block = _BLOCK.search(text.split(SECTION, 1)[1])
    assert block, "the section has no ```sh block"
    recipe = Recipe()
    for line in block.group(1).replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        background = line.endswith("&") and not line.endswith("&&")
        for part in line.removesuffix("&").split("&&"):
            words = shlex.split(part, comments=True)
            if not words:
                continue
            if words[0] == "export":
                recipe.env.update(word.split("=", 1) for word in words[1:] if "=" in word)
            elif _installs(words):
                recipe.skipped.append(part.strip())
            elif background:
                recipe.servers.append(words)
            else:
                recipe.commands.append(words)
    return recipe


def _installs(words: list[str]) -> bool:
    program = Path(words[0]).name
    return program in {"pip", "pip3"} or (program.startswith("python") and words[1:3] == ["-m", "pip"])


def _executable(words: list[str]) -> list[str]:
    """The virtualenv's own programs for `python` and `daphne`; nothing else is expected."""
    program = Path(words[0]).name
    if program.startswith("python"):
        return [sys.executable, *words[1:]]
    if program == "daphne":
        return [str(Path(sys.executable).with_name("daphne")), *words[1:]]
    raise AssertionError(f"the README recipe runs {words[0]!r}, which the soak test does not know")


def _on_port(words: list[str], port: int) -> list[str]:
    """The same command line, listening on `port` instead of the one written."""
    words = list(words)
    for flag in ("-p", "--port"):
        if flag in words:
            words[words.index(flag) + 1] = str(port)
            return words
    raise AssertionError(f"a server line of the README names no port: {shlex.join(words)}")


@dataclass
class Deployment:
    env: dict[str, str]
    ports: list[int]
    processes: list[subprocess.Popen]

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """`manage.py …` in the deployment's environment (an admin's shell beside it)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=self.env,
            capture_output=True, text=True, timeout=timeout, check=True,
        )


@contextmanager
def deploy(recipe: Recipe, *, overrides: dict[str, str], logs: Path):
    """Run the recipe; yield the deployment while its servers run; stop them after."""
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_DEBUG", "SECURE_SSL_REDIRECT"}}
    env.update(recipe.env)
    env.update(overrides)
    for words in recipe.commands:
        done = subprocess.run(
            _executable(words), cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, f"{shlex.join(words)} failed:\n{done.stderr[-3000:]}"
    ports, processes = [], []
    try:
        for number, words in enumerate(recipe.servers):
            port = free_port()
            log = open(logs / f"server-{number}.log", "wb")
            processes.append(subprocess.Popen(
                _executable(_on_port(words, port)), cwd=settings.BASE_DIR, env=env,
                stdout=log, stderr=subprocess.STDOUT,
            ))
            log.close()
            ports.append(port)
        for port in ports:
            wait_for_health(port, timeout=60, headers=PROXY_HEADERS)
        yield Deployment(env=env, ports=ports, processes=processes)
    finally:
        stop(processes)
