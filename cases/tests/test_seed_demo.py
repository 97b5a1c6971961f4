import time

import pytest
from django.core.management import call_command

from cases.models import Case, CaseContact, Task
from contacts.models import Contact, ContactPhone
from contacts.normalize import normalize_phone

pytestmark = pytest.mark.django_db


def _fingerprint():
    return list(Contact.objects.order_by("id").values_list("first_name", "last_name", "login_source", "external_id"))


def test_seed_demo_is_deterministic_and_realistic(capsys):
    call_command("seed_demo", contacts=300, seed=7)
    first = _fingerprint()
    out = capsys.readouterr().out
    assert "Seeded 300 contacts" in out and "admin / " in out
    assert Case.objects.exists() and CaseContact.objects.exists() and Task.objects.exists()
    assert {source for _, _, source, _ in first} == {"web", "mobile", "web_mobile", "not_installed"}
    for number in ContactPhone.objects.values_list("number", flat=True)[:50]:
        assert normalize_phone(number) == number  # stored E.164, valid
    Contact.objects.all().delete()
    call_command("seed_demo", contacts=300, seed=7)
    assert _fingerprint() == first


def test_seed_demo_if_empty_leaves_existing_data(capsys):
    call_command("seed_demo", contacts=50)
    call_command("seed_demo", contacts=50, if_empty=True)
    assert Contact.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_seed_demo_can_queue_a_duplicate_scan_that_fills_the_queue(celery_worker, capsys):
    from contacts.models import DuplicateCandidate, DuplicateScan

    worker = celery_worker()
    call_command("seed_demo", contacts=200, scan_duplicates=True)
    assert "Queued a duplicate scan" in capsys.readouterr().out
    deadline = time.monotonic() + 90
    while DuplicateScan.objects.filter(status=DuplicateScan.Status.DONE).count() == 0:
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.3)
    assert DuplicateCandidate.objects.exists()
