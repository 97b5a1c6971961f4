"""Print Locust's CSV statistics as the README's table: requests, failures and p95 per page type.

python bench/load/report.py load_stats.csv [--failures load_failures.csv] [--users N] [--seconds S]
"""

import argparse
import csv
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stats")
    parser.add_argument("--failures")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()

    path = Path(args.stats)
    if not path.exists():
        print(f"report: no statistics at {path} (Locust did not run to the end)")
        return
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    total = next((row for row in rows if row["Name"] == "Aggregated"), None)
    pages = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda row: row["Name"])
    if total:
        print(
            f"\n{args.users or '?'} users, {args.seconds or '?'} s: {int(total['Request Count']):,} requests, "
            f"{int(total['Failure Count'])} failures, {float(total['Requests/s']):.1f} requests/s\n"
        )
    print("| page type | requests | failures | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in [*pages, *([total] if total else [])]:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count'])} | {row['50%']} | "
            f"{row['95%']} | {float(row['Max Response Time']):.0f} |"
        )
    if args.failures and Path(args.failures).exists():
        with Path(args.failures).open() as handle:
            failures = list(csv.DictReader(handle))
        for failure in failures:
            print(f"FAILED {failure['Method']} {failure['Name']} x{failure['Occurrences']}: {failure['Error']}")


if __name__ == "__main__":
    main()
