"""How long a staff sign-in lasts: STAFF_SESSION_IDLE without a request, STAFF_SESSION_MAX_AGE in all.

Two times are kept in the session: when the user signed in and when they were last seen.
"Last seen" is written at most once a minute, so an active user's session is not saved on
every request. The portal's sessions are separate (portal app, PORTAL_SESSION_*).
"""

import time
from datetime import timedelta

from django.conf import settings

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
_SEEN_GRANULARITY = 60  # seconds


def start(session, *, now: float | None = None) -> None:
    """Called at sign-in: both clocks start."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = int(now)
    session[SEEN_AT] = int(now)


def expired_message(session, *, now: float | None = None) -> str:
    """Why this session has ended ("" while it is alive)."""
    now = time.time() if now is None else now
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        return ""  # a session from before these clocks: `touch` starts them
    if now - signed_in_at > settings.STAFF_SESSION_MAX_AGE.total_seconds():
        return f"You were signed out {describe_duration(settings.STAFF_SESSION_MAX_AGE)} after signing in."
    if now - seen_at > settings.STAFF_SESSION_IDLE.total_seconds():
        return f"You were signed out after {describe_duration(settings.STAFF_SESSION_IDLE)} without activity."
    return ""


def touch(session, *, now: float | None = None) -> None:
    """The user was here now."""
    now = time.time() if now is None else now
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = int(now)
    if now - session.get(SEEN_AT, 0) >= _SEEN_GRANULARITY:
        session[SEEN_AT] = int(now)


def describe_duration(duration: timedelta) -> str:
    """'30 minutes', '12 hours', '1 day': the way the pages say how long."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"
