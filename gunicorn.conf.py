"""Gunicorn's settings for Pledge Tracker: `gunicorn pledge_tracker.wsgi` reads this file.

Threaded workers: while a request thread streams a long download (a large filtered log, or a
whole one before its file is built: commitments/downloads.py), the worker's main thread keeps
telling the arbiter it is alive, so the worker timeout (which kills a busy sync worker
mid-download) never cuts an export short.

One request thread a worker, which takes a connection only when that thread is free: requests
wait in the kernel's queue in the order they came and go to whichever worker frees first,
rather than several sharing one worker's interpreter lock, so that under load a page's 95th
percentile stays near its median (BENCHMARKS.md, "Tenth session"). Such workers must sit behind
a proxy that buffers requests and responses (README), as sync workers must: a slow client holds
its worker. A worker streaming a download takes no other request meanwhile: the site streams
at most STREAMS_AT_ONCE downloads at once (settings), which should stay below the workers
(GUNICORN_WORKERS) so that some always serve the pages.

Each worker, once it has loaded the site, freezes it out of Python's garbage collections
(pledge_tracker/garbage.py).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_connections = threads
keepalive = 0  # none could be kept with no connection to spare (gunicorn warns otherwise)
timeout = 30


def post_worker_init(worker):
    from django.urls import resolve

    from pledge_tracker import garbage

    resolve("/")  # loads the URL patterns now (else the first request would), to freeze them too
    garbage.freeze_loaded()
