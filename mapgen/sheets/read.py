"""Sheet files -> rows of cells, within bounds a MAP sheet never comes near.

Every limit is checked before memory is spent on it: the file's size from the file system; for
XLSX, the uncompressed size of every part from the zip directory (zipfile never inflates a part
past its declared size) and the rows, cells per row and columns of each worksheet by a streaming
scan of its XML, all before openpyxl opens the workbook (openpyxl reads the whole shared-strings
table even in read-only mode); for CSV, the encoding, the length of each line and the number of
cells in each row. Anything past a limit is refused with exit 2, one line per problem.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mapgen.errors import InvalidInput, Problem, UsageError, did_you_mean

MAX_FILE_BYTES = 10_000_000
MAX_ROWS = 5_000
"""Rows with something in them."""
MAX_ROW_INDEX = 100_000
"""The last row number a sheet may use, blank rows included."""
MAX_COLUMNS = 200
MAX_CELLS = 200_000
"""Cells in one sheet, filled or not: a 500-step plan with 20 columns has 10,000."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for one cell."""
MAX_LINE_CHARS = 262_144
"""One physical CSV line; a quoted cell with line breaks spans several."""
MAX_PART_BYTES = 16_000_000
"""One part of an XLSX file, uncompressed (a worksheet's XML, the styles...)."""
MAX_SHARED_STRINGS_BYTES = 8_000_000
"""The shared-strings table, uncompressed: openpyxl holds all of it in memory."""
MAX_TOTAL_BYTES = 64_000_000
MAX_PARTS = 1_000
MAX_PROBLEMS = 20
_SNIFF_CHARS = 65_536
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", None),
    (b"\x00\x00\xfe\xff", None),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]|\br=\"([A-Z]{1,3})\d+\"")


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA: how spreadsheets name a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def read_rows(path: Path, sheet: str | None = None) -> list[list[Any]]:
    """Every row of a CSV or of one XLSX worksheet, each cell checked against the limits."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(f"cannot read {path}: no such file")
    if suffix == ".xls":
        raise UsageError(f"{path}: the old .xls format is not supported; save it as .xlsx or .csv")
    if suffix not in (".xlsx", ".xlsm") and sheet is not None:
        raise UsageError("--sheet only applies to .xlsx files")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        _refuse(path.name, f"the file is {size:,} bytes; sheets up to {MAX_FILE_BYTES:,} bytes are read")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    return _read_csv(path)


def _refuse(name: str, *messages: str) -> None:
    raise InvalidInput([Problem(message, file=name) for message in messages])


# --------------------------------------------------------------------------- CSV


def decode(raw: bytes, name: str) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; nothing else."""
    if raw.startswith(b"PK\x03\x04"):
        _refuse(name, "this is a zip file (an .xlsx workbook?), not CSV text: give it the .xlsx suffix")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            if encoding is None:
                _refuse(name, "UTF-32 text is not read: save the sheet as CSV UTF-8")
            try:
                return raw.decode(encoding)  # type: ignore[arg-type]
            except UnicodeDecodeError as exc:
                _refuse(name, f"the byte-order mark says {encoding.upper()}, but byte {exc.start:,} is not")  # type: ignore[union-attr]
    if b"\x00" in raw:
        _refuse(
            name,
            "the file has NUL bytes: UTF-16 without a byte-order mark, or not a text file; "
            "save the sheet as CSV UTF-8",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        _refuse(
            name,
            f"the text is neither UTF-8 nor Windows-1252 (byte {exc.start:,} is 0x{raw[exc.start]:02X}); "
            "save the sheet as CSV UTF-8",
        )
    raise AssertionError("unreachable")


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """csv's field limit is process-wide: raise it for one read, then put it back."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _lines(text: str, name: str) -> Iterator[str]:
    """The physical lines of a CSV, each refused past the line limit before csv splits it."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            _refuse(
                name, f"line {number:,} has {len(line):,} characters; lines up to {MAX_LINE_CHARS:,} are read"
            )
        yield line


def _read_csv(path: Path) -> list[list[Any]]:
    name = path.name
    text = decode(path.read_bytes(), name)
    sample = "\n".join(line for line in text[:_SNIFF_CHARS].splitlines()[:30] if line.strip())
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    rows: list[list[Any]] = []
    problems: list[Problem] = []
    filled = total = 0
    with _field_limit(MAX_FILE_BYTES + 1):
        for number, row in enumerate(csv.reader(_lines(text, name), dialect), start=1):
            while row and not row[-1].strip():
                row.pop()
            if len(row) > MAX_COLUMNS:
                _refuse(
                    name,
                    f"row {number:,} has {len(row):,} cells; sheets up to {MAX_COLUMNS} columns are read",
                )
            for index, cell in enumerate(row):
                if len(cell) > MAX_CELL_CHARS:
                    problems.append(_too_long(name, number, index, len(cell)))
            filled, total = filled + bool(row), total + len(row)
            if filled > MAX_ROWS or number > MAX_ROW_INDEX:
                _refuse(name, f"more than {MAX_ROWS:,} rows")
            if total > MAX_CELLS:
                _refuse(name, f"more than {MAX_CELLS:,} cells")
            rows.append(row)
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise InvalidInput(problems)
    return rows


def _too_long(name: str, row: int, index: int, length: int) -> Problem:
    return Problem(
        f"the cell has {length:,} characters; cells up to {MAX_CELL_CHARS:,} are read",
        file=f"{name}:row {row}, column {column_letter(index)}",
    )


# --------------------------------------------------------------------------- XLSX


def check_xlsx(path: Path) -> None:
    """Refuse a workbook whose parts would expand past the limits, before anything is inflated
    beyond what the zip directory declares; then scan each worksheet's rows and cells."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"cannot read {path} as an xlsx workbook: {exc}") from None
    with archive:
        infos = archive.infolist()
        problems = []
        if len(infos) > MAX_PARTS:
            problems.append(f"the workbook has {len(infos):,} parts; up to {MAX_PARTS:,} are read")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            problems.append(f"the workbook expands to {total:,} bytes; up to {MAX_TOTAL_BYTES:,} are read")
        for info in infos:
            cap = MAX_SHARED_STRINGS_BYTES if info.filename.endswith("sharedStrings.xml") else MAX_PART_BYTES
            if info.file_size > cap:
                what = (
                    "its shared-strings table" if cap == MAX_SHARED_STRINGS_BYTES else f"part {info.filename}"
                )
                problems.append(f"{what} expands to {info.file_size:,} bytes; up to {cap:,} are read")
        if problems:
            _refuse(name, *problems)
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                try:
                    with archive.open(info) as part:
                        _scan_worksheet(part, name)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise UsageError(f"cannot read {path} as an xlsx workbook: {exc}") from None


def _scan_worksheet(part: Any, name: str) -> None:
    """Count rows and cells per row in a worksheet's XML as it streams past, in constant memory."""
    rows = cells = total = 0
    buffer = b""
    while True:
        chunk = part.read(1 << 20)
        data = buffer + chunk
        limit = len(data) if not chunk else max(0, len(data) - 256)
        done = 0
        for match in _TAG.finditer(data):
            if match.end() > limit:
                break
            done = match.end()
            tag, letters = match.groups()
            if tag == b"row":
                rows, cells = rows + 1, 0
                if rows > MAX_ROW_INDEX:
                    _refuse(name, f"a worksheet has more than {MAX_ROW_INDEX:,} rows")
            elif tag == b"c":
                cells, total = cells + 1, total + 1
                if total > MAX_CELLS:
                    _refuse(name, f"a worksheet has more than {MAX_CELLS:,} cells")
                if cells > MAX_COLUMNS:
                    _refuse(name, f"row {rows:,} of a worksheet has more than {MAX_COLUMNS} cells; "
                            f"sheets up to {MAX_COLUMNS} columns are read")  # fmt: skip
            elif letters and _column_number(letters) > MAX_COLUMNS:
                column = letters.decode()
                _refuse(
                    name, f"a worksheet uses column {column}; sheets up to {MAX_COLUMNS} columns are read"
                )
        if not chunk:
            return
        buffer = data[max(done, limit - 256) :]


def _read_xlsx(path: Path, sheet: str | None) -> list[list[Any]]:
    check_xlsx(path)
    from openpyxl import load_workbook

    name = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise UsageError(f"cannot read {path} as an xlsx workbook: {exc}") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            names = ", ".join(book.sheetnames)
            raise UsageError(
                f"{path} has no sheet '{sheet}'{did_you_mean(sheet, book.sheetnames)}; sheets: {names}"
            )
        worksheet.reset_dimensions()
        rows: list[list[Any]] = []
        problems: list[Problem] = []
        filled = 0
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROW_INDEX:
                _refuse(name, f"more than {MAX_ROW_INDEX:,} rows")
            cells = list(row)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                _refuse(
                    name,
                    f"row {number:,} has {len(cells):,} cells; sheets up to {MAX_COLUMNS} columns are read",
                )
            for index, value in enumerate(cells):
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    problems.append(_too_long(name, number, index, len(value)))
            filled += bool(cells)
            if filled > MAX_ROWS:
                _refuse(name, f"more than {MAX_ROWS:,} rows")
            rows.append(cells)
            if len(problems) >= MAX_PROBLEMS:
                break
    finally:
        book.close()
    if problems:
        raise InvalidInput(problems)
    return rows
