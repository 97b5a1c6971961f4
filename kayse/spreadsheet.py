"""Cells a spreadsheet would run as a formula (OWASP "CSV injection"): one rule for every file
this project writes for people to open in Excel or Sheets (exports, reports, bundle indexes,
duplicate lists, rejected import rows)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """A text cell that starts like a formula gets a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
