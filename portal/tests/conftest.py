import pytest
from django.core.cache import cache

from portal import sms


@pytest.fixture(autouse=True)
def clean_rate_limits_and_outbox():
    """Rate-limit counters live in the shared cache; each test starts from zero."""
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()
