"""Fixed-window rate limits kept in the project's cache (Redis in production, shared by
every web process; a file cache on a laptop, shared by the processes of one machine).

Counters are kept per link and per client address (kayse.client_ip, which knows about
reverse proxies). An IPv6 client is counted by its /64 network: one home or phone gets a
whole /64, so counting single addresses would let it try 2^64 times."""

import hashlib
from ipaddress import IPv6Address, ip_address, ip_network

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"portal-rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def address_ident(address: str) -> str:
    """The counter's name for a client address: the address, or its /64 network for IPv6."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return f"addr:{address}"
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"addr:{parsed.ipv4_mapped}"
        return f"net:{ip_network(f'{parsed}/64', strict=False)}"
    return f"addr:{parsed}"


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once more than ``limit`` happened in the window."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds)
        return True
    return count <= limit


def is_blocked(scope: str, ident: str, *, limit: int) -> bool:
    """Whether the limit is used up, without counting an attempt."""
    return (cache.get(_key(scope, ident)) or 0) >= limit


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
