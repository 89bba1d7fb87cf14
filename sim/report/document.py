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


def num(x: float, kind: str = "") -> str:
    """A number for reading: thousands separators for kEUR, 3 significant digits for shares."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    if kind == "pct":
        return f"{x:.0%}"
    if abs(x) >= 1000:
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


def ci(m: float, lo: float, hi: float, sign: bool = False) -> str:
    """``mean (low to high)``."""
    f = signed if sign else num
    if lo is None or (isinstance(lo, float) and math.isnan(lo)):
        return f"{f(m)} (one world)"
    return f"{f(m)} ({f(lo)} to {f(hi)})"


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`(.+?)`")


def _inline(text: str) -> str:
    t = html.escape(text)
    t = _BOLD.sub(r"<strong>\1</strong>", t)
    return _CODE.sub(r"<code>\1</code>", t)


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1250px;margin:2em auto;padding:0 1.5em;
color:#1a1a1a;line-height:1.5;font-size:17px}
h1{font-size:2em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:14px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#eef4f8}td:first-child,th:first-child{text-align:left}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{color:#444;font-size:15px}
.summary{background:#f4f8fb;border-left:6px solid #0072B2;padding:.6em 1.2em;font-size:18px}
.csv{font-size:13px;color:#555}code{background:#f2f2f2;padding:0 3px}
"""


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
            out.append(b.table.to_html(index=False, escape=True, border=0))
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
