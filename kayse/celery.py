"""The Celery app. Tasks live in each app's tasks.py and are thin wrappers round services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")

app = Celery("kayse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    """kombu's filesystem transport needs its folders to exist before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
    backend = sender.conf.result_backend or ""
    if backend.startswith("file://"):
        os.makedirs(backend[len("file://") :], exist_ok=True)


@app.task(name="kayse.ping")
def ping() -> dict:
    """Round trip for health tests: proves a worker runs and reaches the database."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {"pong": True, "vendor": connection.vendor, "users": get_user_model().objects.count()}
