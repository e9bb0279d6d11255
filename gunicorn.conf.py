"""Gunicorn's settings for Pledge Tracker: `gunicorn pledge_tracker.wsgi` reads this file.

Threaded workers: while a request thread streams a long download (the full updates CSV), the
worker's main thread keeps telling the arbiter it is alive, so the worker timeout (which kills
a busy sync worker mid-download) never cuts an export short.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
