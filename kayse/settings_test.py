"""Settings for the test suite: the project's settings, with a private var/ folder per test
process so a running `make run` worker can never pick up the tests' tasks."""

import os
import tempfile

# Each test process (each pytest-xdist worker) gets its own folder, so the Celery workers
# that tests start never share a broker queue; a worker started by a test inherits its
# process's folder through the environment.
_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")
if os.environ.get("KAYSE_VAR_DIR_OWNER") != _TEST_PROCESS:
    os.environ["KAYSE_VAR_DIR"] = tempfile.mkdtemp(prefix=f"kayse-test-{_TEST_PROCESS}-")
    os.environ["KAYSE_VAR_DIR_OWNER"] = _TEST_PROCESS

from kayse.settings import *  # noqa: E402,F403
from kayse.settings import STORAGES  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
SMS_BACKEND = "portal.sms.LocmemBackend"
# Production asks admins for a second factor; tests that are about it turn it on themselves.
REQUIRE_2FA_FOR_ADMINS = False

if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    # One test database per test process, so parallel runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_kayse_{os.getpid()}"}  # noqa: F405
