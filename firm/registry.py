"""The one table of settings an Admin can change in Settings, with how each is stored, shown
and edited. Each overrides the django.conf.settings value of the same name (read from the
environment in kayse/settings.py); `firm.selectors.firm_setting(name)` is how code reads them.
"""

import datetime
import re
from dataclasses import dataclass, field

from django import forms

SECTIONS = {
    "portal": "Portal",
    "duplicates": "Duplicate rules",
    "calling": "Calling windows",
}


# --- Kinds of value: stored as JSON, read as the type the code uses ---------------------------


class Kind:
    """How one kind of value is coerced (from the environment's or the stored form), stored,
    shown and edited."""

    def coerce(self, value):
        return value

    def to_json(self, value):
        return value

    def display(self, value) -> str:
        return str(value) if value not in (None, "") else "(blank)"

    def form_field(self, setting) -> forms.Field:
        raise NotImplementedError

    def initial(self, value):
        return value

    def from_form(self, value):
        return value


class Days(Kind):
    """A duration edited in whole days (the environment may give any duration)."""

    def coerce(self, value):
        return value if isinstance(value, datetime.timedelta) else datetime.timedelta(seconds=int(value))

    def to_json(self, value):
        return int(value.total_seconds())

    def display(self, value) -> str:
        seconds = int(value.total_seconds())
        if seconds % 86400 == 0:
            days = seconds // 86400
            return f"{days} day{'s' if days != 1 else ''}"
        if seconds % 3600 == 0:
            return f"{seconds // 3600} hours"
        return f"{seconds // 60} minutes"

    def form_field(self, setting):
        return forms.IntegerField(min_value=1, max_value=90, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def initial(self, value):
        return max(1, round(value.total_seconds() / 86400))

    def from_form(self, value):
        return datetime.timedelta(days=value)


@dataclass
class Number(Kind):
    minimum: int = 0
    maximum: int = 100

    def coerce(self, value):
        return int(value)

    def form_field(self, setting):
        return forms.IntegerField(
            min_value=self.minimum, max_value=self.maximum, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
        )


class Flag(Kind):
    def coerce(self, value):
        return bool(value)

    def display(self, value) -> str:
        return "On" if value else "Off"

    def form_field(self, setting):
        return forms.BooleanField(required=False)


@dataclass
class Text(Kind):
    max_length: int = 200
    required: bool = True
    email: bool = False

    def coerce(self, value):
        return str(value or "")

    def form_field(self, setting):
        field_class = forms.EmailField if self.email else forms.CharField
        return field_class(max_length=self.max_length, required=self.required)


class MessageTemplate(Kind):
    """The text of a portal link's SMS or email; {link} is where the link goes."""

    def coerce(self, value):
        return str(value or "")

    def form_field(self, setting):
        return forms.CharField(
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            validators=[_keeps_link_placeholder],
        )


def _keeps_link_placeholder(value: str) -> None:
    if "{link}" not in value:
        raise forms.ValidationError("Keep {link} in the message: it is where the link goes.")


class Choices(Kind):
    """Several of a fixed list, ticked on or off (the duplicate rules)."""

    def __init__(self, choices):
        self.choices = choices

    def coerce(self, value):
        if isinstance(value, str):
            value = value.split(",")
        known = dict(self.choices)
        return [item.strip() for item in value if item.strip() in known]

    def display(self, value) -> str:
        labels = dict(self.choices)
        return ", ".join(labels[item] for item in value) if value else "none"

    def form_field(self, setting):
        return forms.MultipleChoiceField(choices=self.choices, required=False, widget=forms.CheckboxSelectMultiple)


class ClockTime(Kind):
    def coerce(self, value):
        return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))

    def to_json(self, value):
        return value.strftime("%H:%M")

    def display(self, value) -> str:
        return value.strftime("%H:%M")

    def form_field(self, setting):
        return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


_STATE_LINE = re.compile(r"^([A-Za-z]{2})\s*[:,]?\s*(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})$")


def _hhmm(text: str) -> str:
    return datetime.time.fromisoformat(text.zfill(5)).strftime("%H:%M")


class StateWindows(Kind):
    """Stricter calling hours by US state: {"TX": ["09:00", "21:00"]}, edited one state a line."""

    def coerce(self, value):
        return {state.upper(): [_hhmm(start), _hhmm(end)] for state, (start, end) in dict(value or {}).items()}

    def display(self, value) -> str:
        if not value:
            return "none"
        return ", ".join(f"{state} {start}–{end}" for state, (start, end) in sorted(value.items()))

    def form_field(self, setting):
        return forms.CharField(
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "placeholder": "TX 09:00-21:00"}),
        )

    def initial(self, value):
        return "\n".join(f"{state} {start}-{end}" for state, (start, end) in sorted(value.items()))

    def from_form(self, value):
        return parse_state_windows(value)


def parse_state_windows(text: str) -> dict:
    """ "TX 09:00-20:00" a line → {"TX": ["09:00", "20:00"]}; a line that is not one says so."""
    windows, errors = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _STATE_LINE.match(line)
        try:
            start, end = (_hhmm(match[2]), _hhmm(match[3])) if match else (None, None)
        except ValueError:
            start = end = None
        if start is None:
            errors.append(f"Line {number} (“{line}”) is not a state and two times, like “TX 09:00-20:00”.")
        elif start >= end:
            errors.append(f"Line {number}: the calling hours of {match[1].upper()} must end after they start.")
        else:
            windows[match[1].upper()] = [start, end]
    if errors:
        raise forms.ValidationError(errors)
    return windows


# --- The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditableSetting:
    name: str  # the django.conf.settings name it overrides
    section: str
    label: str
    kind: Kind = field(hash=False, compare=False)
    help_text: str = ""


DUPLICATE_RULE_CHOICES = [
    ("phone", "Same phone number"),
    ("email", "Same email address"),
    ("name", "Same or similar name (with the date of birth)"),
    ("fuzzy", "Fuzzy: name, date of birth and address together"),
]

EDITABLE_SETTINGS = [
    EditableSetting(
        "PORTAL_LINK_TTL",
        "portal",
        "Portal links expire after (days)",
        Days(),
        "The default for new links; staff can choose another expiry when they share one.",
    ),
    EditableSetting(
        "PORTAL_MESSAGE_EN",
        "portal",
        "Message with a link, in English",
        MessageTemplate(),
        "{first_name}, {firm} and {link} are filled in when it is sent.",
    ),
    EditableSetting(
        "PORTAL_MESSAGE_ES",
        "portal",
        "Message with a link, in Spanish",
        MessageTemplate(),
        "Sent to contacts whose language is Spanish.",
    ),
    EditableSetting("FIRM_NAME", "portal", "Firm name", Text(max_length=200), "Shown on every page and in messages."),
    EditableSetting(
        "FIRM_PHONE", "portal", "Firm phone", Text(max_length=40), "Contacts are told to call it when a link fails."
    ),
    EditableSetting(
        "FIRM_EMAIL",
        "portal",
        "Firm email",
        Text(max_length=254, email=True),
        "Gets portal messages when no staff member shared a link with the contact.",
    ),
    EditableSetting(
        "DUPLICATE_RULES",
        "duplicates",
        "Rules that find duplicates",
        Choices(DUPLICATE_RULE_CHOICES),
        "What may count as evidence that two contacts are one person. Evidence against always counts.",
    ),
    EditableSetting(
        "DUPLICATE_MIN_SCORE",
        "duplicates",
        "Suggest as possible duplicates from a score of",
        Number(1, 100),
        "The score is the chance in percent that two contacts are one person; 50 means more likely than not.",
    ),
    EditableSetting(
        "DUPLICATE_AUTO_MATCH_SCORE",
        "duplicates",
        "An import treats a fuzzy match as the same contact from a score of",
        Number(1, 100),
        "Lower matches are created as new contacts and sent to the Duplicates queue.",
    ),
    EditableSetting(
        "DUPLICATE_AUTO_REFRESH",
        "duplicates",
        "Check a changed contact for duplicates in the background",
        Flag(),
    ),
    EditableSetting(
        "CALLING_HOURS_START",
        "calling",
        "Calls and texts from",
        ClockTime(),
        "In each contact's own time zone. A contact's own calling window can only narrow these hours.",
    ),
    EditableSetting("CALLING_HOURS_END", "calling", "Calls and texts until", ClockTime()),
    EditableSetting(
        "CALLING_WINDOW_BY_STATE",
        "calling",
        "Stricter hours by state",
        StateWindows(),
        "One state a line, like “TX 09:00-20:00”. Contacts with that state on their address get these hours.",
    ),
]
SETTINGS_BY_NAME = {setting.name: setting for setting in EDITABLE_SETTINGS}


def section_settings(section: str) -> list[EditableSetting]:
    return [setting for setting in EDITABLE_SETTINGS if setting.section == section]
