"""How changed fields and their values read in the log: labels and values as staff say them."""

import datetime
import functools

from django.core.exceptions import FieldDoesNotExist


@functools.lru_cache(maxsize=1024)  # a model's fields never change in a running process
def _contact_field(key: str):
    # The activity app knows contacts only through the app registry (it sits below them).
    from django.apps import apps

    try:
        return apps.get_model("contacts", "Contact")._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(key: str) -> str:
    """A human label for a change key: a Contact field's verbose name, or "phone:mobile" → "Phone (mobile)"."""
    if ":" in key:
        name, qualifier = key.split(":", 1)
        return f"{name.replace('_', ' ').capitalize()} ({qualifier.replace('_', ' ')})"
    field = _contact_field(key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name).capitalize()
    return key.replace("_", " ").capitalize()


def display_value(key: str, value) -> str:
    """A value as staff read it: choice labels, Yes/No, HH:MM, "(blank)"."""
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    field = _contact_field(key)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 8 and value[2] == ":" and key.startswith("calling_window"):
        return value[:5]
    return str(value)
