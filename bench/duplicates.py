"""Duplicate detection: quality on a labelled set, and speed at a million contacts.

    .venv/bin/python bench/duplicates.py [--people 5000] [--seed 1] [--db /tmp/bench-1m.sqlite3] [--checks 200]

Quality: bench/dupgen.py makes clean people, realistic duplicates and hard look-alikes; the
engine's pairs at the default threshold are scored against the labels (precision, recall, F1).
Scale (with --db, a seeded SQLite database opened read-only; `bench/seed.py --keep` builds one):
a full scan of every live contact (time, pairs, peak memory) and one contact checked against
the whole table (median, 95th percentile and worst time over --checks contacts).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, not bench/, first on the path (a bench script could shadow a package).
sys.path[:1] = [str(ROOT)]


def setup_django(db: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")
    os.environ.setdefault("DUPLICATE_AUTO_REFRESH", "false")
    if db:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    if db:
        from django.db import connection

        # Read-only: the benchmark never writes to the shared database.
        connection.settings_dict["OPTIONS"] = {"init_command": "PRAGMA query_only=ON; PRAGMA cache_size=-262144;"}


def quality(people: int, seed: int) -> None:
    from bench.dupgen import evaluate, generate
    from contacts.duplicates import ScanStats, default_min_score, pairs_in_profiles, profile_from_values

    dataset = generate(people=people, seed=seed)
    started = time.perf_counter()
    profiles = {record["id"]: profile_from_values(record) for record in dataset.records}
    stats = ScanStats()
    found = {(pair.contact_a, pair.contact_b) for pair in pairs_in_profiles(profiles, stats=stats)}
    elapsed = time.perf_counter() - started
    result = evaluate(dataset, found)
    print(f"quality (dupgen, {people:,} people, seed {seed}, threshold {default_min_score()}):")
    print(f"  records {result['records']:,}, true pairs {result['true_pairs']:,}, found {result['found']:,}")
    print(f"  precision {result['precision']:.4f}  recall {result['recall']:.4f}  F1 {result['f1']:.4f}")
    print(f"  time {elapsed:.2f} s ({stats.compared:,} pairs compared)")


def scale(checks: int, seed: int) -> None:
    from contacts.duplicates import ScanStats, check_contact, find_candidate_pairs
    from contacts.models import Contact

    stats = ScanStats()
    started = time.perf_counter()
    pairs = 0
    for _pair in find_candidate_pairs(stats=stats):
        pairs += 1
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"full scan: {stats.contacts:,} contacts, {pairs:,} pairs ({stats.compared:,} compared) in {elapsed:.1f} s")
    print(
        f"  load {stats.seconds.get('load', 0):.1f} s; peak memory {peak_mb:,.0f} MB; "
        f"skipped blocks {stats.skipped_blocks}"
    )

    rnd = random.Random(seed)
    max_id = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    ids = [rnd.randint(1, max_id) for _ in range(checks)]
    contacts = [c for c in (Contact.objects.filter(pk=pk).first() for pk in ids) if c is not None]
    check_contact(contacts[0])  # warm-up
    times = []
    found = 0
    for contact in contacts:
        started = time.perf_counter()
        found += len(check_contact(contact))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"one contact vs all: {len(times)} checks, median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({found} matches)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="a seeded SQLite database for the scale figures (opened read-only)")
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    setup_django(args.db)
    if not args.skip_quality:
        quality(args.people, args.seed)
    if args.db:
        scale(args.checks, args.seed)


if __name__ == "__main__":
    main()
