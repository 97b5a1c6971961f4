"""The duplicate model: EM on planted data, blocking recall, households, and the stored model."""

import datetime
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command

from bench.households import generate, true_pairs
from contacts.dedupe.blocking import candidate_pairs
from contacts.dedupe.comparisons import COMPARISONS, Vector
from contacts.dedupe.model import Model, expectation_maximisation
from contacts.dedupe.training import train_model
from contacts.duplicates import compare, pairs_in_profiles, profile_from_values, run_full_scan
from contacts.models import DuplicateCandidate, DuplicateModel
from contacts.tests.factories import ContactFactory, ContactPhoneFactory

RULES = frozenset({"phone", "email", "name", "fuzzy"})


def test_em_recovers_planted_m_probabilities_and_the_share_of_matches():
    """Pairs drawn from a known two-class model: EM, with u fixed, finds m and λ again."""
    rnd = random.Random(3)
    sizes = [len(c.levels) for c in COMPARISONS]
    planted_m = [[0.0, 0.9] + [0.1 / (n - 2)] * (n - 2) for n in sizes]
    u = [[0.0, 0.02] + [0.98 / (n - 2)] * (n - 2) for n in sizes]
    lam = 0.2

    def draw(probabilities):
        return rnd.choices(range(len(probabilities)), weights=probabilities)[0]

    patterns = Counter()
    for _ in range(20000):
        table = planted_m if rnd.random() < lam else u
        patterns[Vector(tuple(draw(row) for row in table))] += 1
    model = Model(u=u, households=False)
    m, estimated_lam = expectation_maximisation(patterns, model, estimate=set(range(len(COMPARISONS))))
    assert estimated_lam == pytest.approx(lam, abs=0.02)
    for c in range(len(COMPARISONS)):
        assert m[c][1] == pytest.approx(0.9, abs=0.05), COMPARISONS[c].label


@pytest.fixture(scope="module")
def households():
    records = generate(people=1500, seed=11)
    return records, {record["id"]: profile_from_values(record) for record in records}


def test_blocking_compares_nearly_every_true_pair_and_few_others(households):
    records, profiles = households
    truth = true_pairs(records)
    compared = set(candidate_pairs(profiles, RULES))
    n = len(profiles)
    assert len(compared & truth) / len(truth) >= 0.995
    assert 1 - len(compared) / (n * (n - 1) / 2) > 0.99  # reduction ratio


def test_training_on_contacts_with_families_finds_households_and_a_sane_prior(households):
    records, profiles = households
    model = train_model(profiles, rules=RULES)
    assert model.households
    truth = len(true_pairs(records))
    n = len(profiles)
    assert truth / (n * (n - 1) / 2) / 3 < model.lam < truth / (n * (n - 1) / 2) * 3
    found = {(p.contact_a, p.contact_b) for p in pairs_in_profiles(profiles, model=model)}
    assert len(found & true_pairs(records)) / len(found) > 0.95


def _person(**values):
    base = {
        "first_name": "Maria",
        "last_name": "Lopez",
        "date_of_birth": datetime.date(1980, 4, 2),
        "address_line1": "12 Oak Street",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60601",
        "phones": ["+13125550101"],
        "emails": ["maria.lopez80@example.com"],
    }
    return profile_from_values({**base, **values}, id=values.pop("id", 1))


def test_household_members_stay_apart_and_a_married_name_still_matches():
    maria = _person(id=1)
    spouse = _person(id=2, first_name="Carlos", date_of_birth=datetime.date(1978, 9, 1), emails=[])
    twin = _person(id=3, first_name="Sofia", emails=[])
    junior = _person(id=4, last_name="Lopez Jr.", date_of_birth=datetime.date(2004, 1, 9), emails=[])
    married = _person(id=5, last_name="Whitfield")
    assert compare(maria, spouse).score < 50
    assert compare(maria, twin).score < 50
    assert compare(maria, junior).score < 50
    assert compare(maria, married).score >= 50
    evidence = {item.field: item for item in compare(maria, spouse).evidence}
    assert evidence["Household"].weight < 0


@pytest.mark.django_db
def test_train_command_stores_a_version_and_the_scan_records_it():
    for first in ("Chinedu", "Chinedu"):
        contact = ContactFactory(first_name=first, last_name="Okafor", date_of_birth=datetime.date(1975, 5, 5))
        ContactPhoneFactory(contact=contact, number="+13125550170")
    out = io.StringIO()
    call_command("train_duplicate_model", stdout=out)
    stored = DuplicateModel.objects.get()
    assert f"Duplicate model {stored.version}" in out.getvalue()
    assert "Match weights" in out.getvalue()
    run_full_scan()
    assert list(DuplicateCandidate.objects.values_list("model_version", flat=True)) == [stored.version]


@pytest.mark.django_db
def test_profiles_load_in_id_order_whatever_order_the_database_stores_rows_in():
    """Training samples pairs in load order: the same contacts must give the same model on
    either database, and again after PostgreSQL wrote an updated row after the others."""
    from contacts.dedupe.profiles import load_profiles
    from contacts.models import Contact

    first, second, third = (ContactFactory(first_name=name) for name in ("Ann", "Bea", "Cal"))
    Contact.objects.filter(pk=first.pk).update(first_name="Anna")
    assert list(load_profiles()) == [first.pk, second.pk, third.pk]
