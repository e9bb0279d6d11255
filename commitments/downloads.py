"""The whole log's CSVs built ahead as files, so that any number of clients can fetch them.

Streaming the whole updates log takes half a minute of a worker and of the database, so only
`STREAMS_AT_ONCE` may stream at a time (`pledge_tracker.limits`). Built once for each version of
the record, as a file and as its gzip-compressed copy, a whole log is sent by the operating
system from the file instead: a fetch holds its worker only while the bytes are copied.

A request for a whole log (no filter, no past day) gets the file built for the record as it is
now (`prebuilt`); when there is none (the record changed since), the view streams the CSV as
before, and a background task builds the file (`build_later`), one build of each log at a time.
A file is named after the version of the record it was built from, read before its rows, so it
holds at least that version and is never sent once the record has moved on.
"""

import gzip
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse
from django.utils.cache import patch_vary_headers

from commitments.caching import last_changed

FILENAMES = {"updates": "pledge-tracker-updates.csv", "evidence": "pledge-tracker-evidence.csv"}
# How long a build may run before another may start (a worker that died mid-build).
BUILD_SECONDS = 30 * 60
# Bytes read from the file at a time, where the server cannot send it by itself.
BLOCK_SIZE = 1 << 18
# Readable by the web servers whichever user they run as (a temporary file is its owner's alone).
FILE_MODE = 0o644


def _stem(name, version):
    return f"{name}-{version:%Y%m%dT%H%M%S%f}"


def _path(stem, compressed):
    return Path(settings.DOWNLOADS_DIR) / f"{stem}.csv{'.gz' if compressed else ''}"


def prebuilt(request, name):
    """The whole log `name` as a file, compressed if the client accepts it, when the request
    asks for all of today's log and the file for the record as it is has been built; else None,
    after asking for it to be built."""
    if request.GET:  # a filter, an order or a past day: streamed
        return None
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    try:
        file = _path(_stem(name, last_changed()), compressed).open("rb")
    except FileNotFoundError:
        build_later(name)
        return None
    response = FileResponse(
        file, as_attachment=True, filename=FILENAMES[name], content_type="text/csv; charset=utf-8"
    )
    response.block_size = BLOCK_SIZE
    if compressed:
        response["Content-Encoding"] = "gzip"  # compressed once, so never again on the way out
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _lock(name):
    return f"download-building:{name}"


def build_later(name):
    """Build the whole log `name` in the background, unless a build of it is under way."""
    from commitments.tasks import build_download  # the tasks module imports this one

    if cache.add(_lock(name), True, BUILD_SECONDS):
        transaction.on_commit(lambda: build_download.enqueue(name), robust=True)


def build(name, lines):
    """Write the whole log `name` from `lines()` (an iterable of CSV lines, read in a
    transaction), as a file and a compressed copy named after the record's version, then remove
    the files of earlier versions. Returns the file's path."""
    version = last_changed()  # before the rows: the file holds at least this version
    directory = Path(settings.DOWNLOADS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stem = _stem(name, version)
    plain, packed = _temporary(directory), _temporary(directory)
    try:
        with plain, packed, gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as zipped:
            for line in lines():
                data = line.encode()
                plain.write(data)
                zipped.write(data)
        for done in (packed, plain):
            os.chmod(done.name, FILE_MODE)
        os.replace(packed.name, _path(stem, compressed=True))
        os.replace(plain.name, _path(stem, compressed=False))
    finally:
        cache.delete(_lock(name))
        for leftover in (plain, packed):
            Path(leftover.name).unlink(missing_ok=True)
    for old in directory.glob(f"{name}-*.csv*"):
        if not old.name.startswith(f"{stem}.csv"):
            old.unlink(missing_ok=True)
    return _path(stem, compressed=False)


def _temporary(directory):
    """A new file beside the finished ones, so that renaming it over them is atomic."""
    return tempfile.NamedTemporaryFile(dir=directory, suffix=".part", delete=False)
