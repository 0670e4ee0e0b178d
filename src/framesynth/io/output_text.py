"""The text of an output file, part by part, for the name audit.

Each reader yields ``(where, text)`` pairs: HTML text (block elements as paragraphs) and
attribute values (``alt``, ``title`` ..., not ``data:`` URIs); DOCX paragraphs, tables,
headers, footers and core properties; PDF pages, document information and
bookmarks (:mod:`pypdf`); Markdown and the SVGs in the folder beside it
(``report_files/*.svg`` text nodes); every cell of every XLSX sheet; every CSV cell; a
REFI ``.qdpx`` (``project.qde`` text and attributes, ``sources/*.txt``); and a ``.zip`` of
any of these. Zips and XML are opened through :mod:`framesynth.io.archive` and
:mod:`framesynth.io.safe_xml`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from framesynth.errors import CorruptFile, UnsupportedFormat
from framesynth.io.archive import Archive, check_archive
from framesynth.io.safe_xml import check_prolog, chunks_of, safe_parser

Parts = Iterator[tuple[str, str]]
BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr",
          "table", "br", "blockquote", "figcaption", "figure", "section", "article", "header",
          "footer", "nav", "caption", "dt", "dd", "pre", "title", "body", "head"}
SKIPPED_ATTRIBUTES = {"class", "style", "id", "href", "src", "width", "height", "viewBox",
                      "d", "transform", "points", "x", "y", "fill", "stroke"}
SUFFIXES = (".html", ".htm", ".docx", ".pdf", ".md", ".markdown", ".svg", ".xlsx", ".csv", ".txt",
            ".qdpx", ".zip", ".json")


def output_parts(path: str | Path, data: bytes | None = None) -> Parts:
    """``(where, text)`` for every part of the file; ``data`` instead of reading it."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise UnsupportedFormat(f"cannot audit {suffix or 'a file without suffix'} files; "
                                f"use one of {', '.join(SUFFIXES)}", path=path)
    raw = path.read_bytes() if data is None else data
    yield from reader(path, raw)
    if suffix in {".md", ".markdown"} and data is None:
        for svg in sorted(path.with_name(f"{path.stem}_files").glob("*.svg")):
            yield from ((f"{svg.name}, {where}", text) for where, text
                        in svg_parts(svg, svg.read_bytes()))


def _text(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorruptFile("not UTF-8 text", path=path) from None


def text_parts(path: Path, data: bytes) -> Parts:
    yield "text", _text(data, path)


def html_parts(path: Path, data: bytes) -> Parts:
    """The page's text with block elements as paragraphs, then attribute values."""
    try:
        root = lxml_html.document_fromstring(data.decode("utf-8", errors="replace"))
    except (etree.ParserError, ValueError):
        yield "text", ""
        return
    for bad in root.iter("style"):
        bad.text = ""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    yield "text", root.text_content()
    yield from _attributes(root)


def _attributes(root: etree._Element) -> Parts:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = etree.QName(name).localname if "}" in name else name
            if local not in SKIPPED_ATTRIBUTES and not value.startswith("data:"):
                yield f"<{etree.QName(element).localname} {local}>", value


def _xml(path: Path, data: bytes, where: str | None = None) -> etree._Element:
    check_prolog(chunks_of(data), path=path, where=where)
    try:
        return etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise CorruptFile(f"not well-formed XML ({error})", path=path, where=where) from None


def svg_parts(path: Path, data: bytes) -> Parts:
    """Text nodes and comments (matplotlib writes each label as a comment beside its
    glyphs)."""
    root = _xml(path, data)
    texts = [t for t in root.itertext() if t.strip()]
    texts += [c.text for c in root.iter(etree.Comment) if c.text and c.text.strip()]
    yield "text", "\n\n".join(t.strip() for t in texts)


def xml_parts(path: Path, data: bytes, where: str = "") -> Parts:
    """Text nodes and attribute values of an XML document (a REFI project.qde)."""
    root = _xml(path, data, where or None)
    yield f"{where} text".strip(), "\n\n".join(t for t in root.itertext() if t.strip())
    for element in root.iter():
        if isinstance(element.tag, str):
            for name, value in element.attrib.items():
                if etree.QName(name).localname.lower() not in {"guid", "targetguid"}:
                    yield f"{where} {etree.QName(element).localname} {name}".strip(), value


def docx_parts(path: Path, data: bytes) -> Parts:
    import docx

    check_archive(data, path=path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise CorruptFile(f"not a valid Word file ({error})", path=path) from None
    for number, paragraph in enumerate(document.paragraphs, start=1):
        yield f"paragraph {number}", paragraph.text
    for number, table in enumerate(document.tables, start=1):
        for row in table.rows:
            yield f"table {number}", "\n\n".join(cell.text for cell in row.cells)
    for number, section in enumerate(document.sections, start=1):
        for part_name in ("header", "footer", "first_page_header", "first_page_footer"):
            part = getattr(section, part_name)
            text = "\n\n".join(p.text for p in part.paragraphs)
            yield f"section {number} {part_name.replace('_', ' ')}", text
    props = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments", "last_modified_by",
                 "category"):
        yield f"property {name}", getattr(props, name) or ""


def pdf_parts(path: Path, data: bytes) -> Parts:
    """Each page's text, the document information (title, author ...) and the bookmarks."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, object] = dict(reader.metadata or {})
        outline = list(_bookmarks(reader.outline))
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise CorruptFile(f"not a valid PDF file ({error})", path=path) from None
    for number, text in enumerate(pages, start=1):
        yield f"page {number}", text
    for key, value in info.items():
        yield f"property {str(key).lstrip('/').lower()}", str(value)
    if outline:
        yield "bookmarks", "\n\n".join(outline)


def _bookmarks(items: list) -> Iterator[str]:  # type: ignore[type-arg]
    for item in items:
        if isinstance(item, list):
            yield from _bookmarks(item)
        elif getattr(item, "title", None):
            yield str(item.title)


def xlsx_parts(path: Path, data: bytes) -> Parts:
    from openpyxl import load_workbook

    check_archive(data, path=path)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise CorruptFile(f"not a valid Excel file ({error})", path=path) from None
    for sheet in book.worksheets:
        yield f"sheet {sheet.title} name", sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and hasattr(cell, "coordinate"):
                    yield f"sheet {sheet.title}, {cell.coordinate}", str(cell.value)
    book.close()


def csv_parts(path: Path, data: bytes) -> Parts:
    rows = csv.reader(io.StringIO(_text(data, path)))
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value:
                yield f"row {number}, column {column}", value


def zip_parts(path: Path, data: bytes) -> Parts:
    """Each member of a zip (or a REFI .qdpx) read by its own suffix."""
    try:
        archive = Archive(data, path=path)
    except zipfile.BadZipFile:
        raise CorruptFile("not a valid zip file", path=path) from None
    with archive:
        for name in archive.names():
            suffix = Path(name).suffix.lower()
            if name.endswith("/") or (suffix not in READERS and suffix != ".qde"):
                continue
            member = archive.read(name)
            if suffix == ".qde":
                yield from xml_parts(path, member, where=f"member {name}")
                continue
            yield from ((f"{name}, {where}", text)
                        for where, text in READERS[suffix](path / name, member))


READERS: dict[str, Callable[[Path, bytes], Parts]] = {
    ".html": html_parts, ".htm": html_parts, ".docx": docx_parts, ".pdf": pdf_parts, ".md": text_parts,
    ".markdown": text_parts, ".txt": text_parts, ".json": text_parts, ".svg": svg_parts,
    ".xlsx": xlsx_parts, ".csv": csv_parts, ".qdpx": zip_parts, ".zip": zip_parts,
}
