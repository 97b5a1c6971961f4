"""Reading uploaded CSV and XLSX files as a header and a stream of rows, with line numbers.

Files are streamed (never read whole into memory). Every way a file can be unreadable ends
in `UnreadableFile` with a message staff can act on.
"""

import codecs
import csv
import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

SAMPLE_SIZE = 64 * 1024
# An .xlsx whose parts would unpack to more than this, or 100× their packed size, is refused.
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 100
ENCODING_CHOICES = [
    ("", "Detect automatically"),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Windows (cp1252)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
]
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why in plain words."""


@dataclass
class Table:
    """A readable file: its header, its format details and a fresh row iterator each call."""

    path: Path
    file_format: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)

    def rows(self, start_line: int = 2) -> Iterator[tuple[int, list[str]]]:
        """(line number as a spreadsheet shows it, cell texts) for each non-empty data row."""
        reader = _csv_rows(self) if self.file_format == "csv" else _xlsx_rows(self)
        for line, cells in reader:
            if line < start_line:
                continue
            if any(cell.strip() for cell in cells):
                yield line, cells


def open_table(path, *, original_name: str = "", encoding: str = "", sheet: str = "", delimiter: str = "") -> Table:
    """Open a CSV or XLSX file; `encoding` and `sheet` override what is detected."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("The file is empty.")
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_SIZE)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, sheet)
    suffix = Path(original_name or path.name).suffix.lower()
    if suffix in (".xls", ".xlsx", ".xlsm") or head.startswith(b"\xd0\xcf\x11\xe0"):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UnreadableFile(
                "This is an old Excel 97–2003 (.xls) file. Open it in Excel and save it as .xlsx or CSV."
            )
        raise UnreadableFile("This file is not a valid Excel (.xlsx) file: it may be damaged or incomplete.")
    return _open_csv(path, head, encoding, delimiter)


# CSV


def detect_encoding(head: bytes) -> str:
    """The encoding of a text sample: a BOM first, then strict UTF-8, then the best guess."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_utf16_without_bom(head):
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    if b"\x00" in head:
        raise UnreadableFile("This does not look like a CSV or Excel file (it contains binary data).")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head, cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman"]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in ("latin_1", "iso8859_1"):
        return "latin-1"
    if guess == "cp1252" or not guess:
        return "cp1252"
    return guess


def _looks_utf16_without_bom(head: bytes) -> bool:
    sample = head[:2000]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) > half * 0.6 and min(even_nuls, odd_nuls) < half * 0.1


def _binary_garbage(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(text) // 50)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV sample: comma, semicolon, tab or vertical bar."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    header = lines[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _open_text(path: Path, encoding: str):
    # newline="" keeps quoted newlines inside cells for the csv module.
    return path.open("r", encoding=encoding, errors="strict", newline="")


def _open_csv(path: Path, head: bytes, encoding: str, delimiter: str = "") -> Table:
    encoding = encoding or detect_encoding(head)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UnreadableFile(f"“{encoding}” is not a text encoding we know.") from None
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeError:  # a byte that does not decode, or (UTF-16) no byte-order mark
        raise UnreadableFile(
            f"The file cannot be read as {encoding}. Choose another encoding (try Windows cp1252 or UTF-16)."
        ) from None
    sample = sample.lstrip("\ufeff")
    if _binary_garbage(sample):
        raise UnreadableFile("This does not look like a CSV or Excel file (it contains binary data).")
    delimiter = delimiter or sniff_delimiter(sample)
    table = Table(path=path, file_format="csv", headers=[], encoding=encoding, delimiter=delimiter)
    for _line, cells in _csv_rows(table, header=True):
        table.headers = [cell.strip() for cell in cells]
        break
    if not any(table.headers):
        raise UnreadableFile("The first row of the file should name the columns, but it is empty.")
    return table


def _csv_rows(table: Table, header: bool = False) -> Iterator[tuple[int, list[str]]]:
    try:
        with _open_text(table.path, table.encoding) as handle:
            reader = csv.reader(handle, delimiter=table.delimiter or ",")
            line = 1
            for cells in reader:
                if line == 1 and cells and cells[0].startswith("\ufeff"):
                    cells[0] = cells[0][1:]
                yield line, cells
                # A quoted cell may span lines: the next record starts on the reader's line.
                line = reader.line_num + 1
                if header:
                    return
    except UnicodeError as error:
        where = f" near byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        raise UnreadableFile(
            f"The file stops being readable as {table.encoding}{where}. "
            "Choose another encoding, or save the file as UTF-8."
        ) from None
    except csv.Error as error:
        raise UnreadableFile(f"The CSV file is malformed near line {line}: {error}.") from None


# XLSX


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UnreadableFile("This Excel file is damaged or incomplete (it may have been cut short).") from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked / packed > MAX_XLSX_RATIO:
        raise UnreadableFile(
            "This Excel file unpacks to far more data than it holds (a “zip bomb”), so it was refused."
        )
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("This zip file is not an Excel workbook (.xlsx).")


def _load_workbook(path: Path):
    import openpyxl

    # openpyxl parses through defusedxml when it is installed (it is pinned in requirements).
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged workbook
        raise UnreadableFile("This Excel file is damaged or incomplete and cannot be opened.") from None


def _open_xlsx(path: Path, sheet: str) -> Table:
    _check_zip(path)
    workbook = _load_workbook(path)
    try:
        sheets = list(workbook.sheetnames)
        if not sheets:
            raise UnreadableFile("This Excel file has no sheets.")
        if sheet and sheet not in sheets:
            raise UnreadableFile(f"This Excel file has no sheet named “{sheet}”.")
    finally:
        workbook.close()
    table = Table(path=path, file_format="xlsx", headers=[], sheet=sheet or sheets[0], sheets=sheets)
    for _line, cells in _xlsx_rows(table, header=True):
        table.headers = [cell.strip() for cell in cells]
        break
    if not any(table.headers):
        raise UnreadableFile(f"The first row of the sheet “{table.sheet}” should name the columns, but it is empty.")
    return table


def cell_text(value) -> str:
    """A spreadsheet value as the text a CSV would hold: dates as ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(table: Table, header: bool = False) -> Iterator[tuple[int, list[str]]]:
    workbook = _load_workbook(table.path)
    try:
        worksheet = workbook[table.sheet]
        for line, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in row]
            if header:
                return
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        raise UnreadableFile("This Excel file is damaged or incomplete and cannot be read to the end.") from None
    finally:
        workbook.close()


def sample_rows(table: Table, limit: int = 5) -> list[list[str]]:
    rows = []
    for _line, cells in table.rows():
        rows.append(cells)
        if len(rows) >= limit:
            break
    return rows


def describe_delimiter(delimiter: str) -> str:
    return DELIMITERS.get(delimiter, repr(delimiter))
