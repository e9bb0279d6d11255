"""The whole log's CSVs built ahead as files, so that any number of clients can fetch them.

Streaming the whole updates log takes half a minute of a worker and of the database, so only
`STREAMS_AT_ONCE` may stream at a time (`pledge_tracker.limits`). Built once for each version of
the record, as a file and as its gzip-compressed copy, a whole log is sent from the file
instead, by the operating system where the server can (gunicorn's sendfile), to anyone at once.

A request for a whole log (no filter, no past day) gets the file built for the record as it is
now (`prebuilt`); when there is none (the record changed since), the view streams the CSV as
before, and a background task builds the file (`build_later`), one build of each log at a time.
A file is named after the version of the record it was built from, read before its rows, so it
holds at least that version and is never sent once the record has moved on.
"""

import gzip
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse
from django.utils.cache import patch_vary_headers

from commitments.caching import accepts_gzip, last_changed
from commitments.tasks import build_download

FILENAMES = {"updates": "pledge-tracker-updates.csv", "evidence": "pledge-tracker-evidence.csv"}
# How long a build may take before another may start: one that failed or whose worker died is
# tried again after this (not at once, by every download after it).
BUILD_SECONDS = 30 * 60
# Bytes read from the file at a time, where the server cannot send it by itself.
BLOCK_SIZE = 1 << 18
# Readable by the web servers whichever user they run as (a temporary file is its owner's alone).
FILE_MODE = 0o644
# The versions of each log kept: the latest, and the one before it for the sends still reading
# it from another server (a file removed on a shared disk may not finish sending).
VERSIONS_KEPT = 2


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
    compressed = accepts_gzip(request)
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


def build_lock_key(name):
    return f"download-building:{name}"


def build_later(name):
    """Build the whole log `name` in the background, unless a build of it is under way (or
    failed less than BUILD_SECONDS ago: the task frees the key only when it succeeds)."""
    if cache.add(build_lock_key(name), True, BUILD_SECONDS):
        transaction.on_commit(lambda: build_download.enqueue(name), robust=True)


def build(name, lines):
    """Write the whole log `name` from `lines()` (an iterable of CSV lines, read in a
    transaction), as a file and a compressed copy named after the record's version, unless they
    exist; then remove older versions' files. Returns the file's path."""
    version = last_changed()  # before the rows: the file holds at least this version
    stem = _stem(name, version)
    built = _path(stem, compressed=False)
    if built.exists() and _path(stem, compressed=True).exists():
        return built
    directory = built.parent
    directory.mkdir(parents=True, exist_ok=True)
    plain, packed = (_temporary(directory, name) for _ in range(2))
    try:
        with plain, packed:
            with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as zipped:
                for line in lines():
                    data = line.encode()
                    plain.write(data)
                    zipped.write(data)
            for done in (plain, packed):  # on disk before its name says it is whole
                done.flush()
                os.fsync(done.fileno())
                os.chmod(done.name, FILE_MODE)
        os.replace(packed.name, _path(stem, compressed=True))
        os.replace(plain.name, built)
    finally:
        for leftover in (plain, packed):
            Path(leftover.name).unlink(missing_ok=True)
    _remove_old(directory, name)
    return built


def _temporary(directory, name):
    """A new file beside the finished ones, so that renaming it over them is atomic."""
    return tempfile.NamedTemporaryFile(
        dir=directory, prefix=f"{name}-", suffix=".part", delete=False
    )


def _remove_old(directory, name):
    """Remove the files of all but the VERSIONS_KEPT latest versions of `name`, and what a
    build that died left (a part file older than any build may take)."""
    stems = sorted({path.name.split(".")[0] for path in directory.glob(f"{name}-*.csv*")})
    for stem in stems[:-VERSIONS_KEPT]:
        for compressed in (False, True):
            _path(stem, compressed).unlink(missing_ok=True)
    for part in directory.glob(f"{name}-*.part"):
        if part.stat().st_mtime < time.time() - BUILD_SECONDS:
            part.unlink(missing_ok=True)
