"""Fuzz the JSON API against its own OpenAPI schema with schemathesis (`make fuzz`, CI).

Usage: .venv/bin/python scripts/fuzz_api.py [extra `st run` options]

Migrates a throwaway SQLite database, loads the demo data, serves the site on
127.0.0.1:$FUZZ_PORT (default 8765) and runs every schemathesis check, positive and negative
data, FUZZ_EXAMPLES (default 100) cases per operation. Exits with schemathesis's status:
non-zero on any server error or contract failure. Rate limits are off, or the fuzzer would
meet 429s. Set FUZZ_DATABASE_URL to keep or reuse a database elsewhere; give reports an
absolute --report-dir, since schemathesis runs in a temporary directory.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = os.environ.get("FUZZ_PORT", "8765")
SCHEMA = f"http://127.0.0.1:{PORT}/api/schema/"


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main():
    with tempfile.TemporaryDirectory(prefix="fuzz-api-") as tmp:
        database = os.environ.get("FUZZ_DATABASE_URL", f"sqlite:///{tmp}/fuzz.sqlite3")
        env = {**os.environ, "DEBUG": "true", "RATE_LIMITS": "off", "DATABASE_URL": database}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--if-empty"]):
            subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True)
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload", "--skip-checks"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # a 500's traceback is in the response schemathesis shows
        )
        try:
            wait_for(SCHEMA)
            st = [str(BIN / "st"), "run", SCHEMA, "--checks", "all", "--mode", "all",
                  "--max-examples", os.environ.get("FUZZ_EXAMPLES", "100"),
                  "--generation-database", "none", *sys.argv[1:]]  # fmt: skip
            # In the throwaway directory, so that its crash cache stays out of the repository.
            return subprocess.run(st, cwd=tmp).returncode
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
