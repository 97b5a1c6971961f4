"""With only the variables production must set, every security setting is at its strict default."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRICT = {
    "DEBUG": False,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CSRF_COOKIE_SECURE": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "X_FRAME_OPTIONS": "DENY",
    "REQUIRE_2FA_FOR_ADMINS": True,
    "STAFF_MAY_EXPORT": False,
    "TRUSTED_PROXY_HOPS": 0,
    "SECURE_PROXY_SSL_HEADER": None,
    "SIGNIN_FAILURE_LIMIT": 10,
    "STAFF_SESSION_IDLE": 1800.0,
    "STAFF_SESSION_MAX_AGE": 43200.0,
    "PORTAL_LINK_TTL": 604800.0,
}


def test_production_is_strict_by_default(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "KAYSE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "crm.example.com",
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
    }
    code = (
        "import datetime, json, django; django.setup(); from django.conf import settings; "
        f"names = {sorted(STRICT)!r}; "
        "value = lambda v: v.total_seconds() if isinstance(v, datetime.timedelta) else v; "
        "print(json.dumps({name: value(getattr(settings, name)) for name in names}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == STRICT
