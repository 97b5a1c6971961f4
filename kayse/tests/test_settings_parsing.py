from datetime import timedelta

import pytest

from kayse.env import env_bool, env_duration, env_list, parse_duration


@pytest.mark.parametrize(
    ("raw", "expected"), [("604800", 604800), ("90m", 5400), ("12h", 43200), ("7d", 604800), ("2w", 1209600)]
)
def test_durations_accept_seconds_and_units(raw, expected):
    assert parse_duration(raw) == timedelta(seconds=expected)


def test_a_bad_duration_names_the_setting(monkeypatch):
    monkeypatch.setenv("PORTAL_LINK_TTL", "a week")
    with pytest.raises(ValueError, match="PORTAL_LINK_TTL"):
        env_duration("PORTAL_LINK_TTL", timedelta(days=7))


def test_unset_duration_uses_default(monkeypatch):
    monkeypatch.delenv("PORTAL_LINK_TTL", raising=False)
    assert env_duration("PORTAL_LINK_TTL", timedelta(days=7)) == timedelta(days=7)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", False) is expected


def test_a_bad_boolean_is_refused_not_guessed(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ValueError, match="DEBUG"):
        env_bool("DEBUG", False)


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, ,b.example")
    assert env_list("ALLOWED_HOSTS", "") == ["a.example", "b.example"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "KAYSE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "crm.example.com",
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("kayse").__path__[0]) + "/..",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "KAYSE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kayse.settings"}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    cwd = str(__import__("kayse").__path__[0]) + "/.."
    first = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    second = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert first.stdout.strip() and first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
