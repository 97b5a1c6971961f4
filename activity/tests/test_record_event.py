import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from activity.models import ActivityEvent
from activity.services import GENESIS_HASH, record_event, verify_chain
from activity.tests.tamper import raw_sql

pytestmark = pytest.mark.django_db


def _three_events():
    return [record_event(event_type="update", description=f"change {n}", contact_id=7) for n in range(3)]


def test_events_are_chained_from_the_genesis_hash():
    first, second, third = _three_events()
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert verify_chain() is None


def test_compliance_events_are_labelled():
    event = record_event(event_type="update", description="Do not call set", is_compliance=True)
    assert event.label == "Compliance: Update"
    assert event.actor == "System"


def test_events_cannot_be_changed_or_deleted_through_the_app():
    event = record_event(event_type="update", description="x")
    event.description = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ActivityEvent.objects.filter(pk=event.pk).update(description="y")
    with pytest.raises(PermissionError):
        ActivityEvent.objects.all().delete()


def test_the_check_catches_a_row_edited_behind_the_apps_back():
    _, middle, _ = _three_events()
    raw_sql("UPDATE activity_activityevent SET description = 'forged' WHERE id = %s", [middle.pk])
    assert verify_chain().pk == middle.pk
    with pytest.raises(CommandError, match=f"#{middle.pk}"):
        call_command("verify_activity_log")


def test_the_check_catches_a_deleted_row():
    _, middle, last = _three_events()
    raw_sql("DELETE FROM activity_activityevent WHERE id = %s", [middle.pk])
    assert verify_chain().pk == last.pk
    with pytest.raises(CommandError, match=f"#{last.pk}"):
        call_command("verify_activity_log")


def test_the_check_passes_on_an_intact_log(capsys):
    _three_events()
    call_command("verify_activity_log")
    assert "3 events verified" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql", ["UPDATE activity_activityevent SET description = 'x'", "DELETE FROM activity_activityevent"]
)
def test_postgresql_refuses_updates_and_deletes_even_in_raw_sql(sql):
    _three_events()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert ActivityEvent.objects.filter(description="x").count() == 0
    assert ActivityEvent.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    import threading

    from django.db import connections

    errors = []

    def writer(number):
        try:
            for step in range(10):
                record_event(event_type="note", description=f"writer {number} step {step}", contact_id=number)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ActivityEvent.objects.count() == 40
    assert ActivityEvent.objects.values("prev_hash").distinct().count() == 40  # no fork in the chain
    assert verify_chain() is None


def test_a_kept_head_catches_events_deleted_from_the_end(capsys):
    *_, last = _three_events()
    call_command("verify_activity_log")
    assert f"Head: event #{last.pk}, hash {last.hash}" in capsys.readouterr().out
    raw_sql("DELETE FROM activity_activityevent WHERE id = %s", [last.pk])
    call_command("verify_activity_log")  # the chain alone cannot tell
    with pytest.raises(CommandError, match="no longer in the activity log"):
        call_command("verify_activity_log", "--expect-head", last.hash)


@pytest.mark.parametrize(
    "fields",
    [
        {"contact_id": 5, "case_id": None, "event_type": "import", "is_compliance": False, "actor_user_id": None},
        {"contact_id": None, "case_id": 7, "event_type": "update", "is_compliance": 1, "actor_user_id": 3},
        {"contact_id": "12", "case_id": 8, "event_type": "note", "is_compliance": True, "actor_user_id": 2**40},
    ],
)
def test_the_digest_is_that_of_the_events_sorted_compact_json(fields):
    """event_digest lays the JSON out by hand: it must stay the text json.dumps makes."""
    import datetime
    import hashlib
    import json

    from activity.services import event_digest

    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    content = {
        **fields,
        "description": 'Créé "quoted" \\ back\n ☃ 𝄞 <b>',
        "actor_label": "Import #1 — “x”",
        "data": {"z": 1, "a": [1, {"y": None, "b": 1.5}], "é": "ü", "big": 10**20, "t": True},
        "occurred_at": at,
    }
    expected = json.dumps(
        {
            "prev": "ab" * 32,
            "contact": content["contact_id"],
            "case": content["case_id"],
            "type": content["event_type"],
            "compliance": bool(content["is_compliance"]),
            "description": content["description"],
            "user": content["actor_user_id"],
            "label": content["actor_label"],
            "data": content["data"],
            "at": at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    assert event_digest(prev_hash="ab" * 32, **content) == hashlib.sha256(expected.encode()).hexdigest()


def test_a_digest_chain_gives_each_event_the_digest_event_digest_gives():
    import datetime

    from activity.services import DigestChain, canonical_json, event_digest

    at = datetime.datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=datetime.UTC)
    events = [
        (5, None, "import", False, "Created by import #3 from “a.csv”", {"batch": 3, "lines": [2]}),
        (None, 9, "update", True, "Call preferences changed ☎", {"before": {"x": None}, "after": {"x": 1}}),
    ]
    chain = DigestChain("c" * 64, actor_user_id=7, actor_label="Import #3", occurred_at=at)
    prev = "c" * 64
    for contact_id, case_id, event_type, compliance, description, data in events:
        expected = event_digest(
            prev_hash=prev, contact_id=contact_id, case_id=case_id, event_type=event_type,
            is_compliance=compliance, description=description, actor_user_id=7,
            actor_label="Import #3", data=data, occurred_at=at,
        )  # fmt: skip
        assert chain.add(contact_id, case_id, event_type, compliance, description, canonical_json(data)) == expected
        prev = expected
