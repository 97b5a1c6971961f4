"""Editing the activity log behind the application's back, as an attacker with database access would."""

from django.db import connection


def raw_sql(sql: str, params=()) -> None:
    """Run SQL on the events table, bypassing the append-only trigger on PostgreSQL.

    ALTER TABLE is transactional there, so the trigger is back when the test's transaction
    rolls back (and re-enabled right away for transactional tests).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
            cursor.execute("ALTER TABLE activity_activityevent DISABLE TRIGGER activity_event_append_only")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE activity_activityevent ENABLE TRIGGER activity_event_append_only")
