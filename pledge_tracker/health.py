"""`/healthz`, for load balancers: is the database reachable, and the cache?"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

PROBE_KEY = "healthz:probe"


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def cache_ok():
    try:
        cache.set(PROBE_KEY, "ok", 10)
        return cache.get(PROBE_KEY) == "ok"
    except Exception:  # any backend's connection error: the answer is "failed", not a 500
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_ok(), "cache": cache_ok()}
    body = {name: "ok" if passed else "failed" for name, passed in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
