"""The report's files: the one place that turns a built report into HTML, DOCX, Markdown
or PDF and audits an anonymised one for names before it is kept or sent. The CLI, the
demo, the web downloads and the background report job all go through here.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from framesynth.errors import InvalidArgument
from framesynth.interpret.audit import Identifier, refuse_leaks
from framesynth.interpret.report import Report
from framesynth.io.exporters.docx_report import write_docx
from framesynth.io.exporters.html import write_html
from framesynth.io.exporters.markdown import write_markdown
from framesynth.io.exporters.pdf import write_pdf

WRITERS: dict[str, Callable[[Report, Path], object]] = {
    "html": write_html, "docx": write_docx, "md": write_markdown, "pdf": write_pdf}
FORMATS = tuple(WRITERS)
# a download's name, media type and format; Markdown travels as a zip with its figures
DOWNLOADS = {
    "report.html": ("text/html", "html"),
    "report.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx"),
    "report.md.zip": ("application/zip", "md"),
    "report.pdf": ("application/pdf", "pdf"),
}


def check_format(fmt: str) -> str:
    if fmt not in WRITERS:
        raise InvalidArgument(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def write_report(report: Report, targets: dict[str, Path],
                 identifiers: Sequence[Identifier]) -> list[Path]:
    """Write ``report`` to each ``{format: path}``; an anonymised report is then audited,
    and if a known name remains every file is removed and NamesLeaked raised."""
    for fmt, target in targets.items():
        WRITERS[check_format(fmt)](report, target)
    if report.anonymised:
        refuse_leaks({str(path): path for path in targets.values()}, list(identifiers))
    return list(targets.values())


def report_bytes(report: Report, download: str, identifiers: Sequence[Identifier]) -> bytes:
    """The file a download of ``download`` (a name in :data:`DOWNLOADS`) sends, audited."""
    fmt = DOWNLOADS[download][1]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"report.{fmt}"
        WRITERS[fmt](report, target)
        data = _zipped(Path(folder)) if fmt == "md" else target.read_bytes()
    if report.anonymised:
        refuse_leaks({download: data}, list(identifiers))
    return data


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                package.write(path, path.relative_to(folder))
    return buffer.getvalue()
