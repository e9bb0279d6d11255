"""/healthz tells a load balancer whether the database and the cache answer."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_says_both_are_ok(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"database": "ok", "cache": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_cache_when_it_fails(client, settings):
    # Nothing listens on port 9: the cache cannot answer.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (503, {"database": "ok", "cache": "failed"})
