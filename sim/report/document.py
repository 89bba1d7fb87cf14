"""The report as a list of blocks, written as self-contained HTML and as Markdown.

Both files come from the same blocks, so they hold the same text, tables and
figures. HTML embeds each figure as an SVG data URI (crisp at any zoom, opens
offline); Markdown links the PNG files beside it. Every table is also a CSV with
full-precision numbers.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.run import write_atomic


@dataclass
class Block:
    """One piece of the report: a heading, a paragraph, a bullet list, a table or a figure."""

    kind: str  # h1, h2, h3, p, ul, table, figure
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None  # shown (formatted strings)
    csv: pd.DataFrame | None = None  # written (full precision)
    name: str = ""
    png: bytes = b""
    svg: bytes = b""


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float, kind: str = "") -> str:
    """A number for reading: whole numbers with thousands separators from 100 up, else 3 significant digits."""
    if _missing(x):
        return "–"
    x = float(x)
    if kind == "pct":
        return f"{x:.0%}"
    if abs(x) >= 100:  # as decimals() does: no decimals from 100 up, else three significant digits
        s = f"{x:,.0f}"
    elif abs(x) >= 10:
        s = f"{x:.1f}"
    elif x == 0:
        s = "0"
    else:
        s = f"{x:.3g}"
    return s.replace("-", "−")


def signed(x: float) -> str:
    """A number with its sign (+ or −)."""
    s = num(x)
    return s if s.startswith("−") or s in ("0", "–") else "+" + s


def decimals(values: list[float]) -> int:
    """Decimals that give the largest of ``values`` three significant digits (none from 100 up).

    Used for a mean and its bounds together, or for a whole column of a table, so that
    they share one convention: ``0.630 (0.599 to 0.662)``, ``133,874 (48,150 to 372,200)``.
    """
    finite = [abs(float(v)) for v in values if not _missing(v) and math.isfinite(float(v))]
    top = max(finite, default=0.0)
    if top == 0.0 or top >= 100:
        return 0
    return min(8, max(0, 2 - math.floor(math.log10(top))))


def fixed(x: float, places: int, sign: bool = False) -> str:
    """``x`` with ``places`` decimals, thousands separators and a true minus (0 when it rounds to 0)."""
    if _missing(x):
        return "–"
    s = f"{float(x):,.{places}f}"
    if float(s.replace(",", "")) == 0:
        return "0"
    if sign and not s.startswith("-"):
        s = "+" + s
    return s.replace("-", "−")


def ci(m: float, lo: float, hi: float, sign: bool = False, places: int | None = None) -> str:
    """``mean (low to high)``, the three with the same decimals (:func:`decimals` of the three unless given)."""
    d = decimals([m, lo, hi]) if places is None else places
    if _missing(lo):
        return f"{fixed(m, d, sign)} (one world)"
    return f"{fixed(m, d, sign)} ({fixed(lo, d, sign)} to {fixed(hi, d, sign)})"


def ci_column(frame: pd.DataFrame, prefix: str, sign: bool = False) -> list[str]:
    """:func:`ci` of ``{prefix}_mean``, ``_ci95_low`` and ``_ci95_high`` per row, one convention for the column."""
    cols = [f"{prefix}_mean", f"{prefix}_ci95_low", f"{prefix}_ci95_high"]
    d = decimals(frame[cols].to_numpy(dtype=float).ravel().tolist())
    return [ci(r[cols[0]], r[cols[1]], r[cols[2]], sign, d) for _, r in frame.iterrows()]


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"\*([^*]+?)\*")  # after bold: an option's name in running text
_CODE = re.compile(r"`(.+?)`")


def plain(text: str) -> str:
    """Text without its bold and emphasis marks (for a terminal)."""
    return _EM.sub(r"\1", _BOLD.sub(r"\1", text))


def _inline(text: str) -> str:
    t = html.escape(text)
    t = _BOLD.sub(r"<strong>\1</strong>", t)
    t = _EM.sub(r"<em>\1</em>", t)
    return _CODE.sub(r"<code>\1</code>", t)


# A table's interval cells put the interval under the mean, so a cell is two short lines; the
# wrapper scrolls a table that is still too wide (a phone) instead of the whole page.
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1250px;margin:2em auto;padding:0 1.5em;
color:#1a1a1a;line-height:1.5;font-size:17px}
h1{font-size:2em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;padding-bottom:.2em}
.table{overflow-x:auto;max-width:100%;margin:1em 0}
table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums;line-height:1.35}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:right;vertical-align:top}
th{background:#eef4f8;vertical-align:bottom}td.num{white-space:nowrap}
td.text,th.text{text-align:left}td.text{min-width:8em;max-width:17em}
td:first-child{position:sticky;left:0;background:#fff}th:first-child{position:sticky;left:0}
.ci{display:block;color:#555;font-size:12px}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{color:#444;font-size:15px}
.summary{background:#f4f8fb;border-left:6px solid #0072B2;padding:.6em 1.2em;font-size:18px}
.csv{font-size:13px;color:#555}code{background:#f2f2f2;padding:0 3px}
"""


_INTERVAL = re.compile(r"^(\S+) \(((?:.+ to .+|one world))\)$")
_NUMBER = re.compile(r"^[+−-]?[\d,.]+%?$|^–$")


def _html_cell(value: object) -> str:
    """A table cell: a number right-aligned on one line, ``mean (low to high)`` as two, text on the left.

    The interval's line drops its brackets: under the mean, smaller and grey, it reads as
    the interval without them, and the column is narrower.
    """
    text = str(value)
    hit = _INTERVAL.match(text)
    if hit:
        mean, band = (html.escape(g) for g in hit.groups())
        return f'<td class="num">{mean} <span class="ci">{band}</span></td>'
    cls = "num" if _NUMBER.match(text) else "text"
    return f'<td class="{cls}">{html.escape(text)}</td>'


def _html_table(df: pd.DataFrame) -> str:
    rows = ["".join(_html_cell(v) for v in row) for row in df.itertuples(index=False)]
    # A head sits over its column: on the left over text, on the right over numbers.
    kinds = re.findall(r'<td class="(\w+)"', rows[0]) if rows else []
    left = {i for i, k in enumerate(kinds) if k == "text"}
    head = "".join(
        (f'<th class="text">{html.escape(str(c))}</th>' if i in left else f"<th>{html.escape(str(c))}</th>")
        for i, c in enumerate(df.columns)
    )
    rows = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def to_html(blocks: list[Block], title: str) -> str:
    """Self-contained HTML (figures embedded as SVG data URIs)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
    ]
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"<{b.kind}>{_inline(b.text)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{_inline(b.text)}</p>")
        elif b.kind == "ul":
            cls = ' class="summary"' if b.name == "summary" else ""
            out.append(f"<ul{cls}>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "table" and b.table is not None:
            if b.text:
                out.append(f"<p><strong>{_inline(b.text)}</strong></p>")
            out.append(_html_table(b.table))
            if b.name:
                out.append(f'<p class="csv">Table as CSV: <code>tables/{b.name}.csv</code></p>')
        elif b.kind == "figure":
            uri = "data:image/svg+xml;base64," + base64.b64encode(b.svg).decode()
            out.append(
                f'<figure><img src="{uri}" alt="{html.escape(b.text)}"><figcaption>{_inline(b.text)} '
                f"(<code>figures/{b.name}.png</code>, <code>.svg</code>)</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out)


def _md_table(df: pd.DataFrame) -> str:
    cells = [[str(c) for c in df.columns]] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    cells = [[c.replace("|", "\\|").replace("\n", " ") for c in row] for row in cells]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join("---" for _ in cells[0]) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
    return "\n".join(lines)


def to_markdown(blocks: list[Block]) -> str:
    """Markdown with the same content (figures linked as PNG files)."""
    out = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append("#" * int(b.kind[1]) + " " + b.text)
        elif b.kind == "p":
            out.append(b.text)
        elif b.kind == "ul":
            out.append("\n".join(f"- {i}" for i in b.items))
        elif b.kind == "table" and b.table is not None:
            if b.text:
                out.append(f"**{b.text}**")
            out.append(_md_table(b.table))
            if b.name:
                out.append(f"Table as CSV: `tables/{b.name}.csv`")
        elif b.kind == "figure":
            out.append(f"![{b.text}](figures/{b.name}.png)\n\n*{b.text}* (`figures/{b.name}.png`, `.svg`)")
    return "\n\n".join(out) + "\n"


def write(blocks: list[Block], folder: Path, title: str) -> list[Path]:
    """Write report.html, report.md, figures/ and tables/ into ``folder`` (each file atomically)."""
    folder = Path(folder)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written = []
    for b in blocks:
        if b.kind == "figure":
            for ext, data in (("png", b.png), ("svg", b.svg)):
                path = folder / "figures" / f"{b.name}.{ext}"
                write_atomic(path, data)
                written.append(path)
        elif b.kind == "table" and b.name and b.csv is not None:
            buf = io.StringIO()
            b.csv.to_csv(buf, index=False)
            path = folder / "tables" / f"{b.name}.csv"
            write_atomic(path, buf.getvalue().encode())
            written.append(path)
    for name, text in (("report.md", to_markdown(blocks)), ("report.html", to_html(blocks, title))):
        write_atomic(folder / name, text.encode())
        written.append(folder / name)
    return written
