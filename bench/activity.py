"""Time the Activity Log tab with 10,000,000 events in the table.

    .venv/bin/python bench/activity.py [--events N] [--source PATH] [--keep PATH] [--runs R]

Copies the million-contact database (--source, default /tmp/bench-1m.sqlite3, if it
exists; else starts from an empty one), migrates it, inserts N events (default ten
million) with executemany, then requests the tab through Django's full stack (middleware,
view, template) and prints the p50/p95 server time of the first page and of each filter.
Target: p50 under 100 ms. The source database is never written.
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, where its modules would shadow packages
# (bench/import.py, bench/export.py): put the project root there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]

EVENT_TYPES = [
    ("update", 30, False),
    ("note", 15, False),
    ("document", 8, False),
    ("portal_link", 6, False),
    ("portal_visit", 6, False),
    ("message", 8, False),
    ("task", 5, False),
    ("create", 2, False),
    ("case", 4, False),
    ("export", 1, False),
    ("data_access", 10, True),
    ("dnc_check", 4, True),
    ("update", 1, True),
]
HEAVY_EVERY = 50  # the heavy contact gets every 50th event: 200,000 of ten million
MERGED_EVERY = 500  # three records merged into the survivor get 20,000 each


def seed_events(path: Path, *, total: int, heavy: int, survivor_family: list[int], typical: int, users: list[int]):
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type='index' AND tbl_name='activity_activityevent' AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    weights = [weight for _, weight, _ in EVENT_TYPES]
    start = datetime.now(UTC) - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / total
    typical_ids = set(rng.sample(range(1, total + 1), 30))
    descriptions = {
        "update": "Phone (mobile) changed from +13125550100 to +13125550199",
        "note": "Note added",
        "document": "Document uploaded: intake-form.pdf",
        "portal_link": "Portal link sent by SMS",
        "portal_visit": "Opened the portal (mobile)",
        "message": "Message sent by SMS",
        "task": "Task submitted: Medical history form",
        "create": "Contact created",
        "case": "Linked to case #1234",
        "export": "Included in an export",
        "data_access": "Sam Staff accessed profile",
        "dnc_check": "(312) 555-0100 checked against internal list and national registry: not listed",
    }
    data_update = json.dumps({"before": {"phone:mobile": "+13125550100"}, "after": {"phone:mobile": "+13125550199"}})
    sql = (
        "INSERT INTO activity_activityevent (id, contact_id, case_id, event_type, is_compliance, description,"
        " actor_user_id, actor_label, data, occurred_at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    started = time.perf_counter()
    batch = []
    kinds = rng.choices(EVENT_TYPES, weights=weights, k=total)
    for index in range(1, total + 1):
        if index % HEAVY_EVERY == 0:
            contact_id = heavy
        elif index % MERGED_EVERY in (1, 2, 3):
            contact_id = survivor_family[index % MERGED_EVERY - 1]
        elif index in typical_ids:
            contact_id = typical
        else:
            contact_id = rng.randint(1, 1_000_000)
        event_type, _, compliance = kinds[index - 1]
        user = rng.choice(users) if index % 4 else None
        moment = (start + step * index).strftime("%Y-%m-%d %H:%M:%S.%f")
        batch.append(
            (
                index,
                contact_id,
                None,
                event_type,
                compliance,
                descriptions[event_type],
                user,
                "" if user else "System",
                data_update if event_type == "update" else "{}",
                moment,
                f"{index - 1:064x}",
                f"{index:064x}",
            )
        )
        if len(batch) == 100_000:
            db.executemany(sql, batch)
            batch = []
            if index % 1_000_000 == 0:
                print(f"  {index:,} events ({time.perf_counter() - started:.0f} s)", flush=True)
    db.executemany(sql, batch)
    db.commit()
    print(f"inserted {total:,} events in {time.perf_counter() - started:.0f} s; building indexes…", flush=True)
    started = time.perf_counter()
    for _name, index_sql in indexes:
        db.execute(index_sql)
    db.execute("ANALYZE activity_activityevent")
    db.commit()
    db.close()
    print(f"indexes built in {time.perf_counter() - started:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--source", default="/tmp/bench-1m.sqlite3")
    parser.add_argument("--keep", help="keep the seeded database at PATH (and reuse it if it exists)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed-only", action="store_true", help="seed the --keep database and stop")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kayse-bench-activity-")
    path = Path(args.keep) if args.keep else Path(folder) / "activity.sqlite3"
    reuse = bool(args.keep) and path.exists()
    if not reuse and Path(args.source).exists():
        print(f"copying {args.source}…", flush=True)
        shutil.copyfile(args.source, path)
    os.environ.update(
        {"DATABASE_URL": f"sqlite:///{path}", "KAYSE_VAR_DIR": folder, "DJANGO_SETTINGS_MODULE": "kayse.settings_test"}
    )
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from contacts.models import Contact
    from contacts.tests.factories import UserFactory

    settings.SECURE_SSL_REDIRECT = False
    call_command("migrate", verbosity=0)
    if not reuse:
        users = [UserFactory(username=f"bench{n}").pk for n in range(20)]
        contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:5])
        while len(contacts) < 5:
            contacts.append(Contact.objects.create(first_name="Bench", last_name=str(len(contacts))).pk)
        heavy, survivor, *merged = contacts[:5]
        merged = merged[:3]
        typical = Contact.objects.create(first_name="Typical", last_name="Contact").pk
        Contact.objects.filter(pk__in=merged).update(merged_into=survivor)
        from django.db import connection

        connection.close()
        seed_events(path, total=args.events, heavy=heavy, survivor_family=merged, typical=typical, users=users)
        Path(f"{path}.meta.json").write_text(json.dumps({"heavy": heavy, "survivor": survivor, "typical": typical}))
    if args.seed_only:
        print(f"seeded {path}")
        return
    meta = json.loads(Path(f"{path}.meta.json").read_text())
    from django.contrib.auth import get_user_model

    viewer = get_user_model().objects.get(username="bench1")
    client = Client()
    client.force_login(viewer)
    from activity.models import ActivityEvent

    total = ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first()
    heavy_events = ActivityEvent.objects.filter(contact_id=meta["heavy"]).order_by("id")
    deep_cursor = heavy_events.values_list("id", flat=True)[heavy_events.count() // 2]
    year_ago = (datetime.now(UTC) - timedelta(days=365)).date()
    old = (datetime.now(UTC) - timedelta(days=900)).date()
    heavy, survivor, typical = meta["heavy"], meta["survivor"], meta["typical"]
    scenarios = [
        ("first page, contact with 200,000 events", heavy, ""),
        ("first page, contact with 30 events", typical, ""),
        ("first page, survivor of 3 merges (60,000 merged events)", survivor, ""),
        ("event type = note", heavy, "event_type=note"),
        ("rare event type (export)", heavy, "event_type=export"),
        ("compliance only", heavy, "compliance=on"),
        ("user = bench3", heavy, f"user={get_user_model().objects.get(username='bench3').pk}"),
        ("user = system", heavy, "user=system"),
        ("date range, last 12 months", heavy, f"date_from={year_ago}"),
        ("date range, one week 900 days ago", heavy, f"date_from={old}&date_to={old + timedelta(days=6)}"),
        ("type + compliance + date range", heavy, f"event_type=dnc_check&compliance=on&date_from={year_ago}"),
        ("older page deep in the history (keyset)", heavy, f"before={deep_cursor}"),
        ("merged survivor, compliance only", survivor, "compliance=on"),
    ]
    print(f"\n{total:,} events in the table; {args.runs} requests per line (after 3 warm-ups)")
    print(f"{'scenario':<58} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
    worst = 0.0
    for label, contact_id, query in scenarios:
        url = f"/contacts/{contact_id}/activity/" + (f"?{query}" if query else "")
        timings = []
        for run in range(args.runs + 3):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if run >= 3:
                timings.append(elapsed)
        rows = response.content.decode().count('<tr class="event')
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        worst = max(worst, p50)
        print(f"{label:<58} {p50:>8.1f} {p95:>8.1f} {rows:>5}", flush=True)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(f"/contacts/{heavy}/activity/")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(f"\nworst p50: {worst:.1f} ms (target < 100 ms) -> {'OK' if worst < 100 else 'TOO SLOW'}")
    print(f"database: {path.stat().st_size / 1e9:.1f} GB at {path}; load average {os.getloadavg()[0]:.1f}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
