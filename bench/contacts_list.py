"""Server time of the contacts list at a million contacts, per filter.

    .venv/bin/python bench/contacts_list.py [--db /tmp/bench-1m.sqlite3 | --database-url postgres://…] [--runs 30]

Reuses the database bench/seed.py left at --db (seeding it first when it is missing),
runs `migrate` on it (the only write; a no-op when it is up to date), then opens it READ-ONLY and times
the full Django request (middleware, filters, queries, template) for each Login Source
option, name/phone searches, a deep page and other filters. Prints p50/p95 in ms, the
queries per request, the ratio to a bare indexed `SELECT … ORDER BY sort_name LIMIT 25`
on the same table, and the p50 of the htmx request a filter click sends (results only).

With --database-url the same runs against a PostgreSQL database seeded by `seed_demo` (after
`migrate`, which makes the search index and the planner statistics when they are missing), in
read-only transactions.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: its scripts could shadow packages

CASES = [
    ("login_source=all", {}),
    ("login_source=web", {"login_source": "web"}),
    ("login_source=mobile", {"login_source": "mobile"}),
    ("login_source=web_mobile", {"login_source": "web_mobile"}),
    ("login_source=not_installed", {"login_source": "not_installed"}),
    ("q=maria garcia (name, any order)", {"q": "garcia maria"}),
    ("q=garc (common prefix)", {"q": "garc"}),
    ("q=Søren Kowalski (rare, accents)", {"q": "Søren Kowalski"}),
    ("q=zzyzx (no match)", {"q": "zzyzx"}),
    ("q=web + name", {"q": "nguyen", "login_source": "web"}),
    ("q=phone (national format)", {"q": "PHONE"}),
    ("q=external id", {"q": "LEG-0500000"}),
    ("page=400 (deepest page)", {"page": "400"}),
    ("mobile, page=200", {"login_source": "mobile", "page": "200"}),
    ("sort=-last_activity, mobile", {"sort": "-last_activity", "login_source": "mobile"}),
    ("practice_area=employment", {"practice_area": "employment"}),
    ("do_not_contact=call", {"do_not_contact": "call"}),
    ("callable_now (calling window)", {"callable_now": "on"}),
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(client, params, runs, headers):
    """Server time of GET /contacts/ in ms for each run (after one warm-up), its queries and last response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for run in range(runs + 1):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/contacts/", params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (params, response.status_code)
        if run:  # the first run warms the page cache and the template loader
            timings.append(elapsed)
    return timings, len(queries), response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench-1m.sqlite3")
    parser.add_argument("--database-url", help="a seeded PostgreSQL database instead of --db")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", metavar="PATH", help="also write every figure here as JSON")
    args = parser.parse_args()
    db = Path(args.db)
    if args.database_url:
        env = {**os.environ, "DATABASE_URL": args.database_url}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        os.environ["DATABASE_URL"] = args.database_url
    else:
        if not db.exists():
            subprocess.run([sys.executable, "bench/seed.py", "--keep", str(db)], cwd=ROOT, check=True)
        # The only write: tables and indexes of migrations newer than the seeded database.
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if args.database_url:
        database["OPTIONS"]["options"] += " -c default_transaction_read_only=on"
    else:
        database["NAME"] = f"file:{db}?mode=ro"
        database["OPTIONS"] = {"uri": True, "init_command": "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db import connection
    from django.test import Client

    from contacts import services

    # The benchmark never writes: no last-login stamp, no remembered sort.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.disconnect(dispatch_uid="security.signed_in")  # no security-log entry either
    services.list_preference_save = lambda **kwargs: None
    client = Client()
    client.force_login(get_user_model().objects.get(username="paralegal"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM contacts_contact")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT number FROM contacts_contactphone ORDER BY id LIMIT 1 OFFSET %s", [total // 2])
        number = cursor.fetchone()[0]
    national = f"({number[2:5]}) {number[5:8]}-{number[8:]}"  # +1AAAEEENNNN typed as (AAA) EEE-NNNN
    where = f"PostgreSQL {settings.DATABASES['default']['NAME']}" if args.database_url else str(db)
    print(f"{total:,} contacts in {where} (read-only), {args.runs} runs each\n")

    def bare():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM contacts_contact ORDER BY sort_name, id LIMIT 25")
            cursor.fetchall()

    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        bare()
        timings.append((time.perf_counter() - started) * 1000)
    bare_p50 = statistics.median(timings)
    print(f"bare indexed LIMIT 25: p50 {bare_p50:.2f} ms, p95 {percentile(timings, 0.95):.2f} ms\n")
    print(f"{'request':38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>5} {'× bare':>7} {'htmx p50':>9}")
    worst = worst_p95 = 0.0
    figures = {"contacts": total, "bare_p50_ms": bare_p50, "requests": {}}
    for name, params in CASES:
        params = {key: national if value == "PHONE" else value for key, value in params.items()}
        full, queries, response = measure(client, params, args.runs, {})
        partial, _, _ = measure(client, params, args.runs, {"HX-Request": "true"})
        rows = response.content.count(b"data-contact-id=")
        p50 = statistics.median(full)
        worst, worst_p95 = max(worst, p50), max(worst_p95, percentile(full, 0.95))
        figures["requests"][name] = {"p50_ms": p50, "p95_ms": percentile(full, 0.95), "queries": queries, "rows": rows}
        print(
            f"{name:38} {p50:8.1f} {percentile(full, 0.95):8.1f} {queries:8d} {rows:5d} {p50 / bare_p50:7.0f}"
            f" {statistics.median(partial):9.1f}"
        )
    verdict = "OK" if worst < 50 and worst_p95 < 150 else "TOO SLOW"
    print(f"\nslowest p50: {worst:.1f} ms, slowest p95: {worst_p95:.1f} ms (targets: 50 and 150 ms) -> {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
