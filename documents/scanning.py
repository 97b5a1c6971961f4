"""Virus scanning of uploads through clamd's INSTREAM command when CLAMD_ADDRESS is set.

With no scanner configured every file passes; with one configured, a file is stored only
when clamd answers OK (a scanner that cannot be reached refuses the upload rather than
letting it through unscanned)."""

import socket
import struct

from django.conf import settings

_CHUNK = 64 * 1024


class ScanFailed(Exception):
    """The scanner could not give an answer."""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address[len("unix:") :])
        return sock
    host, _, port = address.removeprefix("tcp:").rpartition(":")
    return socket.create_connection((host or "localhost", int(port)), timeout=timeout)


def scan_file(fileobj, *, address: str | None = None, timeout: float = 60.0) -> str | None:
    """The name of what clamd found in the file, or None when it is clean (or no scanner is set)."""
    address = settings.CLAMD_ADDRESS if address is None else address
    if not address:
        return None
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            fileobj.seek(0)
            for chunk in iter(lambda: fileobj.read(_CHUNK), b""):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScanFailed(f"the virus scanner could not be reached ({error.__class__.__name__})") from error
    finally:
        fileobj.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith(" OK"):
        return None
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip()
    raise ScanFailed(f"the virus scanner answered {answer[:80]!r}")
