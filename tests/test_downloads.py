"""The whole log's CSVs built ahead as files (`commitments.downloads`): sent as files for the
record as it is, the same bytes as the stream, and built again after the record changes."""

import gzip

import pytest
from django.core.management import call_command
from django.http import FileResponse
from django.urls import resolve, reverse
from django.utils import timezone

from commitments.downloads import build, build_later
from commitments.models import Action
from commitments.open_data import WHOLE_LOGS
from tests.factories import ApprovedUpdateFactory, CityFactory

pytestmark = pytest.mark.django_db

LOGS = [("updates", "data:updates_csv"), ("evidence", "data:evidence_csv")]


@pytest.fixture(autouse=True)
def record():
    city = CityFactory(name="Fileton", state="OR")
    for code in ("1.1", "2.1"):  # each with its own evidence, approved with it
        ApprovedUpdateFactory(city=city, action=Action.objects.get(code=code))
    return city


def fetch(client, url, query=None, **headers):
    """A download read to its end (which frees its place among the streams): (response, body)."""
    response = client.get(url, query, headers=headers)
    return response, b"".join(response.streaming_content)


def streamed(client, url):
    """The log as it streams: asked with a query (today, named), which is never a file."""
    response, body = fetch(client, url, {"as_of": timezone.localdate().isoformat()})
    assert not isinstance(response, FileResponse)
    return body


@pytest.mark.parametrize(("name", "url_name"), LOGS)
def test_a_whole_log_is_sent_from_its_file_the_same_bytes_as_the_stream(client, name, url_name):
    url = reverse(url_name)
    response, _body = fetch(client, url)
    assert not isinstance(response, FileResponse)  # not built yet: streamed
    build(name, WHOLE_LOGS[name])

    response, whole = fetch(client, url)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == f'attachment; filename="pledge-tracker-{name}.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert int(response["Content-Length"]) == len(whole)
    assert whole == streamed(client, url)
    assert whole.count(b"\n") == 3  # the header and two rows

    packed, body = fetch(client, url, **{"Accept-Encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(body) == whole
    assert "ETag" in packed and "Last-Modified" in packed


def test_after_a_change_the_log_streams_until_its_file_is_built_again(
    client, record, django_capture_on_commit_callbacks
):
    url = reverse("data:updates_csv")
    build("updates", WHOLE_LOGS["updates"])
    _response, before = fetch(client, url)
    ApprovedUpdateFactory(city=record, action=Action.objects.get(code="3.1"), summary="NEWEST")

    with django_capture_on_commit_callbacks(execute=True) as asked:
        response, body = fetch(client, url)  # the file is of the record before: streamed
    assert not isinstance(response, FileResponse)
    assert b"NEWEST" in body and b"NEWEST" not in before
    assert len(asked) == 1  # and built, by the task at once here

    response, body = fetch(client, url)
    assert isinstance(response, FileResponse)
    assert b"NEWEST" in body


def test_a_filtered_or_past_log_is_streamed_even_with_a_file(client):
    build("updates", WHOLE_LOGS["updates"])
    url = reverse("data:updates_csv")
    today = timezone.localdate().isoformat()
    for query in ({"state": "OR"}, {"as_of": today}, {"city": "fileton", "state": "OR"}):
        response, _body = fetch(client, url, query)
        assert not isinstance(response, FileResponse), query


def test_one_build_of_a_log_at_a_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as asked:
        build_later("updates")
        build_later("updates")  # under way: not asked twice
        build_later("evidence")
    assert len(asked) == 2


def test_a_build_keeps_the_latest_two_versions_files(settings, record):
    """The one before the latest for sends still reading it from another server's disk."""
    for code in ("3.1", "3.2", "3.3"):
        built = build("updates", WHOLE_LOGS["updates"])
        ApprovedUpdateFactory(city=record, action=Action.objects.get(code=code))
    latest = build("updates", WHOLE_LOGS["updates"])
    build("evidence", WHOLE_LOGS["evidence"])
    kept = sorted(path.name for path in settings.DOWNLOADS_DIR.glob("updates-*"))
    assert kept == sorted([built.name, f"{built.name}.gz", latest.name, f"{latest.name}.gz"])
    assert len(list(settings.DOWNLOADS_DIR.glob("evidence-*"))) == 2


def test_a_file_already_built_for_the_version_is_kept(settings):
    built = build("updates", WHOLE_LOGS["updates"])
    written = built.stat().st_mtime_ns

    def nothing_read():
        raise AssertionError("built again")

    assert build("updates", nothing_read) == built
    assert built.stat().st_mtime_ns == written


def test_a_write_while_a_file_is_built_streams_the_next_download(client, record):
    """The file holds the record as it was when the build began, or later: never sent once
    the record has moved on."""

    def lines_with_a_write_meanwhile():
        lines = WHOLE_LOGS["updates"]()
        yield next(lines)  # the header
        ApprovedUpdateFactory(city=record, action=Action.objects.get(code="3.1"), summary="LATE")
        yield from lines

    build("updates", lines_with_a_write_meanwhile)
    response, body = fetch(client, reverse("data:updates_csv"))
    assert not isinstance(response, FileResponse)
    assert b"LATE" in body


def test_a_failed_build_is_not_asked_for_again_by_every_download(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(WHOLE_LOGS, "updates", lambda: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True) as asked:
        build_later("updates")  # the task runs at once here, and fails (logged)
    with django_capture_on_commit_callbacks() as asked_again:
        build_later("updates")
    assert (len(asked), len(asked_again)) == (1, 0)
    assert not list(settings.DOWNLOADS_DIR.iterdir())  # nothing half written left


def test_files_are_sent_to_many_at_once_by_the_server_itself(rf):
    """Not counted among the streams (`STREAMS_AT_ONCE`): a client gets the file while another
    download, its own, is still being sent, and the server may send it by sendfile (which the
    test client's reading would hide: the view is called as the server calls it)."""
    build("updates", WHOLE_LOGS["updates"])
    url = reverse("data:updates_csv")
    view = resolve(url).func
    first = view(rf.get(url))
    second = view(rf.get(url))  # the first not sent yet
    for response in (first, second):
        assert isinstance(response, FileResponse) and response.file_to_stream is not None
        response.close()


def test_the_command_builds_every_whole_log(capsys, settings):
    call_command("build_downloads")
    said = capsys.readouterr().out
    assert "updates-" in said and "evidence-" in said
    assert len(list(settings.DOWNLOADS_DIR.iterdir())) == 4
