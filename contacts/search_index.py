"""The full-text index behind name search: fast prefix search on every word of a name.

`Contact.search_name` holds the folded name words. The index is kept by the database
itself (SQLite: an FTS5 table fed by triggers; PostgreSQL: a GIN index on its tsvector),
so every way rows are written (forms, bulk import, the demo seeder's raw inserts) stays
searchable. It is (re)created after every `migrate`, because SQLite drops a table's
triggers when a migration rebuilds the table.

SQLite's FTS5 writes its pending words to disk at the end of every statement that feeds it,
so a trigger firing once per inserted row makes one index segment per row: most of the cost
of a bulk insert. A bulk writer wraps its inserts in `deferred_search_index`, which pauses
the insert trigger inside the writer's own transaction and indexes the new rows in one
statement at the end (other connections never see the pause: it is never committed).
"""

import json
import re
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.expressions import RawSQL

from contacts.name_words import ensure_name_words

FTS_TABLE = "contact_search"
DEFERRED_TABLE = "contact_search_deferred"
_TOKEN = re.compile(r"[a-z0-9]+")
# Prefixes this short can match a large share of all names ("ma": a fifth of them).
COMMON_PREFIX_LENGTH = 3

_SQLITE_TRIGGERS = {
    "contact_search_ai": """
        CREATE TRIGGER contact_search_ai AFTER INSERT ON contacts_contact
        WHEN NOT EXISTS (SELECT 1 FROM contact_search_deferred) BEGIN
          INSERT INTO contact_search(rowid, search_name) VALUES (new.id, new.search_name);
        END""",
    "contact_search_ad": """
        CREATE TRIGGER contact_search_ad AFTER DELETE ON contacts_contact BEGIN
          INSERT INTO contact_search(contact_search, rowid, search_name) VALUES ('delete', old.id, old.search_name);
        END""",
    "contact_search_au": """
        CREATE TRIGGER contact_search_au AFTER UPDATE OF search_name ON contacts_contact BEGIN
          INSERT INTO contact_search(contact_search, rowid, search_name) VALUES ('delete', old.id, old.search_name);
          INSERT INTO contact_search(rowid, search_name) VALUES (new.id, new.search_name);
        END""",
}


def ensure_search_index(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create the index and its triggers when missing; rebuild the index when they were missing."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            existing = {row[0] for row in cursor.fetchall()}
            if "contacts_contact" not in existing:
                return
            if DEFERRED_TABLE not in existing:
                cursor.execute(f"CREATE TABLE {DEFERRED_TABLE} (writer INTEGER NOT NULL)")
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'contact_search_ai'")
            found = cursor.fetchone()
            if found and DEFERRED_TABLE not in found[0]:  # made by an earlier version: replaced
                cursor.execute("DROP TRIGGER contact_search_ai")
                cursor.execute(_SQLITE_TRIGGERS["contact_search_ai"])
            missing = [name for name in _SQLITE_TRIGGERS if name not in existing]
            if FTS_TABLE not in existing:
                cursor.execute(
                    "CREATE VIRTUAL TABLE contact_search USING fts5(search_name, content='contacts_contact', "
                    "content_rowid='id', tokenize='ascii', prefix='2 3')"
                )
                missing = list(_SQLITE_TRIGGERS)
            for name in missing:
                cursor.execute(_SQLITE_TRIGGERS[name])
            if missing:
                cursor.execute("INSERT INTO contact_search(contact_search) VALUES ('rebuild')")
        elif conn.vendor == "postgresql":
            cursor.execute("SELECT to_regclass('contact_search_name_tsv') IS NULL")
            if cursor.fetchone()[0]:
                cursor.execute(
                    "CREATE INDEX contact_search_name_tsv ON contacts_contact "
                    "USING gin (to_tsvector('simple', search_name))"
                )
            _ensure_live_statistics(cursor)
            ensure_name_words(cursor, in_transaction=conn.in_atomic_block)


def _ensure_live_statistics(cursor) -> None:
    """Statistics on `COALESCE(merged_into_id, 0)`, the list's live-contact test (selectors.live_contacts).

    Without them PostgreSQL guesses that 0.5% of rows pass it, when nearly all do: it then chose
    plans for a few hundred rows (a sequential scan probing the name index row by row for a
    search, a bitmap scan and an on-disk sort of every Mobile contact for page 200) that took
    0.2 to 1.8 s at 200,000 contacts (docs/decisions.md)."""
    cursor.execute("SELECT 1 FROM pg_statistic_ext WHERE stxname = 'contact_live_stats'")
    if cursor.fetchone():
        return
    cursor.execute("CREATE STATISTICS contact_live_stats ON (COALESCE(merged_into_id, 0)) FROM contacts_contact")
    cursor.execute("ANALYZE contacts_contact")


@contextmanager
def deferred_search_index(new_ids: list[int]):
    """Index the contacts inserted inside the block (their ids are `new_ids`) in one statement
    at its end, instead of row by row. Use it inside the transaction that inserts them."""
    if connection.vendor != "sqlite" or not new_ids:
        yield
        return
    if not connection.in_atomic_block:  # the pause must never be committed
        raise RuntimeError("deferred_search_index needs the inserting transaction around it")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {DEFERRED_TABLE} (writer) VALUES (1)")  # noqa: S608 - a constant
        yield
        cursor.execute(f"DELETE FROM {DEFERRED_TABLE}")  # noqa: S608 - a constant
        cursor.execute(
            "INSERT INTO contact_search(rowid, search_name) SELECT id, search_name FROM contacts_contact "
            "WHERE id IN (SELECT value FROM json_each(%s))",
            [json.dumps(new_ids)],
        )


def name_tokens(folded_text: str) -> list[str]:
    """The words of a folded search text, as the index splits them."""
    return _TOKEN.findall(folded_text)


class _NameMatches(Func):
    """`to_tsvector('simple', search_name) @@ to_tsquery('simple', query)`: the GIN index's expression."""

    template = "to_tsvector('simple', %(expressions)s)"
    arg_joiner = ") @@ to_tsquery('simple', "
    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(F("search_name"), Value(query))


def name_match(tokens: list[str]) -> Q | Func:
    """The condition "for each token, a name word starts with it", for `QuerySet.filter`."""
    if connection.vendor == "sqlite":
        expression = " AND ".join(f'"{token}"*' for token in tokens)
        sql = "SELECT rowid FROM contact_search WHERE contact_search MATCH %s"
        return Q(pk__in=RawSQL(sql, [expression]))  # noqa: S611 (the user's words are a parameter)
    # PostgreSQL: the condition on the row itself, so one bitmap scan of the GIN index reads each
    # match once and the page and its count filter and sort those rows (docs/decisions.md, "The
    # contacts list on PostgreSQL"). A prefix is written twice, which changes no result but
    # squares the planner's estimate of the share of rows matching: it assumes matches are spread
    # evenly through the alphabet and would walk the sort index testing each row, but a surname
    # prefix's matches sit together (every "Garcia" after all of A to "Garc": 180,000 rows read
    # for one page at a million contacts). With the squared estimate it walks the index only when
    # matches are so common that even clustered they come quickly ("ma": 2 ms), and otherwise
    # sorts the matches, as SQLite does with its FTS matches.
    #
    # A repeated prefix is searched twice in the index (~15 ms at a million contacts), so only the
    # prefixes that can be common are repeated: a lone word, and words of up to three letters. Two
    # longer words already multiply two small shares ("soren kowalski": 257 estimated, 218 found).
    terms = []
    for token in tokens:
        terms.append(f"{token}:*")
        if len(tokens) == 1 or len(token) <= COMMON_PREFIX_LENGTH:
            terms.append(f"{token}:*")
    return _NameMatches(" & ".join(terms))
