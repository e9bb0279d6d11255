"""Public pages answer from what the record was when it last changed.

Every write moves one timestamp (`RecordStamp`): model saves and deletes in both apps through
signals, bulk writes by calling `touch()`. Public views read it (one query) and derive from it
an ETag and Last-Modified, answering 304 to a matching conditional request without computing
the page, and a cache key, so an approval shows at once: the next request misses the cache.
Only requests without a session or messages are served from the cache; anyone signed in, or
with a message waiting, always gets their own page.
"""

import functools
import hashlib

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from cities.signals import records_imported
from commitments.as_of import time_travels
from commitments.models import (
    CityScore,
    CurrentStatus,
    Follower,
    FollowerDelivery,
    RatingPeriod,
    RecordStamp,
    ReviewNotice,
    ScorePeriod,
    ScorePeriodsBuilt,
)

STAMP = 1  # the primary key of the one RecordStamp row
TRACKED_APPS = {"cities", "commitments"}


def touch(**_signal):
    """Record that the public record changed now."""
    now = timezone.now()
    if not RecordStamp.objects.filter(pk=STAMP).update(changed_at=now):
        RecordStamp.objects.update_or_create(pk=STAMP, defaults={"changed_at": now})


def last_changed():
    stamp = RecordStamp.objects.filter(pk=STAMP).values_list("changed_at", flat=True).first()
    return stamp or timezone.now()


def connect():
    """Called once the apps are ready (`commitments.apps`): every record model's writes touch.

    Connected per model, never for all senders: a receiver of post_delete makes Django fetch
    and signal every row a delete removes. Derived tables are left out (the services that
    rebuild them touch once), and so is what no public page shows: followers and the record of
    what was emailed to whom.
    """
    untracked = {CurrentStatus, RatingPeriod, CityScore, ScorePeriod, ScorePeriodsBuilt,
                 RecordStamp, Follower, FollowerDelivery, ReviewNotice}  # fmt: skip
    for label in TRACKED_APPS:
        for model in global_apps.get_app_config(label).get_models():
            if model in untracked or model.__name__.startswith("Historical"):
                continue
            for signal in (post_save, post_delete):
                signal.connect(touch, sender=model, dispatch_uid=f"stamp-{model}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    touch,
                    sender=field.remote_field.through,
                    dispatch_uid=f"stamp-{field}",
                )
    records_imported.connect(touch, dispatch_uid="record-stamp-import")


def _personal(request):
    """The visitor's own session or messages, if the request carries any: a page rendered for
    it may show them (a signed-in menu, a one-time message), so it is never cached."""
    names = [settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name]
    return "".join(request.COOKIES.get(name, "") for name in names)


def accepts_gzip(request):
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _variant(request):
    """What besides the URL makes a page differ: the htmx fragment, the encoding the client
    accepts, and whose session it is."""
    gzip = accepts_gzip(request)
    htmx = request.headers.get("HX-Request", "")
    return f"{request.get_full_path()}|{htmx}|{gzip}|{_personal(request)}"


def public(view):
    """A public read: GET/HEAD only, conditional, compressed, cached by the record's version,
    and readable as of a past day (`as_of.time_travels`: the day is part of the URL, so of the
    cache key).

    The cache keeps the compressed response, so a hit costs no compression either.
    """
    view = gzip_page(time_travels(view))

    @functools.wraps(view)
    def respond(request, *args, **kwargs):
        changed = last_changed()
        variant = _variant(request)
        digest = hashlib.sha256(f"{changed.isoformat()}|{variant}".encode()).hexdigest()[:32]
        etag = quote_etag(digest)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(changed.timestamp())
        )
        if not_modified is not None:
            return not_modified
        anonymous = not _personal(request)
        key = f"page:{digest}"
        response = cache.get(key) if anonymous and settings.PAGE_CACHE_SECONDS else None
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # the API's responses render late; a cache keeps content
            _mark(response, etag, changed, anonymous)
            if _cacheable(response, anonymous):
                cache.set(key, _as_sent(response), settings.PAGE_CACHE_SECONDS)
        return response

    return require_safe(respond)


def _mark(response, etag, changed, anonymous):
    if response.status_code != 200:
        return
    response.headers.setdefault("ETag", etag)
    response.headers.setdefault("Last-Modified", http_date(changed.timestamp()))
    if "Cache-Control" not in response.headers:  # a view may allow more (the badge does)
        # Always revalidate (a 304 costs one query), so a new approval is never hidden.
        visibility = "public" if anonymous else "private"
        patch_cache_control(response, max_age=0, must_revalidate=True, **{visibility: True})
    patch_vary_headers(response, ["Cookie", "HX-Request"])


def _as_sent(response):
    """What the cache keeps of a response: its bytes and headers. An API response also holds
    its serializer's data, which would be stored and read back on every hit (a page of the
    cities list: 27 KB to unpickle in 157 µs, against 6 KB in 6 µs)."""
    if not isinstance(response, SimpleTemplateResponse):
        return response
    return HttpResponse(response.content, status=response.status_code, headers=response.headers)


def _cacheable(response, anonymous):
    return (
        anonymous
        and settings.PAGE_CACHE_SECONDS
        and isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.cookies
    )
