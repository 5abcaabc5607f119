"""The servers a benchmark runs, and what it reads about them (every script of this folder).

Each server is a child process on 127.0.0.1; its CPU time and resident memory are read
from /proc, so the figures are the server's own, not the client's that shares the machine.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def wait_until_healthy(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    """Until Majlis answers /healthz with 200 (polled every 50 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"/healthz on port {port} did not answer")


def start(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("a"))
    wait_until_listening(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def daphne(application: str, port: int) -> list[str]:
    # No access log: daphne's would record every client's address (DESIGN.md, Running).
    return [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--access-log", "/dev/null", application]


def resident_bytes(pid: int) -> int:
    """The process's resident memory now (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def prepare_majlis(env: dict, members: int, messages: int = 0, timeout: float = 300) -> list[str]:
    """Migrate the database `env` names, make the room, its members and its history; the
    members' session keys."""
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=timeout)
    made = subprocess.run([PYTHON, "-m", "bench.majlis_setup", str(members), "--messages", str(messages)], cwd=ROOT,
                          env=env, check=True, timeout=timeout, capture_output=True, text=True)
    return json.loads(made.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return "load average " + ", ".join(f"{load:.2f}" for load in os.getloadavg())
