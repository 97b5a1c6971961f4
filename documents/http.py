"""Responses that hand a private file to a browser, with the headers that keep it safe."""

from pathlib import PurePosixPath
from urllib.parse import quote

from django.http import FileResponse
from unidecode import unidecode

# A preview may show an image or a PDF and nothing else: no script, no styles from elsewhere.
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _ascii_fallback(filename: str) -> str:
    """A plain ASCII name for old clients: transliterated, without quotes or backslashes."""
    suffix = PurePosixPath(filename).suffix
    text = unidecode(filename)
    text = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in text).strip() or "download"
    if len(text) > 150:
        ascii_suffix = unidecode(suffix)[:12]
        text = text[: 150 - len(ascii_suffix)] + ascii_suffix
    return text


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in `filename*`."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def private_file_response(fileobj, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    response = FileResponse(fileobj, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_CSP
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response
