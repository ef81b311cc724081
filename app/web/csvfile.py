"""CSV downloads that open correctly in Excel and LibreOffice: UTF-8 with a byte-order
mark (Excel reads Kazakh letters as mojibake without it), CRLF line ends, a header row,
and cells that would start a formula (=, +, -, @, a tab or a carriage return) defused
with a leading apostrophe, as OWASP advises for user-written text (petition titles)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows_to_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def download(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    response = Response(rows_to_text(header, rows), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
