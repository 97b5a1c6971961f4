"""Print Locust's CSV statistics as the README's table: requests, failures and p95 per page type.

    python bench/load/report.py load_stats.csv [--failures load_failures.csv] [--access-log access.log]
                                               [--users N] [--seconds S]

Locust's times are what a user waited: with every gunicorn worker busy, that includes the time
the request queued for one. With --access-log (deploy/gunicorn.conf.py's format, which ends with
the worker's own time in ms) the table adds the server's p95 per page type.
"""

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

# Paths to the page-type names bench/load/locustfile.py gives its requests.
PAGE_TYPES = [
    (r"^/login/", "sign-in"),
    (r"^/contacts/\?(.*&)?q=", "search (name prefix)"),
    (r"^/contacts/\?(.*&)?page=", "list deep page"),
    (r"^/contacts/(\?|$)", "list ?login_source"),
    (r"^/contacts/\d+/$", "profile"),
    (r"^/contacts/\d+/(tasks|activity|notes|documents)/$", "profile tab: {1}"),
    (r"^/contacts/\d+/documents/download-all/$", "Download All (ask)"),
    (r"^/contacts/\d+/documents/bundles/\d+/download/$", "Download All (zip)"),
    (r"^/contacts/\d+/documents/bundles/\d+/", "Download All (status)"),
    (r"^/cases/\d+/share/\d+/$", "share link (dialog)"),
    (r"^/settings/import/$", "import: upload page"),
    (r"^/settings/import/\d+/map/$", "import: map columns"),
    (r"^/settings/import/\d+/(status|preview|run|result)/$", "import: {1}"),
    (r"^/p/[^/]+/$", "portal: link page"),
    (r"^/portal/$", "portal: home"),
    (r"^/portal/(\w+)/$", "portal: {1}"),
]
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) .* (?P<ms>\d+)ms$')
# Requests of the same path whose names differ by method in the locustfile.
POST_NAMES = {
    "sign-in": "sign-in",
    "share link (dialog)": "share link (send)",
    "import: upload page": "import: upload",
    "portal: link page": "portal: open (POST)",
}


def page_type(method: str, path: str) -> str | None:
    for pattern, name in PAGE_TYPES:
        match = re.match(pattern, path)
        if match:
            name = name.replace("{1}", (match.group(1) if match.re.groups else "") or "")
            return f"{method} {POST_NAMES.get(name, name) if method == 'POST' else name}"
    return None


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def server_times(access_log: Path) -> dict[str, list[int]]:
    times = defaultdict(list)
    with access_log.open(errors="replace") as handle:
        for line in handle:
            match = ACCESS_LINE.search(line.rstrip())
            if match:
                name = page_type(match["method"], match["path"])
                if name:
                    times[name].append(int(match["ms"]))
                times["**all**"].append(int(match["ms"]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stats")
    parser.add_argument("--failures")
    parser.add_argument("--access-log")
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
    server = server_times(Path(args.access_log)) if args.access_log and Path(args.access_log).exists() else {}
    if total:
        print(
            f"\n{args.users or '?'} users, {args.seconds or '?'} s: {int(total['Request Count']):,} requests, "
            f"{int(total['Failure Count'])} failures, {float(total['Requests/s']):.1f} requests/s\n"
        )
    extra = " server p50 ms | server p95 ms |" if server else ""
    print("| page type | requests | failures | p50 ms | p95 ms | max ms |" + extra)
    print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if server else ""))
    for row in [*pages, *([total] if total else [])]:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        line = (
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count'])} | {row['50%']} | "
            f"{row['95%']} | {float(row['Max Response Time']):.0f} |"
        )
        if server:
            times = server.get(name)
            line += f" {percentile(times, 0.5)} | {percentile(times, 0.95)} |" if times else " | |"
        print(line)
    if args.failures and Path(args.failures).exists():
        with Path(args.failures).open() as handle:
            failures = list(csv.DictReader(handle))
        for failure in failures:
            print(f"FAILED {failure['Method']} {failure['Name']} x{failure['Occurrences']}: {failure['Error']}")


if __name__ == "__main__":
    main()
