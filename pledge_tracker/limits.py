"""Abuse limits: who a client is, how often it may ask, and the answer when it asked too often.

Counts live in the shared cache (django-ratelimit over `CACHE_URL`), so every worker of every
app server counts the same client once. `RATE_LIMITS=off` turns the request limits off; the
login lockout (django-axes, configured in settings) stays.
"""

import secrets
from functools import wraps
from time import monotonic

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
        response = _plain(message, 429)
    response["Retry-After"] = str(seconds)
    return response


def _plain(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


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

    Each stream holds its client's mark and a slot in the shared cache, renewed as it sends, so
    a stream whose worker died frees them within `STREAM_SECONDS`; an answer that does not
    stream (a refusal, a `304`) frees them at once. Off, like the request limits, with
    `RATE_LIMITS=off`."""

    @wraps(view)
    def single(request, *args, **kwargs):
        if not settings.RATELIMIT_ENABLE:
            return view(request, *args, **kwargs)
        held = _Marks()
        if not held.take(f"streaming:{client_ip(request)}"):
            return too_many_requests(request, STREAM_RETRY_SECONDS, page=False)
        if not any(held.take(f"streaming-slot:{n}") for n in range(settings.STREAMS_AT_ONCE)):
            held.release()
            return _busy_streaming()
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            held.release()
            raise
        if response.streaming:
            response.streaming_content = _Streaming(response.streaming_content, held)
        else:
            held.release()
        return response

    return single


# How soon a client refused a download (its own second, or one too many on the site) is told
# to try again.
STREAM_RETRY_SECONDS = 10


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
    response = _plain(message, 503)
    response["Retry-After"] = str(seconds)
    return response


class _Marks:
    """What one stream holds in the shared cache: keys marked with its own token, so that it
    renews and frees only its own (a mark that expired may have been taken by another)."""

    def __init__(self):
        self.keys, self.token = [], secrets.token_hex(8)

    def take(self, key):
        taken = cache.add(key, self.token, timeout=settings.STREAM_SECONDS)
        if taken:
            self.keys.append(key)
        return taken

    def _own(self):
        marked = cache.get_many(self.keys)
        return [key for key in self.keys if marked.get(key) == self.token]

    def renew(self):
        for key in self._own():
            cache.touch(key, settings.STREAM_SECONDS)

    def release(self):
        cache.delete_many(self._own())


class _Streaming:
    """A response's content that renews its stream's marks as it sends (at most every third of
    `STREAM_SECONDS`) and frees them when the server closes it, after the last byte or a dropped
    connection (Django registers `close` with the response)."""

    def __init__(self, content, held):
        self.content, self.held = content, held

    def __iter__(self):
        renewed = monotonic()
        for chunk in self.content:
            if monotonic() - renewed > settings.STREAM_SECONDS / 3:
                self.held.renew()
                renewed = monotonic()
            yield chunk

    def close(self):
        self.held.release()


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
