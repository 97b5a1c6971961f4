"""Writing a Download All zip: one folder per case, an index of every file, constant memory.

Files are streamed into the archive one by one in 1 MB pieces (never read whole). Types that
are already compressed (JPEG, PDF, DOCX…) are stored as they are; the rest are deflated.
The zip is written under a temporary name and renamed when complete, so a half-written
bundle can never be downloaded.
"""

import csv
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import PurePosixPath

from django.core.files import File
from django.db.models import F
from django.utils import timezone

from documents.models import Document, DownloadBundle
from documents.storage import local_path, random_bundle_name
from documents.validation import document_type
from kayse.spreadsheet import neutralize

COPY_BUFFER = 1024 * 1024
# Fast deflate: text and scans still shrink a lot, and the zip builds at close to disk speed.
DEFLATE_LEVEL = 1
PROGRESS_EVERY_SECONDS = 0.5
INDEX_NAME = "index.csv"
INDEX_COLUMNS = [
    "path_in_zip",
    "original_name",
    "case",
    "type",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
    "note",
]
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def _safe_component(text: str, *, limit: int = 120) -> str:
    """A folder or file name that unpacks the same on Windows, macOS and Linux."""
    text = _UNSAFE.sub("_", text).strip().strip(".")
    return (text[:limit].rstrip() or "_") if text else "_"


def case_folder(document: Document) -> str:
    if document.case_id is None:
        return "No case"
    return _safe_component(f"{document.case.number} {document.case.title}", limit=80)


class _Names:
    """Unique names inside the archive, case-insensitively: "a.pdf", "a (2).pdf", …"""

    def __init__(self):
        self.used = {INDEX_NAME.lower()}

    def claim(self, folder: str, filename: str) -> str:
        path = PurePosixPath(_safe_component(filename, limit=150))
        stem, suffix = path.stem or "_", path.suffix
        candidate = f"{folder}/{stem}{suffix}"
        number = 1
        while candidate.lower() in self.used:
            number += 1
            candidate = f"{folder}/{stem} ({number}){suffix}"
        self.used.add(candidate.lower())
        return candidate


def _index_cell(value) -> str:
    """Spreadsheet-safe: a cell that starts like a formula is prefixed with a quote."""
    return neutralize("" if value is None else str(value))


def bundle_documents(bundle: DownloadBundle):
    return (
        bundle.documents()
        .select_related("case", "uploaded_by", "note")
        .order_by(F("case__number").asc(nulls_last=True), "created_at", "pk")
    )


def _zip_info(arcname: str, document: Document) -> zipfile.ZipInfo:
    moment = timezone.localtime(document.created_at)
    info = zipfile.ZipInfo(arcname, date_time=(max(moment.year, 1980), *moment.timetuple()[1:6]))
    if document_type(document.content_type).compressed:
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
        # Python 3.13 names it compress_level; 3.11 and 3.12 only have the underscored attribute.
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", DEFLATE_LEVEL)
    info.file_size = document.size  # lets zipfile choose ZIP64 up front for very large files
    info.external_attr = 0o640 << 16
    return info


def write_bundle_zip(bundle: DownloadBundle) -> str:
    """Write the bundle's zip into private storage and return its stored name.

    On local disk the zip is written next to its final name and renamed when complete; on a
    remote storage (S3) it is written to a local temporary file and uploaded, and the object
    only appears once the upload is complete."""
    storage = DownloadBundle._meta.get_field("file").storage
    stored_name = random_bundle_name(bundle, "bundle.zip")
    final_path = local_path(storage, stored_name)
    if final_path is None:
        with tempfile.TemporaryFile() as temp:
            done = _write_zip(bundle, temp)
            temp.seek(0)
            stored_name = storage.save(stored_name, File(temp))
    else:
        os.makedirs(os.path.dirname(final_path), exist_ok=True)
        temp_path = f"{final_path}.part"
        try:
            with open(temp_path, "wb") as raw:
                done = _write_zip(bundle, raw)
            os.replace(temp_path, final_path)
        except BaseException:
            if os.path.exists(temp_path):
                os.remove(temp_path)
            raise
    DownloadBundle.objects.filter(pk=bundle.pk).update(files_done=done, files_total=done)
    return stored_name


def _write_zip(bundle: DownloadBundle, raw) -> int:
    """Stream every live document of the bundle (its contact's or its case's) into a zip on `raw`; the count."""
    names = _Names()
    done = 0
    last_progress = time.monotonic()
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as index_file,
        zipfile.ZipFile(raw, "w", allowZip64=True) as archive,
    ):
        index = csv.writer(index_file)
        index.writerow(INDEX_COLUMNS)
        for document in bundle_documents(bundle).iterator(chunk_size=200):
            arcname = names.claim(case_folder(document), document.original_name)
            with document.file.open("rb") as source, archive.open(_zip_info(arcname, document), "w") as target:
                shutil.copyfileobj(source, target, COPY_BUFFER)
            uploader = (
                "Portal"
                if document.via_portal
                else (document.uploaded_by.get_full_name() or document.uploaded_by.get_username())
                if document.uploaded_by
                else ""
            )
            index.writerow(
                [
                    _index_cell(value)
                    for value in (
                        arcname,
                        document.original_name,
                        str(document.case) if document.case_id else "",
                        document.content_type,
                        document.size,
                        document.sha256,
                        uploader,
                        timezone.localtime(document.created_at).isoformat(timespec="seconds"),
                        f"Note #{document.note_id}" if document.note_id else "",
                    )
                ]
            )
            done += 1
            if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                DownloadBundle.objects.filter(pk=bundle.pk).update(files_done=done)
                last_progress = time.monotonic()
        index_file.seek(0)
        info = zipfile.ZipInfo(INDEX_NAME, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as target:
            for chunk in iter(lambda: index_file.read(64 * 1024), ""):
                target.write(chunk.encode("utf-8"))
    return done
