"""The report as one self-contained HTML file (figures inlined as base64 PNG)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import IO

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from framesynth.interpret.report import Report, Table


def _table(table: Table) -> Markup:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return Markup(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def render_html(report: Report) -> str:
    environment = Environment(loader=PackageLoader("framesynth.io.exporters", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    images = {f.key: base64.b64encode(f.png).decode("ascii") for f in report.figures()}
    return template.render(report=report, images=images, table=_table)


def write_html(report: Report, target: str | Path | IO[str]) -> None:
    text = render_html(report)
    if isinstance(target, (str, Path)):
        Path(target).write_text(text, encoding="utf-8")
    else:
        target.write(text)
