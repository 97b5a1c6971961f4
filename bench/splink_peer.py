"""Splink 5 as the peer for the duplicate-detection engine: unsupervised, DuckDB in-process.

`splink_pairs(records)` takes records in the contact-field dict shape (bench/dupgen.py,
bench/datasets.py), builds the model the Splink docs' own FEBRL and deduplication examples build
(NameComparison, DateOfBirthComparison, ExactMatch with term frequencies, ...), trains it with no
labels (probability two random records match from deterministic rules, u by random sampling, m by
expectation maximisation) and returns the pairs it predicts.

    .venv/bin/python bench/splink_peer.py [febrl3 ...]   # precision, recall, F1 on the FEBRL sets

Bench only: needs the packages in bench/requirements.txt.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    # The project root, not bench/, first on the path (a bench script could shadow a package).
    sys.path[:1] = [str(Path(__file__).resolve().parent.parent)]

# The model, fixed before seeing any labels (the docs' examples use recall 0.6-0.9 and 1e6-1e7 pairs).
DETERMINISTIC_RECALL = 0.7
U_MAX_PAIRS = 5e6
U_SEED = 1


def _text(value) -> str | None:
    """A stripped string, or None when missing or blank (so blank never blocks or matches blank)."""
    text = "" if value is None else str(value).strip()
    return text or None


def _frame(records: list[dict]):
    import pandas as pd

    rows = []
    for record in records:
        dob = record.get("date_of_birth")
        phones = [p for p in (re.sub(r"\D", "", str(p)) for p in record.get("phones") or []) if p]
        emails = [e for e in (str(e).strip().lower() for e in record.get("emails") or []) if e]
        rows.append(
            {
                "unique_id": int(record["id"]),
                "first_name": _text(record.get("first_name")),
                "surname": _text(record.get("last_name")),
                "dob": dob.isoformat() if dob else None,
                "street": _text(record.get("address_line1")),
                "city": _text(record.get("city")),
                "postcode": _text(record.get("postal_code")),
                "state": _text(record.get("state")),
                "phone": phones[0] if phones else None,
                "email": emails[0] if emails else None,
            }
        )
    frame = pd.DataFrame(rows)
    empty = [column for column in frame.columns if column != "unique_id" and frame[column].isna().all()]
    return frame.drop(columns=empty).astype({c: "string" for c in frame.columns if c not in ["unique_id", *empty]})


def _model(columns: set[str]):
    """Comparisons, prediction blocking rules, deterministic rules and EM rules for the columns present."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = []
    if "first_name" in columns:
        comparisons.append(cl.NameComparison("first_name").configure(term_frequency_adjustments=True))
    if "surname" in columns:
        comparisons.append(cl.NameComparison("surname").configure(term_frequency_adjustments=True))
    if "dob" in columns:
        comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=True))
    if "street" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("street"))
    if "city" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("city"))
    if "postcode" in columns:
        # Not PostcodeComparison: its sector/district/area levels are UK-format only (the docs' FEBRL
        # example uses ExactMatch with term frequencies for Australian postcodes).
        comparisons.append(cl.ExactMatch("postcode").configure(term_frequency_adjustments=True))
    if "state" in columns:
        comparisons.append(cl.ExactMatch("state"))
    if "phone" in columns:
        comparisons.append(cl.ExactMatch("phone"))
    if "email" in columns:
        comparisons.append(cl.EmailComparison("email"))

    keys = [c for c in ("first_name", "surname", "dob", "postcode", "phone", "email") if c in columns]
    blocking = [block_on(column) for column in keys]

    names = [c for c in ("first_name", "surname") if c in columns]
    deterministic = [block_on(*names, other) for other in ("dob", "email", "phone") if other in columns and names]
    if not deterministic:
        deterministic = [block_on(*names, "postcode") if names and "postcode" in columns else block_on(keys[0])]

    em = ([block_on(*names)] if names else []) + [block_on(c) for c in ("dob", "postcode") if c in columns]
    return comparisons, blocking, deterministic, em


def splink_pairs(records: list[dict], *, threshold: float = 0.5) -> tuple[set[tuple[int, int]], dict]:
    """Pairs (low id, high id) Splink predicts with match_probability >= threshold, and info:
    {"seconds": wall time of training + prediction, "compared": number of pairs its blocking rules compared,
    "candidate_pairs": those compared pairs as (low id, high id)}

    "compared" is the size of Splink's own predict() output with no threshold (every pair its
    prediction blocking rules generate, once each), the same count
    splink.blocking_analysis.count_comparisons_from_blocking_rules gives with record_sample_proportion=1.
    "seconds" covers loading the frame into DuckDB, training and predict(), not building the frame."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    frame = _frame(records)
    comparisons, blocking, deterministic, em = _model(set(frame.columns))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )

    splink_logger = logging.getLogger("splink")
    saved_level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    started = time.perf_counter()
    db_api = DuckDBAPI()
    try:
        db_api.duckdb_con.execute("SET enable_progress_bar = false")
        linker = Linker(db_api.register(frame), settings, log_level=None)
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=DETERMINISTIC_RECALL)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=U_SEED)
        for rule in em:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        predictions = linker.inference.predict(threshold_match_probability=None, warning_mode="never")
        rows = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
        seconds = time.perf_counter() - started
    finally:
        db_api.duckdb_con.close()
        splink_logger.setLevel(saved_level)

    candidates = {(min(a, b), max(a, b)) for a, b, _ in rows}
    found = {(min(a, b), max(a, b)) for a, b, p in rows if p is not None and p >= threshold}
    return found, {"seconds": seconds, "compared": len(rows), "candidate_pairs": candidates}


def _main(names: list[str]) -> None:
    from bench import datasets

    print(f"Splink {_version()} (DuckDB, unsupervised), match_probability >= 0.5")
    header = f"{'set':8} {'records':>8} {'true':>7} {'found':>7} {'prec':>6} {'recall':>6} {'F1':>6} {'PC':>6}"
    print(f"{header} {'compared':>9} {'seconds':>8}")
    for name in names:
        records = datasets.load(name)
        truth = datasets.true_pairs(records)
        found, info = splink_pairs(records)
        hits = len(found & truth)
        precision = hits / len(found) if found else 0.0
        recall = hits / len(truth) if truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        completeness = len(info["candidate_pairs"] & truth) / len(truth) if truth else 0.0
        print(
            f"{name:8} {len(records):>8,} {len(truth):>7,} {len(found):>7,} {precision:>6.3f} {recall:>6.3f} "
            f"{f1:>6.3f} {completeness:>6.3f} {info['compared']:>9,} {info['seconds']:>8.2f}"
        )


def _version() -> str:
    import splink

    return splink.__version__


if __name__ == "__main__":
    from bench.datasets import NAMES

    _main(sys.argv[1:] or list(NAMES))
