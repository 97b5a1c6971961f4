"""The address of the person making a request: one rule for sign-in lockouts, rate limits and logs.

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address. Each trusted proxy appends
the address it received the request from to X-Forwarded-For, so with N trusted proxies the
client is the Nth address from the right; anything further left was written by the client
itself and could be anything. With no trusted proxy (the default) the header is ignored.
"""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the TRUSTED_PROXY_HOPS-th X-Forwarded-For entry from the right."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote_addr
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if len(forwarded) < hops:
        return remote_addr
    candidate = forwarded[-hops]
    return candidate if _is_address(candidate) else remote_addr


def _is_address(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True
