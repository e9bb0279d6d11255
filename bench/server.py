"""The site under gunicorn, driven by wrk, with its workers' memory watched during downloads."""

import csv
import io
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
WRK_REPORT = Path(__file__).with_name("wrk_report.lua")
WORKERS = 2
USERS = 8  # wrk's open connections, each sending its next request when the last is answered
WRK_THREADS = 2
START_TIMEOUT = 30  # seconds for gunicorn to answer /healthz
DOWNLOAD_TIMEOUT = (5, 120)  # connect, and between two bytes
SAMPLE_SECONDS = 0.1
# No page may take longer: wrk's default (2 s) would count the slow ones as errors.
REQUEST_TIMEOUT = 120
# The workers are idle when they use less CPU than this in a window (their own ticking).
IDLE_WINDOW = 0.3  # seconds
IDLE_CPU = 0.01  # seconds of CPU in a window


class ServerFailed(Exception):
    """Gunicorn did not start answering /healthz; the message is the end of its log."""


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen

    def workers(self):
        with suppress(psutil.NoSuchProcess):
            return psutil.Process(self.process.pid).children()
        return []


@dataclass
class Stats:
    """wrk's figures for one URL; times in milliseconds, None if none finished."""

    requests: int
    failures: int
    rps: float
    median: float | None
    p95: float | None
    p99: float | None


@dataclass
class Download:
    path: str
    status: int | None
    seconds: float
    size: int
    rows: int
    expected_rows: int
    ends_with_newline: bool
    error: str
    peak_worker_mb: float

    @property
    def complete(self):
        return (
            self.status == 200
            and not self.error
            and self.ends_with_newline
            and self.rows == self.expected_rows
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env):
    """Serve the site with the settings in `env`; stopped on leaving, whatever happened."""
    port = free_port()
    # The project's gunicorn.conf.py is the deployment being measured.
    command = [sys.executable, "-m", "gunicorn", "pledge_tracker.wsgi", f"--workers={WORKERS}",
               "--config=gunicorn.conf.py", f"--bind=127.0.0.1:{port}"]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            wait_until_healthy(server, log)
            yield server
        finally:
            stop(server)


def wait_until_healthy(server, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.process.poll() is None:
        with suppress(requests.RequestException):
            if requests.get(f"{server.base_url}/healthz", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    log.seek(0)
    raise ServerFailed(log.read().decode(errors="replace")[-3000:])


def stop(server):
    workers = server.workers()
    server.process.send_signal(signal.SIGINT)  # quick shutdown: don't wait out a slow request
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        for process in [*workers, server.process]:
            with suppress(psutil.NoSuchProcess):
                process.kill()
        server.process.wait()


def load_test(server, path, seconds):
    """Drive one path for `seconds` from USERS connections with no think time, asking for gzip
    as browsers do. wrk, written in C, rather than locust: locust's own CPU capped `/healthz`
    at 600 to 1,000 requests per second on this 2-core machine, so the baseline and the cached
    pages measured the load tool more than the site.

    When its time is up wrk stops without waiting for the requests it has sent (they are not
    counted: for a page of a second or more, the last of each connection's few), and gunicorn
    still serves them: the next URL starts once the workers are idle again."""
    requests.get(f"{server.base_url}{path}", timeout=DOWNLOAD_TIMEOUT)  # warm-up
    command = [wrk(), f"--threads={WRK_THREADS}", f"--connections={USERS}",
               f"--duration={seconds}s", f"--timeout={REQUEST_TIMEOUT}s",
               "--header=Accept-Encoding: gzip, deflate", f"--script={WRK_REPORT}",
               f"{server.base_url}{path}"]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True)
    wait_until_idle(server)
    lines = run.stdout.strip().splitlines()
    if run.returncode or not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"wrk gave no report for {path}:\n{run.stdout[-2000:]}{run.stderr}")
    return read_report(json.loads(lines[-1]))


def wait_until_idle(server):
    deadline = time.monotonic() + REQUEST_TIMEOUT
    used = cpu_seconds(server)
    while time.monotonic() < deadline:
        time.sleep(IDLE_WINDOW)
        used, before = cpu_seconds(server), used
        if used - before < IDLE_CPU:
            return


def cpu_seconds(server):
    """The CPU time the workers have used so far."""
    total = 0.0
    for worker in server.workers():
        with suppress(psutil.NoSuchProcess):
            times = worker.cpu_times()
            total += times.user + times.system
    return total


def wrk():
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("make bench drives the site with wrk: install Debian's wrk package.")
    return found


def read_report(report):
    def ms(microseconds):
        return microseconds / 1000 if report["requests"] else None

    return Stats(
        requests=report["requests"],
        failures=report["bad_status"] + report["socket_errors"],
        rps=report["requests"] / report["seconds"],
        median=ms(report["p50"]),
        p95=ms(report["p95"]),
        p99=ms(report["p99"]),
    )


def download(server, path, expected_rows):
    """Fetch a whole CSV; how long, how big, whether it is complete and the workers' peak RSS."""
    with tempfile.TemporaryFile() as body:
        with WorkerMemory(server) as memory:
            started = time.perf_counter()
            status, error = fetch(f"{server.base_url}{path}", body)
            seconds = time.perf_counter() - started
        size = body.seek(0, io.SEEK_END)
        complete_line = ends_with_newline(body)
        rows = csv_rows(body)
    return Download(path, status, seconds, size, rows, expected_rows, complete_line, error,
                    memory.peak_kb / 1024)  # fmt: skip


def fetch(url, body):
    """Write the response's body to the file `body`: the status, and the error that cut it off."""
    try:
        response = requests.get(url, stream=True, timeout=DOWNLOAD_TIMEOUT)
    except requests.RequestException as error:
        return None, type(error).__name__
    with response:
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                body.write(chunk)
        except requests.RequestException as error:
            return response.status_code, type(error).__name__
    return response.status_code, ""


def ends_with_newline(body):
    if body.seek(0, io.SEEK_END) == 0:
        return False
    body.seek(-1, io.SEEK_END)
    return body.read(1) == b"\n"


def csv_rows(body):
    """Records in a CSV file (quoted newlines inside a field don't start a record)."""
    body.seek(0)
    text = io.TextIOWrapper(body, encoding="utf-8", errors="replace", newline="")
    try:
        return sum(1 for _record in csv.reader(text))
    except csv.Error:
        return -1  # cut inside a quoted field
    finally:
        text.detach()


class WorkerMemory:
    """Samples the gunicorn workers' memory every 100 ms while open; `peak_kb` is the highest.

    Each sample takes the larger of RSS and VmHWM (the kernel's own peak, reset on entering),
    so a spike between two samples still counts.
    """

    def __init__(self, server):
        self.server = server
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample)

    def __enter__(self):
        for worker in self.server.workers():
            reset_high_water_mark(worker.pid)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.thread.join()

    def sample(self):
        while True:
            for worker in self.server.workers():
                with suppress(psutil.NoSuchProcess):
                    rss_kb = worker.memory_info().rss // 1024
                    self.peak_kb = max(self.peak_kb, rss_kb, high_water_mark_kb(worker.pid))
            if self.done.wait(SAMPLE_SECONDS):
                return


def reset_high_water_mark(pid):
    with suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def high_water_mark_kb(pid):
    with suppress(OSError), open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
