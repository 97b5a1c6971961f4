"""What may be uploaded: the type is decided from the file's bytes against an allowlist, the
name's extension must agree with it, and the size must fit the limit.

A rule lives here once; the staff upload, note attachments and the portal all call
`inspect_upload`.
"""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class UploadRefused(ValueError):
    """A file we will not store, with a message meant for the person who chose it."""


@dataclass(frozen=True)
class DocumentType:
    mime: str
    label: str
    extensions: tuple[str, ...]
    icon: str
    compressed: bool = False  # already compressed: stored as-is in a zip, not deflated again
    previewable: bool = False  # safe to show inline (images the browser decodes, PDF)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALLOWED_TYPES: dict[str, DocumentType] = {
    t.mime: t
    for t in [
        DocumentType("application/pdf", "PDF", (".pdf",), "pdf", compressed=True, previewable=True),
        DocumentType("image/jpeg", "JPEG image", (".jpg", ".jpeg", ".jpe"), "image", compressed=True, previewable=True),
        DocumentType("image/png", "PNG image", (".png",), "image", compressed=True, previewable=True),
        DocumentType("image/gif", "GIF image", (".gif",), "image", compressed=True, previewable=True),
        DocumentType("image/webp", "WebP image", (".webp",), "image", compressed=True, previewable=True),
        DocumentType("image/heic", "HEIC photo", (".heic", ".heif"), "image", compressed=True),
        DocumentType("image/tiff", "TIFF image", (".tif", ".tiff"), "image"),
        DocumentType(DOCX, "Word document", (".docx",), "doc", compressed=True),
        DocumentType(XLSX, "Excel workbook", (".xlsx",), "sheet", compressed=True),
        DocumentType("application/msword", "Word 97-2003 document", (".doc",), "doc"),
        DocumentType("application/vnd.ms-excel", "Excel 97-2003 workbook", (".xls",), "sheet"),
        DocumentType("text/plain", "Text", (".txt", ".text", ".csv", ".log"), "text"),
    ]
}
ACCEPT_ATTRIBUTE = ",".join(ext for t in ALLOWED_TYPES.values() for ext in t.extensions)
ACCEPTED_LABELS = "PDF, JPEG, PNG, GIF, WebP, HEIC, TIFF, Word (DOCX, DOC), Excel (XLSX, XLS) and text files"
FALLBACK_TYPE = DocumentType("application/octet-stream", "File", (), "file")

_HEAD_BYTES = 8192
_MARKUP_PREFIXES = (b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<head", b"<body", b"<script", b"<iframe")
_MARKUP_IN_TEXT = (b"<script", b"<svg", b"<html", b"<iframe", b"<!doctype html")
_EXECUTABLE_PREFIXES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_MARKUP_REFUSED = (
    "HTML, SVG and other web pages can't be uploaded because they can run code in a browser. "
    "Save or print it as a PDF and upload that instead."
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class InspectedUpload:
    name: str
    type: DocumentType
    size: int
    sha256: str


def document_type(mime: str) -> DocumentType:
    return ALLOWED_TYPES.get(mime, FALLBACK_TYPE)


def clean_filename(name: str) -> str:
    """The last component of whatever the browser sent, without control characters.
    The name is only ever shown and offered back as a download name; files are stored under
    random names, so a name like ../../etc/passwd is harmless."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:12]
        name = name[: 200 - len(suffix)] + suffix
    return name or "document"


def _read_head(uploaded_file) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD_BYTES)
    uploaded_file.seek(0)
    return head


def _office_zip_type(uploaded_file) -> str | None:
    """DOCX or XLSX by their package structure; any other zip is refused."""
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        uploaded_file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        if error.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _sniff(uploaded_file, head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(_MARKUP_PREFIXES):
        raise UploadRefused(_MARKUP_REFUSED)
    if head.startswith(_EXECUTABLE_PREFIXES):
        raise UploadRefused("Programs and scripts can't be uploaded.")
    if head.startswith(b"PK\x03\x04"):
        mime = _office_zip_type(uploaded_file)
        if mime is None:
            raise UploadRefused("ZIP archives can't be uploaded; upload the files inside it one by one.")
        return mime
    if head.startswith(_OLE2):
        kind = filetype.guess(head)
        return kind.mime if kind and kind.mime in ALLOWED_TYPES else "application/msword"
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ("application/x-msdownload", "application/x-executable", "application/x-elf"):
            raise UploadRefused("Programs and scripts can't be uploaded.")
        return kind.mime
    if _looks_like_text(head):
        if any(marker in head.lower() for marker in _MARKUP_IN_TEXT):
            raise UploadRefused(_MARKUP_REFUSED)
        return "text/plain"
    raise UploadRefused(f"This kind of file isn't accepted. You can upload {ACCEPTED_LABELS}.")


def _hash_and_check(uploaded_file, *, single_byte_text: bool) -> str:
    """SHA-256 in one streaming pass; a text file must not hide binary data after its start."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in iter(lambda: uploaded_file.read(1 << 20), b""):
        if single_byte_text and b"\x00" in chunk:
            raise UploadRefused("This file looks like text at the start but contains binary data.")
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def inspect_upload(uploaded_file) -> InspectedUpload:
    """Check one uploaded file; raise UploadRefused with a plain-words reason, else describe it."""
    name = clean_filename(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise UploadRefused(f"“{name}” is {filesizeformat(size)}; files can be at most {filesizeformat(limit)}.")
    if size == 0:
        # Translated: the portal shows it to contacts in their language.
        raise UploadRefused(_("“%(name)s” is empty (0 bytes); choose the file again.") % {"name": name})
    try:
        mime = _sniff(uploaded_file, _read_head(uploaded_file))
    except UploadRefused as error:
        raise UploadRefused(f"“{name}”: {error}") from None
    kind = ALLOWED_TYPES.get(mime)
    if kind is None:
        raise UploadRefused(f"“{name}” is a {mime} file, which isn't accepted. You can upload {ACCEPTED_LABELS}.")
    extension = PurePosixPath(name).suffix.lower()
    if not extension:
        name = f"{name}{kind.extensions[0]}"
    elif extension not in kind.extensions:
        raise UploadRefused(
            f"“{name}” ends in {extension} but the file is a {kind.label}. "
            "Rename it with the right ending or upload the right file."
        )
    head = _read_head(uploaded_file)
    single_byte_text = mime == "text/plain" and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    try:
        sha256 = _hash_and_check(uploaded_file, single_byte_text=single_byte_text)
    except UploadRefused as error:
        raise UploadRefused(f"“{name}”: {error}") from None
    return InspectedUpload(name=name, type=kind, size=size, sha256=sha256)
