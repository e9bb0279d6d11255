"""Gunicorn's settings for Pledge Tracker: `gunicorn pledge_tracker.wsgi` reads this file.

Threaded workers: while a request thread streams a long download (the full updates CSV), the
worker's main thread keeps telling the arbiter it is alive, so the worker timeout (which kills
a busy sync worker mid-download) never cuts an export short.

One request thread a worker, and a worker accepts a connection only when that thread is free
(no keep-alive: a kept connection would hold the worker for the next request it may send).
Requests then wait in the kernel's queue in the order they came and go to whichever worker
frees first, rather than several sharing one worker's interpreter lock: under load (2 workers,
8 clients) the home page's p95 went from 267 to 137 ms and a city page's from 372 to 210 ms
(BENCHMARKS.md). A worker streaming a download takes no new requests meanwhile, so run more
workers (GUNICORN_WORKERS) than the downloads you expect at once.

Each worker, once it has loaded the site, freezes it out of Python's garbage collections
(pledge_tracker/garbage.py): under load, /healthz's p99 went from 277 to 10 ms, and /cities/'
p95 from 158 to 126 ms.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_connections = threads
keepalive = 0
timeout = 30


def post_worker_init(worker):
    from django.urls import resolve

    from pledge_tracker import garbage

    resolve("/")  # loads the URL patterns now (else the first request would), to freeze them too
    garbage.freeze_loaded()
