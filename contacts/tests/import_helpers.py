"""Making import batches from file contents in tests."""

import csv
import io
import uuid
from pathlib import Path

from django.conf import settings

from contacts.importing.service import create_batch


def batch_from_bytes(content: bytes, *, user=None, name="contacts.csv", **options):
    stored = f"imports/{uuid.uuid4().hex}{Path(name).suffix}"
    path = Path(settings.PRIVATE_STORAGE_ROOT) / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    rule = options.pop("duplicate_rule", None)
    error_mode = options.pop("error_mode", None)
    batch = create_batch(path, stored_name=stored, original_name=name, user=user, **options)
    if rule:
        batch.duplicate_rule = rule
    if error_mode:
        batch.error_mode = error_mode
    batch.save()
    return batch


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)
