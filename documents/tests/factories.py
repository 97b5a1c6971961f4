"""Real files for document tests: small but genuine PDFs, PNGs, Office packages."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def office_package(kind: str) -> bytes:
    """A minimal DOCX ("word") or XLSX ("xl") package: the zip structure Office writes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr("_rels/.rels", "<Relationships/>")
        if kind == "word":
            package.writestr("word/document.xml", "<w:document/>")
        else:
            package.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_document(contact, *, name="report.pdf", content=PDF_BYTES, user=None, case=None, note=None, via_portal=False):
    return services.upload_documents(
        contact=contact, files=[upload(name, content)], user=user, case=case, note=note, via_portal=via_portal
    )[0]
