"""`reverse()` remembered: list pages link every row to its city and principle, and each
reverse() costs about 50 µs, a tenth of a page of fifty rows.

The key holds everything else reverse() reads: the URLconf (a test may swap it, which makes
Django build a new resolver), the script prefix (a deployment under a path) and the language
(the URLs are translated).
"""

from functools import lru_cache, partial

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def reverser():
    """A remembered reverse(viewname, *args) for the URLconf, script prefix and language of
    this moment: looked up once for a page's thousand links rather than once each."""
    return partial(_reverse, get_resolver(get_urlconf()), get_script_prefix(), get_language())


def remembered_reverse(viewname, *args):
    return reverser()(viewname, *args)


@lru_cache(maxsize=16384)
def _reverse(_resolver, _prefix, _language, viewname, *args):
    return reverse(viewname, args=args)
