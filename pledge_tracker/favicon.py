"""`/favicon.ico`: browsers and crawlers ask for it whatever a page links, so it always answers."""

from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=3600)
def favicon(request):
    """A temporary redirect to the static PNG: the static URL carries a hash that changes
    with the file, so a permanent one, or a long-cached one, would outlive the next deploy."""
    return redirect(static("favicon.png"))
