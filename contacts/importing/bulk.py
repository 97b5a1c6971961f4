"""Writing many rows fast: one executemany per model (on PostgreSQL, one COPY) with columns
prepared once.

Django's bulk_create and bulk_update prepare every field of every object through the
generic compiler (and bulk_update builds a CASE per object and field), which costs far
more than the database does at import sizes. These do the same preparation (defaults,
pre_save for auto_now fields, get_db_prep_save for non-plain types) with less machinery.
Rows are model instances or dicts of attribute names (missing keys take the default).
"""

from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

# Values of these field types go to the database as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)
BATCH = 500


def _columns(model, names=None):
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if names is not None:
        fields = [field for field in fields if field.name in names or field.attname in names]
    plain = [isinstance(field, _PLAIN) and not getattr(field, "auto_now", False) for field in fields]
    return fields, plain


def _prepared(field, value):
    """The database value of a field's value; None needs no preparation (most empty columns)."""
    return None if value is None else field.get_db_prep_save(value, connection)


def _getters(fields, plain, *, add: bool, dict_rows: bool):
    """One function per column turning a row into the value the database gets."""
    getters = []
    stamp = None
    for field, is_plain in zip(fields, plain, strict=True):
        attname = field.attname
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if dict_rows:
            if automatic:
                # One timestamp for the whole call: the rows are written in one transaction.
                if stamp is None:
                    stamp = timezone.now()
                value = _prepared(field, stamp)
                getters.append(lambda row, v=value: v)
                continue
            if field.has_default() and callable(field.default):

                def get(row, f=field, name=attname):
                    return row[name] if name in row else f.get_default()

            else:

                def get(row, d=field.get_default(), name=attname):
                    return row.get(name, d)

            if is_plain:
                getters.append(get)
            else:
                default = None if (field.has_default() and callable(field.default)) else field.get_default()
                prepared_default = _prepared(field, default)

                def convert(row, f=field, g=get, d=default, pd=prepared_default):
                    value = g(row)
                    return pd if value is d else _prepared(f, value)

                getters.append(convert)
        elif is_plain:
            getters.append(lambda row, name=attname: getattr(row, name))
        elif automatic:
            getters.append(lambda row, f=field: _prepared(f, f.pre_save(row, add)))
        else:
            getters.append(lambda row, name=attname, f=field: _prepared(f, getattr(row, name)))
    return getters


class Prepared(str):
    """A value already in the database's form (JSON text made once by the caller)."""


def _dict_values(fields, plain, rows: list[dict]) -> list[list]:
    """The database values of dict rows, column by column in C where it can: each row laid over
    the prepared defaults, then only the non-plain values the row gave are prepared."""
    names = [field.attname for field in fields]
    stamp = timezone.now()
    base, automatic, to_prepare, per_row = {}, [], [], []
    for index, (field, is_plain) in enumerate(zip(fields, plain, strict=True)):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # One timestamp for the whole call: the rows are written in one transaction.
            automatic.append((index, _prepared(field, stamp)))
            continue
        if field.has_default() and callable(field.default) and field.default not in (dict, list):
            per_row.append((index, field))  # timezone.now and the like: computed for each row
        # Other defaults (an empty dict or list too) are prepared once: the database gets text.
        base[field.attname] = _prepared(field, field.get_default())
        if not is_plain:
            to_prepare.append((index, field))
    pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    db = connections[DEFAULT_DB_ALIAS]  # resolved once, not per value
    # The last object prepared per column and its database value: rows often share one (the
    # default's time of day, the call's timestamp), which is then prepared once.
    last = {index: (None, None) for index, _field in to_prepare}
    values = []
    for row in rows:
        value = list(pick({**base, **row}))
        for index, field in to_prepare:
            raw = value[index]
            if raw is None or type(raw) is Prepared or field.attname not in row:
                continue
            seen, prepared = last[index]
            if raw is not seen:
                prepared = field.get_db_prep_save(raw, db)
                last[index] = (raw, prepared)
            value[index] = prepared
        for index, field in per_row:
            if field.attname not in row:
                value[index] = _prepared(field, field.get_default())
        for index, stamped in automatic:
            value[index] = stamped
        values.append(value)
    return values


def allocate_ids(model, count: int) -> list[int]:
    """Ids for rows about to be inserted, never reusing one (call inside the write transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the chunk's IMMEDIATE transaction holds the write lock; AUTOINCREMENT's
        # sequence remembers ids of deleted rows, so they are never handed out again.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = max(found[0] if found else 0, cursor.fetchone()[0])
    return list(range(start + 1, start + count + 1))


def insert_rows(model, rows, *, with_ids: bool = False) -> int:
    """INSERT every row; with_ids, the rows are instances whose pk is already set."""
    rows = list(rows)
    if not rows:
        return 0
    fields, plain = _columns(model)
    if with_ids:
        pk = model._meta.pk
        fields, plain = [pk, *fields], [True, *plain]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    if isinstance(rows[0], dict):
        values = _dict_values(fields, plain, rows)
    else:
        getters = _getters(fields, plain, add=True, dict_rows=False)
        values = [[get(row) for get in getters] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one statement streams every row. An executemany of INSERTs sends each row as
            # its own statement (Django binds parameters on the client, so each has its own text),
            # which the server parses and plans one by one and psycopg builds one by one.
            with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            return len(values)
        placeholders = ", ".join(["%s"] * len(fields))
        # Identifiers come from the model, quoted; values go as parameters.
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(values)


def update_rows(model, objects, names) -> int:
    """UPDATE the named fields of every instance, by primary key, in one executemany."""
    objects = list(objects)
    if not objects:
        return 0
    fields, plain = _columns(model, set(names))
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    getters = _getters(fields, plain, add=False, dict_rows=False)
    values = [[*(get(obj) for get in getters), obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(values)
