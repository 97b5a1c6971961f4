"""Fixed-window rate limits kept in the project's cache (Redis in production, shared by
every web process; a file cache on a laptop, shared by the processes of one machine)."""

import hashlib

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"portal-rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


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


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
