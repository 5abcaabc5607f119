"""`make bench`: run every benchmark of this folder, one after the other (about 5 minutes).

sockets.py runs with 1,000 members here, not its 2,000: enough to show a connect that
grows with the room and a restart's reconnects, in half the time. The scale-out fan-out
(`fanout.py --stack postgres-redis`) needs PostgreSQL and Redis, so it is run by hand.
"""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = [["fanout.py"], ["sockets.py", "--members", "1000"]]

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    failed = [args for args in BENCHMARKS if subprocess.run([sys.executable, str(here / args[0]), *args[1:]]).returncode]
    sys.exit(1 if failed else 0)
