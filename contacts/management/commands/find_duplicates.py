import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from contacts.duplicates import RULES, ScanStats, default_min_score, find_candidate_pairs
from kayse.spreadsheet import neutralize

CSV_COLUMNS = ["contact_a", "contact_b", "external_id_a", "external_id_b", "score", "reasons"]


class Command(BaseCommand):
    help = "List every pair of live contacts that may be the same person, each pair once, best first."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument(
            "--min-score", type=int, default=None, help=f"0-100 (default {default_min_score()}, the firm's threshold)."
        )
        parser.add_argument(
            "--rules",
            default=None,
            help="Comma-separated rules to use (default: the firm's): " + ", ".join(RULES),
        )

    def handle(self, *args, format: str, min_score: int | None, rules: str | None, **options):
        if min_score is not None and not 0 <= min_score <= 100:
            raise CommandError("--min-score must be between 0 and 100.")
        rule_list = None
        if rules:
            rule_list = [rule.strip() for rule in rules.split(",") if rule.strip()]
            unknown = set(rule_list) - set(RULES)
            if unknown:
                raise CommandError(f"Unknown rule(s): {', '.join(sorted(unknown))}. Use: {', '.join(RULES)}.")
        stats = ScanStats()
        pairs = sorted(
            find_candidate_pairs(min_score=min_score, rules=rule_list, stats=stats),
            key=lambda pair: (-pair.score, pair.contact_a, pair.contact_b),
        )
        if format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for pair in pairs:
                # Text from imported data is neutralized as the export does: a spreadsheet
                # must not run an external id such as =HYPERLINK(...) as a formula.
                writer.writerow(
                    [
                        pair.contact_a,
                        pair.contact_b,
                        neutralize(pair.external_id_a or ""),
                        neutralize(pair.external_id_b or ""),
                        pair.score,
                        neutralize("; ".join(pair.reasons)),
                    ]
                )
        else:
            self.stdout.write(f"{'contact_a':>10} {'contact_b':>10} {'score':>5}  reasons")
            for pair in pairs:
                self.stdout.write(
                    f"{pair.contact_a:>10} {pair.contact_b:>10} {pair.score:>5}  {', '.join(pair.reasons)}"
                )
        sys.stderr.write(
            f"{len(pairs):,} pairs among {stats.contacts:,} contacts ({stats.compared:,} compared) "
            f"in {stats.seconds.get('total', 0):.1f} s\n"
        )
