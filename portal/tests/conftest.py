import pytest
from django.core.cache import cache

from portal import sms

PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-tests"}}


@pytest.fixture(autouse=True)
def private_cache_and_outbox(settings):
    """Rate-limit counters and delivery locks live in the cache: each test gets its own,
    in this process, so parallel test processes never count each other's requests."""
    settings.CACHES = PRIVATE_CACHE
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()
