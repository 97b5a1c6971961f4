"""The full-text index behind name search: fast prefix search on every word of a name.

`Contact.search_name` holds the folded name words. The index is kept by the database
itself (SQLite: an FTS5 table fed by triggers; PostgreSQL: a GIN index on its tsvector),
so every way rows are written (forms, bulk import, the demo seeder's raw inserts) stays
searchable. It is (re)created after every `migrate`, because SQLite drops a table's
triggers when a migration rebuilds the table.
"""

import re

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.expressions import RawSQL

FTS_TABLE = "contact_search"
_TOKEN = re.compile(r"[a-z0-9]+")

_SQLITE_TRIGGERS = {
    "contact_search_ai": """
        CREATE TRIGGER contact_search_ai AFTER INSERT ON contacts_contact BEGIN
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
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS contact_search_name_tsv ON contacts_contact "
                "USING gin (to_tsvector('simple', search_name))"
            )


def name_tokens(folded_text: str) -> list[str]:
    """The words of a folded search text, as the index splits them."""
    return _TOKEN.findall(folded_text)


def matching_ids_sql(tokens: list[str]) -> RawSQL:
    """A subquery of the ids of contacts having, for each token, a name word starting with it."""
    if connection.vendor == "sqlite":
        expression = " AND ".join(f'"{token}"*' for token in tokens)
        sql = "SELECT rowid FROM contact_search WHERE contact_search MATCH %s"
        return RawSQL(sql, [expression])  # noqa: S611 (the user's words are a parameter)
    expression = " & ".join(f"{token}:*" for token in tokens)
    return RawSQL(  # noqa: S611 (the user's words are a parameter)
        "SELECT id FROM contacts_contact WHERE to_tsvector('simple', search_name) @@ to_tsquery('simple', %s)",
        [expression],
    )
