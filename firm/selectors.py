"""Reading the firm's settings: a value changed in Settings, else the environment's default.

The overrides are few rows. They are kept in the project's cache (shared by every process:
Redis in production) and copied once per request or Celery task; a change deletes the
cached copy, so it applies to the next request, link or import in every process, and a
page or a million-row import costs no database query for them."""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from firm.registry import SETTINGS_BY_NAME, EditableSetting, section_settings

CACHE_KEY = "kayse:firm-settings"
CACHE_SECONDS = 60  # a lost invalidation heals itself within a minute
# Outside a request or task (shell, management commands) this thread's copy is read again after this.
MAX_AGE_SECONDS = 5.0

_local = threading.local()


def forget_firm_settings(**kwargs) -> None:
    """Drop this thread's copy of the overrides (at the start of each request and task)."""
    _local.loaded = None


def firm_settings_changed() -> None:
    """After a write: every process reads the overrides again, now and once the write commits."""
    cache.delete(CACHE_KEY)
    forget_firm_settings()
    transaction.on_commit(lambda: (cache.delete(CACHE_KEY), forget_firm_settings()))


def _stored_rows() -> list | None:
    from firm.models import FirmSetting

    rows = cache.get(CACHE_KEY)
    if rows is not None:
        return rows
    try:
        rows = list(FirmSetting.objects.values_list("name", "value"))
    except (DatabaseError, RuntimeError):
        # Nothing to read: a database not migrated yet (a benchmark's copy of an older one),
        # or code with no database at all (the duplicate engine scoring profiles in memory,
        # where pytest refuses database access with a RuntimeError). The environment rules.
        return []
    cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def _overrides() -> dict:
    loaded = getattr(_local, "loaded", None)
    if loaded is not None and time.monotonic() - loaded[0] < MAX_AGE_SECONDS:
        return loaded[1]
    values = {}
    for name, value in _stored_rows():
        setting = SETTINGS_BY_NAME.get(name)
        if setting is not None:
            values[name] = setting.kind.coerce(value)
    _local.loaded = (time.monotonic(), values)
    return values


def environment_default(name: str):
    """What kayse/settings.py (the environment) says, whatever Settings says."""
    return SETTINGS_BY_NAME[name].kind.coerce(getattr(settings, name))


def firm_setting(name: str):
    """The value in force: Settings' override, else the environment's default."""
    overrides = _overrides()
    if name in overrides:
        return overrides[name]
    return environment_default(name)


def is_overridden(name: str) -> bool:
    return name in _overrides()


def section_values(section: str) -> list[dict]:
    """Each setting of a section with its value in force and its default, as Settings shows them."""
    rows = []
    for setting in section_settings(section):
        rows.append(_row(setting))
    return rows


def _row(setting: EditableSetting) -> dict:
    value = firm_setting(setting.name)
    default = environment_default(setting.name)
    return {
        "setting": setting,
        "value": value,
        "display": setting.kind.display(value),
        "default_display": setting.kind.display(default),
        "overridden": is_overridden(setting.name),
    }


def recent_setting_changes(*, limit: int = 10, section: str | None = None):
    """The newest "Settings" events of the activity log, optionally of one section."""
    from activity.models import ActivityEvent, EventType

    events = ActivityEvent.objects.filter(event_type=EventType.SETTINGS, contact_id__isnull=True)
    if section is not None:
        events = events.filter(data__section=section)
    return list(events.select_related("actor_user").order_by("-id")[:limit])
