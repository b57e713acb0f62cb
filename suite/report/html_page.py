"""report.html's tables: their CSS (the page's too) and the HTML of a cell, a table and a card.

A figure that could not be observed shows as "—" with its reason, never as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from suite.report.sections import Cell

DASH = "—"

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2329;
background:#f6f7f9;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:22px;margin:0 0 4px;word-break:break-all}
h2{font-size:17px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid #dde1e6}
.meta{color:#56606b;margin:2px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;font-size:13px;
vertical-align:middle;margin-left:8px;letter-spacing:.04em}
.pass{background:#dcf3e3;color:#146c2e}.fail{background:#fbe0de;color:#a4221a}
.inconclusive{background:#fdf0d0;color:#7a5200}.incomplete{background:#e6e0f8;color:#4b2a9a}
.banner{border:2px solid #4b2a9a;background:#f1edfc;color:#2e1a66;border-radius:8px;padding:10px 14px;
margin:12px 0;font-weight:600}ul.verdict{margin:6px 0 0 0;color:#3a434d}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px}
.card .k{color:#56606b;font-size:12px}.card .v{font-size:18px;font-weight:650;margin-top:2px}
.card .s{color:#56606b;font-size:12px}
table{border-collapse:collapse;background:#fff;border:1px solid #e1e4e8;font-size:13px;margin:6px 0}
th,td{padding:4px 9px;border-bottom:1px solid #eceef1;text-align:right;white-space:nowrap}
th{background:#f0f2f5;font-weight:600}
td.l,th.l{text-align:left}td.wrap{white-space:normal;min-width:220px}
tr.bad td{background:#fff4f3}
.ok{color:#146c2e;font-weight:700}.ko{color:#a4221a;font-weight:700}
.null{color:#8a6d00}.why{color:#8a6d00;font-size:12px;white-space:normal}
table.jobs{font-size:12px}table.jobs td,table.jobs th{padding:3px 6px}
figure{background:#fff;border:1px solid #e1e4e8;border-radius:8px;margin:14px 0;padding:10px 12px}
figure img{display:block;width:100%;height:auto}
figcaption{color:#56606b;font-size:13px;margin-top:4px}
figcaption b{color:#1d2329}
.note{color:#56606b;font-size:13px}
.scroll{overflow-x:auto}
code{background:#eef0f3;padding:0 4px;border-radius:3px}
"""


# --- formatting ------------------------------------------------------------------------------------


def fnum(value: Any, digits: int = 2) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return escape(str(value))


def cell(value: Any, reason: str | None = None, digits: int = 2, suffix: str = "") -> str:
    """A figure's text; null is an em dash with its reason (as a tooltip; shown in full elsewhere)."""
    if value is None:
        title = f' title="{escape(reason)}"' if reason else ""
        return f'<span class="null"{title}>{DASH}</span>'
    return fnum(value, digits) + suffix


def pct(value: Any, reason: str | None = None) -> str:
    return cell(None if value is None else 100.0 * float(value), reason, 1, "%")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    left: int = 1,
    classes: Sequence[str] = (),
    cls: str = "",
) -> str:
    """Cells are HTML already. The first `left` columns are left-aligned; `classes` are per row."""
    head = "".join(f'<th class="{"l" if i < left else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for k, row in enumerate(rows):
        row_cls = f' class="{classes[k]}"' if k < len(classes) and classes[k] else ""
        tds = "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(row))
        body.append(f"<tr{row_cls}>{tds}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{attr}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def card(key: str, value: str, sub: str = "", reason: str | None = None) -> str:
    """`reason`: why the card's figure is null, shown under it."""
    s = f'<div class="s">{sub}</div>' if sub else ""
    s += f'<div class="s">{why(reason)}</div>' if reason else ""
    return f'<div class="card"><div class="k">{escape(key)}</div><div class="v">{value}</div>{s}</div>'


def why(reason: str | None) -> str:
    return f'<span class="why">{escape(reason)}</span>' if reason else ""


def html_cell(c: Cell) -> str:
    """A section cell (suite.report.sections) as report.html shows it."""
    if c.kind == "num":
        return cell(c.value, c.reason, c.digits)
    if c.kind == "pct":
        return pct(c.value, c.reason)
    if c.kind == "code":
        return f"<code>{escape(str(c.value))}</code>"
    if c.kind == "why":
        return why(c.value)
    if c.kind == "ok":
        if c.value == "inconclusive":
            return '<span class="ko">INCONCLUSIVE</span>'
        return '<span class="ok">pass</span>' if c.value is True else '<span class="ko">FAIL</span>'
    return escape(str(c.value))
