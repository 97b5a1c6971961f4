"""PostgreSQL's name search for the contacts list: a page of matches read from an index alone.

The GIN index on `search_name` (contacts/search_index.py) finds the contacts with a name word
starting with each typed word, but gives them in no useful order: the list must then read
every match from the table to sort them by name and test Login Source, and a common surname
prefix ("garc": 16,604 matches at a million contacts) cost about 150 ms a page.

`contacts_contactnameword` (ContactNameWord) holds one row per distinct word of each contact's
folded name, with the contact's sort name, Login Source and whether it is live. Triggers on
the contacts table keep it, in the writing transaction, whatever writes the rows (forms, the
importer's COPY, merges, the demo seeder). Its index (word, sort_name, contact_id) INCLUDE
(login_source, live) makes a prefix one range of the index; the matches' sort keys and filters
are read from the index entries, the database sorts only those few bytes for the page, and the
table is read for the page's 25 contacts only.

Used when the list is searched by name (at most MOST_TYPED_WORDS words) with at most a Login
Source filter and sorted by name; one typed word covering at most MOST_WORDS distinct name words,
several words with at most DENSE_MATCHES entries in all. A commoner prefix ("ma") is served by
the GIN path, which then walks the sort index and finds a page of matches within a few hundred
rows. SQLite keeps its FTS5 index (equally fast there) and leaves this table empty.
"""

from django.db import connection

from contacts.login_source import LoginSource

TABLE = "contacts_contactnameword"
# Several typed words: above this many entries for them all, matches are dense in name order
# and the GIN path walks the sort index instead.
DENSE_MATCHES = 20_000
# One typed word: a prefix covering more distinct name words than this ("ma") is left to the GIN path.
MOST_WORDS = 64
# Typed words joined on the contact at most (a full name with a middle name is three or four).
MOST_TYPED_WORDS = 4

_WORDS_OF = """
    INSERT INTO {table} (word, contact_id, sort_name, login_source, live)
    SELECT DISTINCT word, {row}.id, {row}.sort_name, {row}.login_source,
        {row}.merged_into_id IS NULL AND {row}.archived_at IS NULL
    FROM {rows} regexp_split_to_table({row}.search_name, '[^a-z0-9]+') AS word WHERE word <> ''"""
_FUNCTIONS = {
    # Per statement, from the statement's new rows: an import's COPY of thousands of contacts
    # indexes them in one INSERT … SELECT.
    "contact_name_word_add": f"""
        CREATE OR REPLACE FUNCTION contact_name_word_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          {_WORDS_OF.format(table=TABLE, row="n", rows="new_rows n,")};
          RETURN NULL;
        END $$""",
    "contact_name_word_change": f"""
        CREATE OR REPLACE FUNCTION contact_name_word_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.search_name IS DISTINCT FROM NEW.search_name OR OLD.id <> NEW.id THEN
            DELETE FROM {TABLE} WHERE contact_id = OLD.id;
            {_WORDS_OF.format(table=TABLE, row="NEW", rows="")};
          ELSE
            UPDATE {TABLE} SET sort_name = NEW.sort_name, login_source = NEW.login_source,
                live = NEW.merged_into_id IS NULL AND NEW.archived_at IS NULL
            WHERE contact_id = NEW.id;
          END IF;
          RETURN NULL;
        END $$""",  # noqa: S608 - constants
    "contact_name_word_remove": f"""
        CREATE OR REPLACE FUNCTION contact_name_word_remove() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM {TABLE} w USING old_rows o WHERE w.contact_id = o.id;
          RETURN NULL;
        END $$""",  # noqa: S608 - constants
}
_TRIGGERS = {
    "contact_name_word_ai": (
        "AFTER INSERT ON contacts_contact REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION contact_name_word_add()"
    ),
    # Per row, and only when what the table holds changed: Django's save() writes every column,
    # and most updates (a login, the last activity time) change none of it.
    "contact_name_word_au": (
        "AFTER UPDATE ON contacts_contact FOR EACH ROW WHEN ("
        "OLD.search_name IS DISTINCT FROM NEW.search_name OR OLD.sort_name IS DISTINCT FROM NEW.sort_name "
        "OR OLD.login_source IS DISTINCT FROM NEW.login_source OR OLD.id <> NEW.id "
        "OR (OLD.merged_into_id IS NULL) <> (NEW.merged_into_id IS NULL) "
        "OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)) "
        "EXECUTE FUNCTION contact_name_word_change()"
    ),
    "contact_name_word_ad": (
        "AFTER DELETE ON contacts_contact REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION contact_name_word_remove()"
    ),
}


def _level(definition: str) -> str:
    return "statement" if "FOR EACH STATEMENT" in definition.upper() else "row"


def ensure_name_words(cursor, *, in_transaction: bool) -> None:
    """Create the triggers when missing (PostgreSQL); when any was missing, refill the table.

    A refill is vacuumed when it can be (outside a transaction): index-only scans read the
    table for every row until the rows are marked visible to all."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
    if not cursor.fetchone()[0]:
        return
    cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'contacts_contact'::regclass")
    existing = dict(cursor.fetchall())
    # A trigger made by an earlier version (per row where it is now per statement) is replaced.
    stale = [name for name in _TRIGGERS if name in existing and _level(_TRIGGERS[name]) != _level(existing[name])]
    for name in stale:
        cursor.execute(f"DROP TRIGGER {name} ON contacts_contact")
    missing = [name for name in _TRIGGERS if name not in existing or name in stale]
    for sql in _FUNCTIONS.values():
        cursor.execute(sql)
    if not missing:
        return
    for name in missing:
        cursor.execute(f"CREATE TRIGGER {name} {_TRIGGERS[name]}")
    cursor.execute(f"TRUNCATE {TABLE}")
    cursor.execute(_WORDS_OF.format(table=TABLE, row="c", rows="contacts_contact c,"))
    cursor.execute(f"ANALYZE {TABLE}" if in_transaction else f"VACUUM (ANALYZE) {TABLE}")


def _needed(tokens: list[str]) -> list[str]:
    """The words that decide a match, longest first: a word that begins another typed word is
    matched by the same name word ("mar martinez" is "martinez"), so it is dropped."""
    unique = sorted(set(tokens), key=lambda token: (-len(token), token))
    kept = []
    for token in unique:
        if not any(other.startswith(token) for other in kept):
            kept.append(token)
    return kept


def _prefix_range(token: str) -> tuple[str, str]:
    """The words starting with `token` are those from it up to (excluded) the second value, in
    the index's pattern-ops order (bytes, whatever the database's collation). Tokens are
    [a-z0-9]+ (name_tokens), so the last letter's successor is a plain character."""
    return token, token[:-1] + chr(ord(token[-1]) + 1)


def _prefix(alias: str, token: str) -> tuple[str, list[str]]:
    """`alias.word` starts with `token`, as the index's own range."""
    return f"{alias}.word ~>=~ %s AND {alias}.word ~<~ %s", list(_prefix_range(token))


def _matches_sql(tokens: list[str], login_source: str | None) -> tuple[str, list]:
    """FROM/WHERE of the index entries of live contacts having a name word starting with each
    token. Joined on the contact, so the planner starts from whichever prefix is rarer; a contact
    with two entries for one prefix comes twice."""
    tables, conditions, params = [f"{TABLE} w0"], [], []
    for number, token in enumerate(_needed(tokens)):
        alias = f"w{number}"
        if number:
            tables.append(f"JOIN {TABLE} {alias} ON {alias}.contact_id = w0.contact_id")
        condition, values = _prefix(alias, token)
        conditions.append(condition)
        params.extend(values)
    conditions.append("w0.live")
    if login_source:
        conditions.append("w0.login_source = %s")
        params.append(login_source)
    return f"FROM {' '.join(tables)} WHERE {' AND '.join(conditions)}", params


def usable(tokens: list[str], *, other_filters: bool, sort: str) -> bool:
    """Whether this index serves a list request: PostgreSQL, a name search with nothing but Login
    Source beside it, sorted by name, a longest word of two letters or more, and at most
    MOST_TYPED_WORDS words (each is a join: a long string of words goes to the GIN path's one
    condition instead)."""
    return (
        connection.vendor == "postgresql"
        and bool(tokens)
        and len(set(tokens)) <= MOST_TYPED_WORDS
        and not other_filters
        and sort in ("name", "-name")
        and max(len(token) for token in tokens) >= 2
    )


def page_ids(
    tokens: list[str], *, login_source: str | None, descending: bool, offset: int, limit: int, count_limit: int
) -> tuple[list[int], int] | None:
    """Ids of the live contacts at [offset, offset + limit) in name order, and how many match: exactly
    up to `count_limit`, and above it any number above it. None when the prefix is too common for
    this index (the caller uses the GIN path)."""
    if login_source not in LoginSource.values:
        login_source = None
    direction = "DESC" if descending else "ASC"
    needed = _needed(tokens)
    if len(needed) == 1:
        return _one_word_page(needed[0], login_source, direction, offset, limit, count_limit)
    return _several_words_page(needed, login_source, direction, offset, limit)


def _dedupe(ids) -> list[int]:
    """Drop a contact's second entry: in name order, a contact's entries are next to each other."""
    unique = []
    for contact_id in ids:
        if not unique or unique[-1] != contact_id:
            unique.append(contact_id)
    return unique


def _one_word_page(token, login_source, direction, offset, limit, count_limit):
    """One prefix: the distinct words it covers are found by skipping through the index (one probe
    each), each word's entries are already in name order in the index, so the page is the first
    entries of each word merged: a few hundred index entries whatever the number of matches.

    The count reads at most 2 × count_limit + 2 entries: with more than count_limit contacts among
    them the list says "more than"; otherwise (all read, or names with many words sharing the
    prefix) the contacts are counted exactly."""
    low, high = _prefix_range(token)
    filters = " AND w.login_source = %(source)s" if login_source else ""
    sql = f"""
        WITH RECURSIVE words(word) AS (
            (SELECT word FROM {TABLE} WHERE word ~>=~ %(low)s AND word ~<~ %(high)s ORDER BY word USING ~<~ LIMIT 1)
            UNION ALL
            SELECT (SELECT n.word FROM {TABLE} n WHERE n.word ~>~ words.word AND n.word ~<~ %(high)s
                    ORDER BY n.word USING ~<~ LIMIT 1)
            FROM words WHERE words.word IS NOT NULL
        ),
        covered AS (SELECT word FROM words WHERE word IS NOT NULL LIMIT %(most_words)s),
        counted AS (
            SELECT count(*) AS entries, count(DISTINCT contact_id) AS contacts FROM (
                SELECT w.contact_id FROM {TABLE} w
                WHERE w.word ~>=~ %(low)s AND w.word ~<~ %(high)s AND w.live{filters} LIMIT %(count_entries)s
            ) entry
        )
        SELECT (SELECT count(*) FROM covered), entries, contacts, ARRAY(
            SELECT page.contact_id FROM covered, LATERAL (
                SELECT w.sort_name, w.contact_id FROM {TABLE} w WHERE w.word = covered.word AND w.live{filters}
                ORDER BY w.sort_name {direction}, w.contact_id {direction} LIMIT %(read)s
            ) page
            ORDER BY page.sort_name {direction}, page.contact_id {direction} LIMIT %(read)s
        ) FROM counted"""  # noqa: S608 - constants and the direction keyword
    params = {
        "low": low,
        "high": high,
        "source": login_source,
        "most_words": MOST_WORDS + 1,
        "count_entries": 2 * count_limit + 2,
        "read": offset + 2 * limit,
    }
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, params)
            words, entries, contacts, found = cursor.fetchone()
            if words > MOST_WORDS:
                return None
            ids = _dedupe(found)
            # Duplicates took more than the spare `limit` entries: read further (rare).
            if len(ids) >= offset + limit or len(found) < params["read"]:
                break
            params["read"] *= 2
        if entries == params["count_entries"] and contacts <= count_limit:
            where, values = _matches_sql([token], login_source)
            cursor.execute(f"SELECT count(DISTINCT w0.contact_id) {where}", values)  # noqa: S608 - constants
            (contacts,) = cursor.fetchone()
    return ids[offset : offset + limit], contacts


def _several_words_page(needed, login_source, direction, offset, limit):
    """Several prefixes: the entries of contacts having them all, read once (at most DENSE_MATCHES
    + 1) for both the counts and the first entries in name order, where duplicates sit together;
    reading as many extra entries as there are duplicates fills the page without them."""
    where, params = _matches_sql(needed, login_source)
    sql = f"""
        WITH matched AS MATERIALIZED (SELECT w0.contact_id, w0.sort_name {where} LIMIT %s),
        counted AS (SELECT count(*) AS entries, count(DISTINCT contact_id) AS contacts FROM matched)
        SELECT entries, contacts, CASE WHEN entries <= %s THEN ARRAY(
            SELECT contact_id FROM matched ORDER BY sort_name {direction}, contact_id {direction}
            LIMIT (SELECT %s + entries - contacts FROM counted)
        ) END FROM counted"""  # noqa: S608 - constants and the direction keyword
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, DENSE_MATCHES + 1, DENSE_MATCHES, offset + limit])
        entries, contacts, found = cursor.fetchone()
    if entries > DENSE_MATCHES:
        return None
    return _dedupe(found)[offset : offset + limit], contacts
