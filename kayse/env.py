"""Parsing of environment variables for settings: one place, tested."""

import os
import re
from datetime import timedelta

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_duration(raw: str) -> timedelta:
    """'604800', '90m', '12h', '7d' or '2w' as a timedelta."""
    match = _DURATION.match(raw.lower())
    if not match:
        raise ValueError(f"{raw!r} is not a duration such as 3600, 90m, 12h or 7d")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def env_duration(name: str, default: timedelta) -> timedelta:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse_duration(raw)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
