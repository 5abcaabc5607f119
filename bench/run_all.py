"""`make bench`: run every benchmark of this folder, one after the other."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["fanout.py"]

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    failed = [name for name in BENCHMARKS if subprocess.run([sys.executable, str(here / name)]).returncode]
    sys.exit(1 if failed else 0)
