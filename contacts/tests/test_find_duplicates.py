"""manage.py find_duplicates: every candidate pair once, as a table or CSV."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from contacts.models import DuplicateDismissal
from contacts.tests.factories import ContactFactory, ContactPhoneFactory
from kayse.spreadsheet import FORMULA_STARTS, neutralize

pytestmark = pytest.mark.django_db


def _pair(first_a="Robert", first_b="Bob", number="+13125550101", last_b="Smith", **extra):
    a = ContactFactory(first_name=first_a, last_name="Smith", external_id=f"A-{number}", **extra)
    b = ContactFactory(first_name=first_b, last_name=last_b, external_id=f"B-{number}", **extra)
    ContactPhoneFactory(contact=a, number=number)
    ContactPhoneFactory(contact=b, number=number)
    return a, b


def test_csv_has_the_agreed_columns_and_each_pair_once():
    a, b = _pair(date_of_birth=datetime.date(1970, 1, 1))
    out = io.StringIO()
    call_command("find_duplicates", "--format", "csv", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["contact_a", "contact_b", "external_id_a", "external_id_b", "score", "reasons"]
    assert rows[1][:4] == [str(a.pk), str(b.pk), a.external_id, b.external_id]
    assert int(rows[1][4]) >= 50
    assert "Phone match" in rows[1][5] and "Name match" in rows[1][5]
    assert len(rows) == 2


def test_min_score_filters_and_dismissed_pairs_are_left_out():
    # No birthday and another last name (a marriage?): a lower score than the same name and birthday.
    a, b = _pair(number="+13125550102", first_b="Rob", last_b="Okafor")
    c, d = _pair(number="+13125550103", first_b="Robert", date_of_birth=datetime.date(1980, 2, 2))

    def pairs(*options):
        out = io.StringIO()
        call_command("find_duplicates", "--format", "csv", *options, stdout=out, stderr=io.StringIO())
        return {tuple(row[:2]): int(row[4]) for row in list(csv.reader(io.StringIO(out.getvalue())))[1:]}

    scores = pairs("--min-score", "0")
    low, high = scores[(str(a.pk), str(b.pk))], scores[(str(c.pk), str(d.pk))]
    assert low < high
    assert list(pairs("--min-score", str(high))) == [(str(c.pk), str(d.pk))]

    DuplicateDismissal.objects.create(contact_a=c, contact_b=d)
    out = io.StringIO()
    call_command("find_duplicates", "--min-score", str(low), stdout=out, stderr=io.StringIO())
    table = out.getvalue().splitlines()
    listed = {tuple(int(cell) for cell in line.split()[:2]) for line in table[1:]}
    assert (a.pk, b.pk) in listed and (c.pk, d.pk) not in listed


def test_bad_min_score_is_refused_in_plain_words():
    with pytest.raises(CommandError, match="between 0 and 100"):
        call_command("find_duplicates", "--min-score", "150", stdout=io.StringIO())


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized_as_in_the_export():
    a = ContactFactory(first_name="+Robert", last_name="-Smith", external_id='=HYPERLINK("http://evil","x")')
    b = ContactFactory(first_name="@Robert", last_name="-Smith", external_id="+15550100")
    ContactPhoneFactory(contact=a, number="+13125550177")
    ContactPhoneFactory(contact=b, number="+13125550177")
    out = io.StringIO()
    call_command("find_duplicates", "--format", "csv", "--min-score", "0", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    [pair] = [row for row in rows[1:] if {row[0], row[1]} == {str(a.pk), str(b.pk)}]
    by_id = {pair[0]: pair[2], pair[1]: pair[3]}
    assert by_id[str(a.pk)] == neutralize('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert by_id[str(b.pk)] == "'+15550100"
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
