"""Checking one row: dates in the formats other systems export, names, yes/no values."""

import datetime

import pytest

from contacts.importing.validation import parse_date, split_full_name, validate_row


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1985-03-12", datetime.date(1985, 3, 12)),
        ("03/12/1985", datetime.date(1985, 3, 12)),
        ("3/12/85", datetime.date(1985, 3, 12)),
        ("March 12, 1985", datetime.date(1985, 3, 12)),
        ("12 Mar 1985", datetime.date(1985, 3, 12)),
        ("12.03.1985", datetime.date(1985, 3, 12)),
        ("1985-03-12 00:00:00", datetime.date(1985, 3, 12)),
        ("0/0/00", None),  # Outlook's empty birthday
        ("", None),
    ],
)
def test_dates_in_common_export_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/31/1990", "--03-12", "last spring", "1985-13-01"])
def test_unreadable_dates_are_named(text):
    with pytest.raises(ValueError, match="unreadable date"):
        parse_date(text)


def test_full_names_in_either_order():
    assert split_full_name("Doe, Jane") == ("Jane", "Doe")
    assert split_full_name("Jane  Q. Doe") == ("Jane Q.", "Doe")


def test_a_row_collects_every_problem_in_plain_words():
    mapping = ["first_name", "phone", "email", "date_of_birth", "do_not_call", "timezone"]
    row = validate_row(7, ["", "12", "x@", "99/99/1999", "maybe", "Mars/Olympus"], mapping)
    assert row.errors == [
        "missing name (a first name, last name or organization is needed)",
        "unreadable date “99/99/1999” (use a date like 1985-03-12 or 03/12/1985)",
        "“Mars/Olympus” is not a time zone (use a name like America/Chicago)",
        "“maybe” is not yes or no for do not call",
        "bad phone “12”",
        "bad email “x@”",
    ]


def test_an_exported_apostrophe_before_a_formula_like_cell_is_taken_off():
    row = validate_row(2, ["Ann", "'+13125550101"], ["first_name", "phone"])
    assert row.phones == [("+13125550101", "other")]
