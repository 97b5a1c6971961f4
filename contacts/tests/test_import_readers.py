"""Reading uploaded files: encodings, delimiters, quoted newlines, Excel sheets, bad files."""

import codecs
import datetime
import io
import re
import zipfile

import openpyxl
import pytest

from contacts.importing.readers import UnreadableFile, open_table

HEADER = ["First Name", "Last Name", "City"]
ROW = ["Zoë", "Müller", "Señora Peña"]


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def csv_text(rows, delimiter=","):
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.mark.parametrize(
    "encoded, expected",
    [
        (csv_text([HEADER, ROW]).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text([HEADER, ROW]).encode("utf-8"), "utf-8-sig"),
        (csv_text([HEADER, ROW]).encode("utf-16"), "utf-16"),
        (csv_text([HEADER, ROW]).encode("utf-16-le"), "utf-16-le"),
        (csv_text([HEADER, ROW]).encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le-no-bom", "cp1252"],
)
def test_each_encoding_is_detected_and_read(tmp_path, encoded, expected):
    table = open_table(write(tmp_path, "people.csv", encoded))
    assert table.encoding == expected
    assert table.headers == HEADER
    assert list(table.rows()) == [(2, ROW)]


def test_cp1252_curly_quotes_and_euro_sign_are_read(tmp_path):
    text = csv_text([["Name", "Note"], ["Ann", "“5 € fee”"]])
    table = open_table(write(tmp_path, "p.csv", text.encode("cp1252")))
    assert list(table.rows()) == [(2, ["Ann", "“5 € fee”"])]


def test_the_user_can_override_the_encoding(tmp_path):
    path = write(tmp_path, "p.csv", csv_text([HEADER, ROW]).encode("latin-1"))
    table = open_table(path, encoding="latin-1")
    assert table.encoding == "latin-1"
    assert list(table.rows())[0][1] == ROW


def test_a_wrong_encoding_override_gets_a_plain_message(tmp_path):
    path = write(tmp_path, "p.csv", csv_text([HEADER, ROW]).encode("cp1252"))
    with pytest.raises(UnreadableFile, match="cannot be read as utf-8"):
        open_table(path, encoding="utf-8")


def test_utf16_chosen_for_a_file_without_a_byte_order_mark_gets_a_plain_message(tmp_path):
    # Python's UTF-16 decoder raises UnicodeError (not UnicodeDecodeError) without a BOM.
    path = write(tmp_path, "p.csv", csv_text([HEADER, ROW]).encode("utf-8"))
    with pytest.raises(UnreadableFile, match="cannot be read as utf-16"):
        open_table(path, encoding="utf-16")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_delimiters_are_sniffed(tmp_path, delimiter):
    rows = [HEADER, ["Ann", "Lee", "Chicago, IL" if delimiter != "," else "Chicago"], ["Bo", "Ray", "Austin"]]
    table = open_table(write(tmp_path, "p.csv", csv_text(rows, delimiter).encode()))
    assert table.delimiter == delimiter
    assert [cells for _line, cells in table.rows()] == rows[1:]


def test_quoted_newlines_stay_in_the_cell_and_line_numbers_follow_the_file(tmp_path):
    content = 'Name,Notes\r\nAnn,"first line\r\nsecond line"\r\nBo,plain\r\n'
    table = open_table(write(tmp_path, "p.csv", content.encode()))
    assert list(table.rows()) == [(2, ["Ann", "first line\r\nsecond line"]), (4, ["Bo", "plain"])]


def test_blank_rows_are_skipped(tmp_path):
    table = open_table(write(tmp_path, "p.csv", b"Name,City\r\n,\r\nAnn,Rome\r\n"))
    assert list(table.rows()) == [(3, ["Ann", "Rome"])]


def xlsx_bytes(sheets: dict) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_several_sheets_reads_the_chosen_one(tmp_path):
    content = xlsx_bytes({"Summary": [["Report"], ["x"]], "Clients": [HEADER, ROW]})
    path = write(tmp_path, "book.xlsx", content)
    first = open_table(path)
    assert first.sheets == ["Summary", "Clients"]
    assert first.sheet == "Summary"
    chosen = open_table(path, sheet="Clients")
    assert chosen.headers == HEADER
    assert list(chosen.rows()) == [(2, ROW)]
    with pytest.raises(UnreadableFile, match="no sheet named"):
        open_table(path, sheet="Missing")


def test_xlsx_dates_numbers_and_formulas_are_read_as_values(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Birthday", "Zip", "Total"])
    sheet.append(["Ann", datetime.datetime(1985, 3, 12), 60601, "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl writes no cached value for a formula: put one in, as Excel does when it saves.
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>1\+1</f>(<v\s*/>|<v></v>)?", b"<f>1+1</f><v>2</v>", data)
            target.writestr(item, data)
    table = open_table(write(tmp_path, "book.xlsx", patched.getvalue()))
    assert list(table.rows()) == [(2, ["Ann", "1985-03-12", "60601", "2"])]


def test_a_truncated_xlsx_gets_a_clear_message(tmp_path):
    content = xlsx_bytes({"Sheet": [HEADER, ROW]})
    with pytest.raises(UnreadableFile, match="damaged or incomplete"):
        open_table(write(tmp_path, "cut.xlsx", content[: len(content) // 2]))


def test_a_zip_bomb_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    with pytest.raises(UnreadableFile, match="zip bomb"):
        open_table(write(tmp_path, "bomb.xlsx", buffer.getvalue()))


def test_binary_garbage_is_refused(tmp_path):
    garbage = bytes(range(256)) * 40
    with pytest.raises(UnreadableFile, match="binary data"):
        open_table(write(tmp_path, "photo.csv", garbage))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(UnreadableFile, match="empty"):
        open_table(write(tmp_path, "empty.csv", b""))


def test_an_old_xls_file_is_explained(tmp_path):
    with pytest.raises(UnreadableFile, match="97–2003"):
        open_table(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
