"""Time the Activity Log tab with 10,000,000 events in the table, on SQLite or PostgreSQL.

    .venv/bin/python bench/activity.py [--events N] [--source PATH] [--keep PATH] [--runs R]
    .venv/bin/python bench/activity.py --database-url postgres://…/NAME [--source-database bench1m] [--events N]

SQLite: copies the million-contact database (--source, default /tmp/bench-1m.sqlite3, if it
exists; else starts from an empty one), migrates it and inserts N events (default ten
million) with executemany, secondary indexes dropped meanwhile and rebuilt after. With
--keep the seeded copy stays at PATH and is reused by the next run.

PostgreSQL (--database-url): makes NAME as `CREATE DATABASE NAME TEMPLATE bench1m` (the
database bench/seed.py --database-url left; --source-database '' starts from an empty one),
migrates it, and loads the same events (same ids, hashes and mix) with COPY, secondary
indexes dropped meanwhile and rebuilt after, then VACUUM ANALYZE. NAME is kept: a later run
finds its `bench_activity_meta` table and reuses it. The requests are not in read-only
transactions: the tab records a "Data Access" tally on every view (its compliance log, a
durable commit), part of its cost, and making that one transaction read-write again inside a
read-only session would add round trips production does not make. Only NAME is written.

Either way the tab is then requested through Django's full stack (middleware, view,
template) and the p50/p95 server time of the first page and of each filter is printed.
Target: p50 under 50 ms. The source database is never written.
"""

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, where its modules would shadow packages
# (bench/import.py, bench/export.py): put the project root there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]

TARGET_MS = 50
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
COLUMNS = (
    "id, contact_id, case_id, event_type, is_compliance, description,"
    " actor_user_id, actor_label, data, occurred_at, prev_hash, hash"
)
DESCRIPTIONS = {
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


def event_rows(*, total: int, heavy: int, survivor_family: list[int], typical: int, users: list[int]):
    """The N seeded events as rows in COLUMNS order, oldest first (both backends load these).

    Times are naive UTC text (as Django stores them on SQLite; PostgreSQL reads them in UTC).
    """
    rng = random.Random(7)
    weights = [weight for _, weight, _ in EVENT_TYPES]
    start = datetime.now(UTC) - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / total
    typical_ids = set(rng.sample(range(1, total + 1), 30))
    data_update = json.dumps({"before": {"phone:mobile": "+13125550100"}, "after": {"phone:mobile": "+13125550199"}})
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
        yield (
            index,
            contact_id,
            None,
            event_type,
            compliance,
            DESCRIPTIONS[event_type],
            user,
            "" if user else "System",
            data_update if event_type == "update" else "{}",
            (start + step * index).strftime("%Y-%m-%d %H:%M:%S.%f"),
            f"{index - 1:064x}",
            f"{index:064x}",
        )


def progress(index: int, started: float) -> None:
    if index % 1_000_000 == 0:
        print(f"  {index:,} events ({time.perf_counter() - started:.0f} s)", flush=True)


def seed_sqlite(path: Path, *, total: int, **people) -> None:
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
    sql = f"INSERT INTO activity_activityevent ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    started = time.perf_counter()
    rows = event_rows(total=total, **people)
    while batch := list(islice(rows, 100_000)):
        db.executemany(sql, batch)
        progress(batch[-1][0], started)
    db.commit()
    print(f"inserted {total:,} events in {time.perf_counter() - started:.0f} s; building indexes…", flush=True)
    started = time.perf_counter()
    for _name, index_sql in indexes:
        db.execute(index_sql)
    db.execute("ANALYZE activity_activityevent")
    db.commit()
    db.close()
    print(f"indexes built in {time.perf_counter() - started:.0f} s", flush=True)


def backend_cpu(conn) -> float | None:
    """CPU seconds the PostgreSQL backend serving `conn` has used (None unless it runs on this host)."""
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed_postgresql(url: str, *, total: int, **people) -> None:
    """COPY the events in with the table's secondary indexes dropped, rebuild them, VACUUM ANALYZE.

    The table's triggers: a BEFORE UPDATE OR DELETE trigger keeps the log append-only (COPY
    only inserts), and the foreign key to auth_user checks each row at commit. The load runs
    with session_replication_role = replica, as pg_restore does, which skips both for this
    session only: the users the rows name were made above.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cpu = backend_cpu(conn)
        conn.execute("SET TIME ZONE 'UTC'")
        print(
            "triggers on activity_activityevent: "
            + ", ".join(
                name
                for (name,) in conn.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'activity_activityevent'::regclass ORDER BY 1"
                )
            ),
            flush=True,
        )
        indexes = conn.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'activity_activityevent'::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1"
        ).fetchall()
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            for name, _sql in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            with conn.cursor().copy(f"COPY activity_activityevent ({COLUMNS}) FROM STDIN") as copy:
                for row in event_rows(total=total, **people):
                    copy.write_row(row)
                    progress(row[0], started)
        print(f"copied {total:,} events in {time.perf_counter() - started:.0f} s; building indexes…", flush=True)
        started = time.perf_counter()
        for _name, index_sql in indexes:
            conn.execute(index_sql)
        # Ids were given: the identity sequence must continue after them.
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('activity_activityevent', 'id'),"
            " (SELECT max(id) FROM activity_activityevent))"
        )
        print(f"{len(indexes)} indexes built in {time.perf_counter() - started:.0f} s; VACUUM ANALYZE…", flush=True)
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE activity_activityevent")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
        if cpu is not None:
            print(f"server CPU for the load: {backend_cpu(conn) - cpu:.0f} s", flush=True)


def prepare_postgresql(url: str, source: str) -> bool:
    """Make NAME as a copy of `source` (empty without one); True when NAME is already seeded."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            with psycopg.connect(url) as db:
                if db.execute("SELECT to_regclass('bench_activity_meta')").fetchone()[0]:
                    return True
            sys.exit(f"{name} exists but holds no seeded events (no bench_activity_meta): drop it or name another")
        template = f' TEMPLATE "{source}"' if source else ""
        print(f"CREATE DATABASE {name}{template}…", flush=True)
        started = time.perf_counter()
        for attempt in range(60):
            try:
                conn.execute(f'CREATE DATABASE "{name}"{template}')
                break
            except psycopg.errors.ObjectInUse:  # someone is connected to the source: wait
                if attempt == 59:
                    raise
                time.sleep(10)
        print(f"created in {time.perf_counter() - started:.0f} s", flush=True)
    return False


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--source", default="/tmp/bench-1m.sqlite3")
    parser.add_argument("--keep", help="keep the seeded database at PATH (and reuse it if it exists)")
    parser.add_argument("--database-url", help="PostgreSQL: seed (or reuse) the database NAME in postgres://…/NAME")
    parser.add_argument(
        "--source-database", default="bench1m", help="with --database-url: the template database ('' for none)"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed-only", action="store_true", help="seed the --keep or --database-url database and stop")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kayse-bench-activity-")
    path = Path(args.keep) if args.keep else Path(folder) / "activity.sqlite3"
    if args.database_url:
        reuse = prepare_postgresql(args.database_url, args.source_database)
        url = args.database_url
    else:
        reuse = bool(args.keep) and path.exists()
        if not reuse and Path(args.source).exists():
            print(f"copying {args.source}…", flush=True)
            shutil.copyfile(args.source, path)
        url = f"sqlite:///{path}"
    os.environ.update({"DATABASE_URL": url, "KAYSE_VAR_DIR": folder, "DJANGO_SETTINGS_MODULE": "kayse.settings_test"})
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from contacts.models import Contact
    from contacts.tests.factories import UserFactory

    settings.SECURE_SSL_REDIRECT = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
    if not reuse:
        users = [UserFactory(username=f"bench{n}").pk for n in range(20)]
        contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:5])
        while len(contacts) < 5:
            contacts.append(Contact.objects.create(first_name="Bench", last_name=str(len(contacts))).pk)
        heavy, survivor, *merged = contacts[:5]
        merged = merged[:3]
        typical = Contact.objects.create(first_name="Typical", last_name="Contact").pk
        Contact.objects.filter(pk__in=merged).update(merged_into=survivor)
        connection.close()
        people = {"heavy": heavy, "survivor_family": merged, "typical": typical, "users": users}
        meta = {"heavy": heavy, "survivor": survivor, "typical": typical}
        started, cpu = time.perf_counter(), cpu_seconds()
        if args.database_url:
            seed_postgresql(url, total=args.events, **people)
            with connection.cursor() as cursor:  # written last: its presence says the load finished
                cursor.execute("CREATE TABLE bench_activity_meta (meta jsonb NOT NULL)")
                cursor.execute("INSERT INTO bench_activity_meta VALUES (%s)", [json.dumps(meta)])
            connection.close()
        else:
            seed_sqlite(path, total=args.events, **people)
            Path(f"{path}.meta.json").write_text(json.dumps(meta))
        print(
            f"seeded {args.events:,} events in {time.perf_counter() - started:.0f} s"
            f" (this process: {cpu_seconds() - cpu:.0f} CPU s)",
            flush=True,
        )
    if args.seed_only:
        print(f"seeded {url.rsplit('@', 1)[-1]}")
        return
    if args.database_url:
        with connection.cursor() as cursor:
            cursor.execute("SELECT meta FROM bench_activity_meta")
            meta = cursor.fetchone()[0]
            meta = json.loads(meta) if isinstance(meta, str) else meta
    else:
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
    bench3 = get_user_model().objects.get(username="bench3").pk
    scenarios = [
        ("first page, contact with 200,000 events", heavy, ""),
        ("first page, contact with 30 events", typical, ""),
        ("first page, survivor of 3 merges (60,000 merged events)", survivor, ""),
        ("event type = note", heavy, "event_type=note"),
        ("rare event type (export)", heavy, "event_type=export"),
        ("compliance only", heavy, "compliance=on"),
        ("user = bench3", heavy, f"user={bench3}"),
        ("user = system", heavy, "user=system"),
        ("date range, last 12 months", heavy, f"date_from={year_ago}"),
        ("date range, one week 900 days ago", heavy, f"date_from={old}&date_to={old + timedelta(days=6)}"),
        ("type + compliance + date range", heavy, f"event_type=dnc_check&compliance=on&date_from={year_ago}"),
        ("older page deep in the history (keyset)", heavy, f"before={deep_cursor}"),
        ("merged survivor, compliance only", survivor, "compliance=on"),
    ]
    where = f"PostgreSQL {settings.DATABASES['default']['NAME']}" if args.database_url else "SQLite"
    print(f"\n{total:,} events in the table ({where}); {args.runs} requests per line (after 3 warm-ups)")
    print(f"{'scenario':<58} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
    worst = 0.0
    started, cpu = time.perf_counter(), cpu_seconds()
    for label, contact_id, query in scenarios:
        url = f"/contacts/{contact_id}/activity/" + (f"?{query}" if query else "")
        timings = []
        for run in range(args.runs + 3):
            started_request = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started_request) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if run >= 3:
                timings.append(elapsed)
        rows = response.content.decode().count('<tr class="event')
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        worst = max(worst, p50)
        print(f"{label:<58} {p50:>8.1f} {p95:>8.1f} {rows:>5}", flush=True)
    requests = len(scenarios) * (args.runs + 3)
    print(
        f"\n{requests} requests in {time.perf_counter() - started:.1f} s wall,"
        f" {cpu_seconds() - cpu:.1f} CPU s in this process"
    )
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(f"/contacts/{heavy}/activity/")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(f"worst p50: {worst:.1f} ms (target < {TARGET_MS} ms) -> {'OK' if worst < TARGET_MS else 'TOO SLOW'}")
    if args.database_url:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        print(f"database: {size / 1e9:.1f} GB, {where}; load average {os.getloadavg()[0]:.1f}")
    else:
        print(f"database: {path.stat().st_size / 1e9:.1f} GB at {path}; load average {os.getloadavg()[0]:.1f}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
