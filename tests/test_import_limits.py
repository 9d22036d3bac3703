"""Hostile sheets: every one is refused by `mapgen import` with exit 2, one line per problem, no
traceback and nothing written, within a bounded amount of memory (measured on the child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapgen.sheets import read

MEMORY_LIMIT_KB = 200 * 1024
_RUN = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "mapgen", "import", *sys.argv[1:]], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "err": done.stderr, "out": done.stdout, "peak_kb": peak}))
"""


def _minimal_xlsx(path: Path, sheet_xml: bytes, shared: bytes | None = None) -> Path:
    """A workbook written part by part, as a hostile one would be (no library in the way)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><worksheet ' + ns.encode() + b"><sheetData>"
                   + sheet_xml + b"</sheetData></worksheet>")  # fmt: skip
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", b"<sst " + ns.encode() + b">" + shared + b"</sst>")
    return path


def expanding_shared_strings(tmp: Path) -> Path:
    cell = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    return _minimal_xlsx(tmp / "bomb.xlsx", b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', cell * 20_000)


def very_wide_row(tmp: Path) -> Path:
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(1_500_000))
    return _minimal_xlsx(tmp / "wide.xlsx", b'<row r="1">' + cells + b"</row>")


def wide_row_within_part_size(tmp: Path) -> Path:
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(5_000))
    return _minimal_xlsx(tmp / "wide-small.xlsx", b'<row r="1">' + cells + b"</row>")


def many_cells(tmp: Path) -> Path:
    row = b"".join(b"<c><v>1</v></c>" for _ in range(100))
    return _minimal_xlsx(tmp / "many.xlsx", b"".join(b"<row>" + row + b"</row>" for _ in range(3_000)))


def far_column(tmp: Path) -> Path:
    return _minimal_xlsx(tmp / "far.xlsx", b'<row r="1"><c r="XFD1"><v>1</v></c></row>')


def huge_xlsx_cell(tmp: Path) -> Path:
    def row(number: int, *texts: str) -> bytes:
        cells = "".join(
            f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{t}</t></is></c>' for i, t in enumerate(texts)
        )
        return f'<row r="{number}">{cells}</row>'.encode()

    sheet = row(1, "Task", "Owner", "Notes") + row(2, "Kickoff", "Jane Doe", "x" * 40_000)
    return _minimal_xlsx(tmp / "huge-cell.xlsx", sheet)


def huge_csv_cell(tmp: Path) -> Path:
    path = tmp / "huge-cell.csv"
    path.write_text('Task,Owner,Notes\nKickoff,Jane Doe,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    return path


def one_line_csv(tmp: Path) -> Path:
    path = tmp / "one-line.csv"
    path.write_bytes(b"a," * 4_000_000)
    return path


def oversized_file(tmp: Path) -> Path:
    path = tmp / "big.csv"
    with path.open("wb") as handle:
        handle.write(b"Task,Owner\n")
        handle.truncate(read.MAX_FILE_BYTES + 1)
    return path


def utf16_without_bom(tmp: Path) -> Path:
    path = tmp / "utf16.csv"
    path.write_bytes("Task,Owner\nKickoff,Jane\n".encode("utf-16-le"))
    return path


def neither_utf8_nor_cp1252(tmp: Path) -> Path:
    path = tmp / "shift-jis.csv"
    path.write_bytes(b"Task,Owner\n" + "見積".encode("shift_jis") + b"\x81\x8d,Jane\n")
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "expanding shared strings": (expanding_shared_strings, "shared-strings table expands to"),
    "a row of 1.5 million cells": (very_wide_row, "expands to"),
    "a row of 5,000 cells": (wide_row_within_part_size, "more than 200 cells"),
    "300,000 cells": (many_cells, "more than 200,000 cells"),
    "a cell in column XFD": (far_column, "uses column XFD"),
    "a 40,000-character XLSX cell": (huge_xlsx_cell, "row 2, column C: the cell has 40,000 characters"),
    "a 200,000-character CSV cell": (huge_csv_cell, "row 2, column C: the cell has 200,000 characters"),
    "an 8 MB one-line CSV": (one_line_csv, "line 1 has 8,000,000 characters"),
    "a file over the size cap": (oversized_file, "bytes; sheets up to 10,000,000 bytes are read"),
    "UTF-16 without a byte-order mark": (utf16_without_bom, "NUL bytes"),
    "neither UTF-8 nor cp1252": (neither_utf8_nor_cp1252, "neither UTF-8 nor Windows-1252"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_sheet_is_refused_in_bounded_memory(tmp_path: Path, case: str) -> None:
    build, message = HOSTILE[case]
    sheet = build(tmp_path)
    out = tmp_path / "plan.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(sheet), "-o", str(out)], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report["code"] == 2, report["err"]
    assert "Traceback" not in report["err"] and message in report["err"], report["err"]
    assert len(report["err"].strip().splitlines()) <= 2
    assert not out.exists()
    assert report["peak_kb"] < MEMORY_LIMIT_KB, f"peak {report['peak_kb']} KB"


def test_a_sheet_at_the_limits_still_imports(tmp_path: Path) -> None:
    """The limits leave room for any real plan: 1,000 steps with notes import."""
    from mapgen.sheets.options import ImportOptions, import_sheet

    sheet = tmp_path / "big-plan.csv"
    notes = "n" * 300
    sheet.write_text(
        "Task,Owner,Side,Due,Notes\n"
        + "".join(
            f"Step {i},Person {i % 40},{'Buyer' if i % 2 else 'Seller'},2027-03-05,{notes}\n"
            for i in range(1_000)
        ),
        encoding="utf-8",
    )
    result = import_sheet(sheet, ImportOptions())
    assert result.actions == 1_000 and result.stakeholders == 40


HEADERS = ["Step", "Owner", "Owner (Customer)", "Owner (Us)", "Side", "Role/Contact", "Due", "Status",
           "Depends On", "Contributors", "Milestone", "Phase", "#"]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6, unique=True),
    cells=st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=8),
)
def test_any_sheet_is_imported_or_refused_never_crashes(
    tmp_path: Path, header: list[str], cells: list[list[str]]
) -> None:
    """Whatever the cells hold, import gives a plan or input errors (exit 2), never a bug (exit 1)."""
    import contextlib
    import csv
    import io

    from mapgen.errors import MapgenError
    from mapgen.sheets.options import ImportOptions, import_sheet

    out = io.StringIO()
    csv.writer(out).writerows([header, *cells])
    sheet = tmp_path / "fuzz.csv"
    sheet.write_text(out.getvalue(), encoding="utf-8")
    with contextlib.suppress(MapgenError):
        import_sheet(sheet, ImportOptions())
