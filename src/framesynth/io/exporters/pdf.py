"""The report as a print-quality PDF: the HTML report laid out on A4 by WeasyPrint.

The page is the one :func:`render_html` makes (figures are inlined ``data:`` PNGs), with
``templates/report.print.css`` on top: page numbers ("page N of M"), the report's title as
a running header after the first page, headings kept with what follows and quotes with
their attribution. Fonts are the system's (DejaVu on Debian), embedded in the file; nothing
is fetched: every URL other than ``data:`` is refused.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import IO

from framesynth.interpret.report import Report
from framesynth.io.exporters.html import render_html


def print_stylesheet() -> str:
    """The print stylesheet laid over the HTML report's own styles."""
    return (files("framesynth.io.exporters") / "templates" / "report.print.css").read_text(
        encoding="utf-8")


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=print_html(report), url_fetcher=fetcher, media_type="print")
    pdf: bytes = document.write_pdf(pdf_identifier=b"framesynth")
    return pdf


def print_html(report: Report) -> str:
    """The HTML report with the print stylesheet last in its head, so that it wins."""
    page = render_html(report)
    return page.replace("</head>", f"<style>\n{print_stylesheet()}</style>\n</head>", 1)


def write_pdf(report: Report, target: str | Path | IO[bytes]) -> None:
    """Write the report as PDF to a path or a binary file object."""
    data = render_pdf(report)
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
