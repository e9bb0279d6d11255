"""The site in English and Spanish: which language a visitor gets, and the way to the other one.

Pages for people are in English at their plain address and in Spanish under /es/
(`pledge_tracker.urls`). A visitor who arrives from elsewhere at an English page, with a browser
that prefers Spanish (or who chose Spanish before), is sent to the Spanish page; within the
site, and once someone chooses a language with the switcher, their choice holds.
"""

import functools
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path, override
from django.utils.translation import get_language_from_request as preferred_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def equivalent(url, language):
    """The same page, with its query, in `language` (the URL itself where it has no other)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=_equivalent_path(parts.path, language)))


@functools.lru_cache(maxsize=4096)
def _equivalent_path(path, language):
    """Remembered: every page asks for its own path in each language three or four times (the
    middleware, the switcher), and each ask costs a walk of the URL patterns."""
    with override(get_language_from_path(path) or settings.LANGUAGE_CODE):
        return translate_url(path, language)


def has_translations(path):
    """Whether the address is a page for people, with a version in each language."""
    return any(equivalent(path, code) != path for code in LANGUAGE_CODES)


def arrived_from_elsewhere(request):
    referrer = urlsplit(request.headers.get("Referer", ""))
    return referrer.netloc != request.get_host()


class FirstVisitLanguageMiddleware:
    """Send a visitor arriving at an English page to the page in the language they prefer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        english_page = (
            request.method in ("GET", "HEAD")
            and get_language_from_path(request.path_info) is None
            and has_translations(request.path_info)
        )
        if english_page and arrived_from_elsewhere(request):
            preferred = preferred_language(request, check_path=False)
            if preferred != settings.LANGUAGE_CODE:
                response = HttpResponseRedirect(equivalent(request.get_full_path(), preferred))
                patch_vary_headers(response, ["Accept-Language", "Cookie", "Referer"])
                return response
        response = self.get_response(request)
        if english_page:
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response


@never_cache
@require_safe
def choose_language(request, language):
    """Remember the visitor's language and show them the page they were on in it."""
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if language not in LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    response = HttpResponseRedirect(equivalent(next_url, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


def languages(request):
    """Template context: the page in every language, for the switcher and hreflang links."""
    here = request.get_full_path()
    return {
        "page_languages": [
            {
                "code": code,
                "name": name,
                "url": equivalent(here, code),
                "current": code == get_language(),
            }
            for code, name in settings.LANGUAGES
        ]
        if has_translations(request.path_info)
        else []
    }
