"""A labelled set of contacts for measuring duplicate detection (bench/duplicates.py, tests).

`generate(people=N, seed=S)` makes N clean people, then:
- realistic duplicates of some of them (one to three changes each): typos, transposed
  letters, nicknames (Bob/Robert, Liz/Elizabeth), swapped first/last names, missing fields,
  the phone typed in another format, the email in capitals with spaces, a moved address,
  names in capitals or without accents, a second phone;
- hard non-duplicates: family members sharing the home phone, the address and sometimes the
  email (and twins sharing the date of birth), a Junior with his father's name, phone and
  address, and unrelated people with the most common names.

Every record is a dict of contact fields (the keys `contacts.duplicates.profile_from_values`
reads) plus `id` and `entity`: two records are duplicates exactly when their `entity` is
equal. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from faker import Faker
from unidecode import unidecode

from contacts.nicknames import NICKNAMES

AREA_CODES = ["212", "305", "312", "404", "415", "469", "512", "602", "646", "713", "773", "818"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com"]
COMMON_NAMES = [
    ("John", "Smith"),
    ("Maria", "Garcia"),
    ("Michael", "Johnson"),
    ("James", "Williams"),
    ("Mary", "Brown"),
    ("David", "Jones"),
    ("José", "Rodríguez"),
    ("Jennifer", "Miller"),
]
FORMAL_NAMES = [name.title() for name in NICKNAMES if len(NICKNAMES[name]) > 0]


@dataclass
class Dataset:
    records: list[dict] = field(default_factory=list)

    @property
    def true_pairs(self) -> set[tuple[int, int]]:
        from bench.datasets import true_pairs

        return true_pairs(self.records)


class _Generator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.faker = Faker(["en_US", "es_MX"])
        self.faker.seed_instance(seed)
        self.us = self.faker["en_US"]
        self.phone_serial = 1000
        self.next_id = 1
        self.next_entity = 1
        self.dataset = Dataset()

    # People -------------------------------------------------------------------------
    def phone(self) -> str:
        self.phone_serial += 1
        area = self.random.choice(AREA_CODES)
        exchange = 200 + self.random.randrange(700)
        if exchange % 100 == 11:
            exchange += 1
        return f"+1{area}{exchange}{self.phone_serial % 10000:04d}"

    def address(self) -> tuple[str, str]:
        return self.us.street_address(), self.us.postcode()

    def email(self, first: str, last: str) -> str:
        local = unidecode(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
        return f"{local}{self.random.randint(1, 999)}@{self.random.choice(DOMAINS)}"

    def dob(self) -> datetime.date:
        return datetime.date(1940, 1, 1) + datetime.timedelta(days=self.random.randint(0, 365 * 65))

    def add(self, values: dict, entity: int, kind: str) -> dict:
        record = {**values, "id": self.next_id, "entity": entity, "kind": kind}
        self.next_id += 1
        self.dataset.records.append(record)
        return record

    def new_entity(self) -> int:
        self.next_entity += 1
        return self.next_entity

    def person(self, first: str | None = None, last: str | None = None) -> dict:
        rnd = self.random
        spanish = rnd.random() < 0.25
        locale = self.faker["es_MX"] if spanish else self.us
        if first is None:
            first = rnd.choice(FORMAL_NAMES) if rnd.random() < 0.3 else locale.first_name()
        if last is None:
            last = locale.last_name()
        line1, postcode = self.address()
        return {
            "first_name": first,
            "last_name": last,
            "date_of_birth": self.dob() if rnd.random() < 0.92 else None,
            "address_line1": line1,
            "postal_code": postcode,
            "phones": [self.phone()],
            "emails": [self.email(first, last)] if rnd.random() < 0.85 else [],
        }

    # Changes that make a duplicate ------------------------------------------------------
    def typo(self, text: str) -> str:
        rnd = self.random
        if len(text) < 4:
            return text
        i = rnd.randint(1, len(text) - 2)
        operation = rnd.choice(["replace", "delete", "insert", "double"])
        letter = rnd.choice("aeioulnrst")
        if operation == "replace":
            return text[:i] + letter + text[i + 1 :]
        if operation == "delete":
            return text[:i] + text[i + 1 :]
        if operation == "insert":
            return text[:i] + letter + text[i:]
        return text[:i] + text[i] + text[i:]

    def transpose(self, text: str) -> str:
        if len(text) < 4:
            return text
        i = self.random.randint(1, len(text) - 3)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def reformat_phone(self, e164: str) -> str:
        digits = e164[2:]
        style = self.random.choice(["paren", "dots", "plain", "intl", "dashes"])
        return {
            "paren": f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            "dots": f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
            "plain": digits,
            "intl": f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
            "dashes": f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}",
        }[style]

    def duplicate(self, original: dict) -> tuple[dict, list[str]]:
        rnd = self.random
        for _attempt in range(20):
            twin = {**original, "phones": list(original["phones"]), "emails": list(original["emails"])}
            changes = rnd.sample(
                [
                    "typo",
                    "transpose",
                    "nickname",
                    "swap",
                    "missing",
                    "phone_format",
                    "email_format",
                    "moved",
                    "case_accents",
                    "second_phone",
                ],
                k=rnd.choice([1, 2, 2, 3]),
            )
            for change in changes:
                if change == "typo":
                    key = rnd.choice(["first_name", "last_name"])
                    twin[key] = self.typo(twin[key])
                elif change == "transpose":
                    key = rnd.choice(["first_name", "last_name"])
                    twin[key] = self.transpose(twin[key])
                elif change == "nickname":
                    formal = unidecode(twin["first_name"]).lower()
                    if NICKNAMES.get(formal):
                        twin["first_name"] = rnd.choice(NICKNAMES[formal]).title()
                    else:
                        twin["first_name"] = twin["first_name"][0] + "."
                elif change == "swap":
                    twin["first_name"], twin["last_name"] = twin["last_name"], twin["first_name"]
                elif change == "missing":
                    key = rnd.choice(["date_of_birth", "address_line1", "emails", "phones"])
                    twin[key] = [] if key in ("emails", "phones") else None
                elif change == "phone_format":
                    twin["phones"] = [self.reformat_phone(p) for p in twin["phones"]]
                elif change == "email_format":
                    twin["emails"] = [f"  {e.upper()} " for e in twin["emails"]]
                elif change == "moved":
                    twin["address_line1"], twin["postal_code"] = self.address()
                elif change == "case_accents":
                    twin["first_name"] = unidecode(twin["first_name"]).upper()
                    twin["last_name"] = unidecode(twin["last_name"]).lower()
                elif change == "second_phone":
                    twin["phones"] = twin["phones"] + [self.phone()]
            if self.still_identifiable(original, twin):
                return twin, changes
        return {**original}, ["copy"]

    @staticmethod
    def still_identifiable(original: dict, twin: dict) -> bool:
        """A person a careful clerk would still recognise: a shared phone or email, or the
        date of birth with the name or the address."""
        shared_contact = (
            bool(twin["phones"]) and bool(original["phones"]) or bool(twin["emails"] and original["emails"])
        )
        has_dob = twin["date_of_birth"] is not None and original["date_of_birth"] is not None
        return shared_contact or has_dob

    # Hard non-duplicates -----------------------------------------------------------------
    def family_member(self, original: dict, *, twin: bool = False) -> dict:
        rnd = self.random
        first = self.person()["first_name"]
        while unidecode(first).lower()[:3] == unidecode(original["first_name"]).lower()[:3]:
            first = self.person()["first_name"]
        member = {
            **original,
            "first_name": first,
            "date_of_birth": original["date_of_birth"] if twin else self.dob(),
            "phones": list(original["phones"][:1]),
            "emails": list(original["emails"]) if rnd.random() < 0.15 else [self.email(first, original["last_name"])],
        }
        return member

    def junior(self, original: dict) -> dict:
        dob = original["date_of_birth"] or self.dob()
        return {
            **original,
            "date_of_birth": dob + datetime.timedelta(days=365 * self.random.randint(20, 35)),
            "emails": [self.email(original["first_name"], original["last_name"])],
        }


def generate(
    *,
    people: int = 1000,
    seed: int = 1,
    duplicate_rate: float = 0.3,
    family_rate: float = 0.12,
    junior_rate: float = 0.02,
    common_name_rate: float = 0.06,
) -> Dataset:
    """`people` clean people plus their duplicates and look-alikes, shuffled."""
    generator = _Generator(seed)
    rnd = generator.random
    for _ in range(people):
        entity = generator.new_entity()
        if rnd.random() < common_name_rate:
            first, last = rnd.choice(COMMON_NAMES)
            original = generator.person(first, last)
            original["date_of_birth"] = generator.dob()
            kind = "common_name"
        else:
            original = generator.person()
            kind = "original"
        generator.add(original, entity, kind)
        if rnd.random() < duplicate_rate:
            copies = 1 if rnd.random() < 0.85 else 2
            for _copy in range(copies):
                twin, changes = generator.duplicate(original)
                generator.add(twin, entity, "duplicate:" + "+".join(changes))
        if rnd.random() < family_rate:
            is_twin = rnd.random() < 0.2 and original["date_of_birth"] is not None
            member = generator.family_member(original, twin=is_twin)
            generator.add(member, generator.new_entity(), "twin" if is_twin else "family")
        if rnd.random() < junior_rate and original["date_of_birth"] is not None:
            generator.add(generator.junior(original), generator.new_entity(), "junior")
    records = generator.dataset.records
    order = list(range(len(records)))
    rnd.shuffle(order)
    # Ids in shuffled order, so a duplicate is not always the next id.
    shuffled = [records[i] for i in order]
    for new_id, record in enumerate(shuffled, start=1):
        record["id"] = new_id
    generator.dataset.records = shuffled
    return generator.dataset


def evaluate(dataset: Dataset, found: set[tuple[int, int]]) -> dict:
    """Precision, recall and F1 of found pairs (low id first) against the labels."""
    truth = dataset.true_pairs
    true_positive = len(found & truth)
    precision = true_positive / len(found) if found else 1.0
    recall = true_positive / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": len(dataset.records),
        "true_pairs": len(truth),
        "found": len(found),
        "true_positive": true_positive,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }
