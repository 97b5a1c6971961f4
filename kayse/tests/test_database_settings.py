"""Database settings for production: persistent connections checked before reuse, and a statement
timeout on PostgreSQL that is short for web requests and long for workers and commands."""

import json
import os
import subprocess
import sys

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from conftest import ROOT, database_url
from kayse.middleware import StatementTimeoutMiddleware, is_statement_timeout

CODE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({k: db.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}))"
)


def _database_settings(tmp_path, **env) -> dict:
    environment = {
        "PATH": "/usr/bin:/bin",
        "KAYSE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "test-" * 10,
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
        **env,
    }
    result = subprocess.run([sys.executable, "-c", CODE], env=environment, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


POSTGRES = "postgres://kayse:secret@db.internal:5432/kayse"


def test_web_processes_cancel_statements_after_30_seconds(tmp_path):
    db = _database_settings(tmp_path, DATABASE_URL=POSTGRES, KAYSE_PROCESS="web")
    assert db["OPTIONS"]["options"] == "-c statement_timeout=30000"
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True


def test_workers_and_commands_get_the_longer_background_timeout(tmp_path):
    db = _database_settings(tmp_path, DATABASE_URL=POSTGRES)
    assert db["OPTIONS"]["options"] == "-c statement_timeout=3600000"


def test_timeouts_and_connection_age_come_from_the_environment(tmp_path):
    web = _database_settings(
        tmp_path, DATABASE_URL=POSTGRES, KAYSE_PROCESS="web", DB_STATEMENT_TIMEOUT="5s", DB_CONN_MAX_AGE="10m"
    )
    background = _database_settings(tmp_path, DATABASE_URL=POSTGRES, DB_BACKGROUND_STATEMENT_TIMEOUT="0")
    assert web["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert web["CONN_MAX_AGE"] == 600
    assert background["OPTIONS"]["options"] == "-c statement_timeout=0"  # off


def test_the_timeout_joins_options_given_in_the_database_url(tmp_path):
    db = _database_settings(tmp_path, DATABASE_URL=POSTGRES + "?options=-c%20search_path%3Dkayse", KAYSE_PROCESS="web")
    assert db["OPTIONS"]["options"] == "-c search_path=kayse -c statement_timeout=30000"


def test_sqlite_keeps_its_own_options(tmp_path):
    db = _database_settings(tmp_path, KAYSE_PROCESS="web")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "options" not in db["OPTIONS"]
    assert db["CONN_MAX_AGE"] == 0


def test_the_wsgi_module_marks_its_process_as_web():
    code = "import os, kayse.wsgi; from django.conf import settings; print(settings.KAYSE_PROCESS)"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kayse.settings_test"}
    environment.pop("KAYSE_PROCESS", None)
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "web"


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")


@postgres_only
@pytest.mark.postgres
def test_a_web_query_longer_than_the_timeout_is_cancelled(transactional_db):
    code = (
        "import django; django.setup(); from django.db import connection, OperationalError\n"
        "try:\n"
        "    connection.cursor().execute('SELECT pg_sleep(5)')\n"
        "except OperationalError as error:\n"
        "    print('cancelled:', error)\n"
        "else:\n"
        "    print('not cancelled')\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
        "DATABASE_URL": database_url(),
        "KAYSE_PROCESS": "web",
        "DB_STATEMENT_TIMEOUT": "1s",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "cancelled: canceling statement due to statement timeout" in result.stdout


@postgres_only
@pytest.mark.postgres
def test_a_cancelled_query_gets_a_page_that_says_it_took_too_long(db, settings):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError) as raised:
            cursor.execute("SELECT pg_sleep(1)")
    assert is_statement_timeout(raised.value)
    request = RequestFactory().get("/contacts/", {"q": "ross"})
    request.user = None

    response = StatementTimeoutMiddleware(lambda r: None).process_exception(request, raised.value)

    assert response.status_code == 503
    assert "The database took longer than 30 s to answer" in response.content.decode()


def test_other_errors_are_left_to_django(rf):
    assert StatementTimeoutMiddleware(lambda r: None).process_exception(rf.get("/"), OperationalError("gone")) is None
