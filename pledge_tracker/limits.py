"""Abuse limits: who a client is, how often it may ask, and the answer when it asked too often.

Counts live in the shared cache (django-ratelimit over `CACHE_URL`), so every worker of every
app server counts the same client once. `RATE_LIMITS=off` turns the request limits off; the
login lockout (django-axes, configured in settings) stays.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from rest_framework.throttling import AnonRateThrottle


def client_ip(request):
    """The client's address: the connection's own, or, behind `TRUSTED_PROXY_COUNT` proxies
    that each append to X-Forwarded-For, the address the outermost of them saw (what a client
    writes into that header itself sits further left and is never read)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class AnonymousClientThrottle(AnonRateThrottle):
    """DRF's throttle for anonymous API clients, telling clients apart as the site does."""

    def get_ident(self, request):
        return client_ip(request)


def client_key(group, request):
    return client_ip(request)


def user_key(group, request):
    return str(request.user.pk) if request.user.is_authenticated else client_ip(request)


def too_many_requests(request, seconds, page):
    """429 with Retry-After; a page for people, plain text for programs."""
    # Translators: the English says "seconds" even for 1; translate each plural form properly.
    message = ngettext(
        "Too many requests from you in a short time. Please try again in %(seconds)s seconds.",
        "Too many requests from you in a short time. Please try again in %(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}
    if page:
        response = render(request, "429.html", {"message": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def limit(rate_setting, key=client_key, methods=("GET", "HEAD", "POST"), page=False):
    """Refuse a client that asked more often than the setting `rate_setting` allows ("30/m")."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            usage = get_usage(  # None for a method the limit does not count
                request,
                group=rate_setting,
                key=key,
                rate=getattr(settings, rate_setting),
                method=list(methods),
                increment=True,
            )
            if usage and usage["should_limit"]:
                return too_many_requests(request, max(usage["time_left"], 1), page)
            return view(request, *args, **kwargs)

        return limited

    return decorator


def one_stream_at_a_time(view):
    """Refuse a streamed download to a client while another of its own is still streaming, and
    to anyone while `STREAMS_AT_ONCE` stream on the whole site: a worker serves one request at
    a time (gunicorn.conf.py) and a full export streams for half a minute, so downloads alone
    could hold every worker and leave none for the pages.

    Each stream holds its client's mark and a slot in the shared cache for as long as the
    response streams (at most `STREAM_SECONDS`, should a worker die mid-download); an answer
    that does not stream (a refusal, a `304`) frees them at once."""

    @wraps(view)
    def single(request, *args, **kwargs):
        if not settings.RATELIMIT_ENABLE:
            return view(request, *args, **kwargs)
        mine = f"streaming:{client_ip(request)}"
        if not cache.add(mine, True, timeout=settings.STREAM_SECONDS):
            return too_many_requests(request, STREAM_RETRY_SECONDS, page=False)
        slot = _free_slot()
        if slot is None:
            cache.delete(mine)
            return _busy_streaming()
        held = [mine, slot]
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete_many(held)
            raise
        if response.streaming:
            response.streaming_content = _Streaming(response.streaming_content, held)
        else:
            cache.delete_many(held)
        return response

    return single


# How soon a client refused a download (its own second, or one too many on the site) is told
# to try again.
STREAM_RETRY_SECONDS = 10


def _free_slot():
    """Take one of the site's `STREAMS_AT_ONCE` slots for a stream: its key, or None if all are
    held."""
    for number in range(settings.STREAMS_AT_ONCE):
        slot = f"streaming-slot:{number}"
        if cache.add(slot, True, timeout=settings.STREAM_SECONDS):
            return slot
    return None


def _busy_streaming():
    """503 with Retry-After: the server, not the client, is at its limit."""
    seconds = STREAM_RETRY_SECONDS
    # Translators: the English says "seconds" even for 1; translate each plural form properly.
    message = ngettext(
        "The site is sending as many downloads as it can at once. Please try again in "
        "%(seconds)s seconds.",
        "The site is sending as many downloads as it can at once. Please try again in "
        "%(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class _Streaming:
    """A response's content that frees what its stream holds when the server closes it, after
    the last byte or a dropped connection (Django registers `close` with the response)."""

    def __init__(self, content, held):
        self.content, self.held = content, held

    def __iter__(self):
        return iter(self.content)

    def close(self):
        cache.delete_many(self.held)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out login: the login page's 429, saying why."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # Translators: the English says "minutes" even for 1; translate each plural form properly.
    message = ngettext(
        "Too many failed sign-ins for this account from your address. Please try again in "
        "%(minutes)s minutes, or reset your password.",
        "Too many failed sign-ins for this account from your address. Please try again in "
        "%(minutes)s minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
