"""XML that cannot expand, fetch or hide text: no entities, no external DTD, no huge trees.

lxml with ``resolve_entities=False`` keeps an entity reference as a node, so ``.text``
stops at it and the words after it vanish from the import. A document that declares
entities (``<!DOCTYPE x [<!ENTITY ...>]>``) or names an external DTD is therefore refused
with :class:`UnsafeXml`; none of the formats framesynth reads (REFI-QDA, Office Open XML,
OpenDocument) needs either. The DTD can only stand before the root element, so the check
reads the prolog only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from framesynth.errors import UnsafeXml

CHUNK = 64 * 1024


def safe_parser() -> etree.XMLParser:
    """The one lxml parser framesynth reads untrusted XML with."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


def check_prolog(chunks: Iterable[bytes], *, path: str | Path,
                 where: str | None = None) -> None:
    """Refuse a document whose DOCTYPE declares entities or names an external DTD.

    ``chunks`` are read only until the root element starts; malformed XML is left to the
    real parser to report."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
    try:
        for chunk in chunks:
            parser.feed(chunk)
            for _event, element in parser.read_events():
                _check_docinfo(element.getroottree().docinfo, path=path, where=where)
                return
    except etree.XMLSyntaxError:
        return


def _check_docinfo(docinfo: etree.DocInfo, *, path: str | Path, where: str | None) -> None:
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        names = ", ".join(sorted(str(entity.name) for entity in dtd.iterentities()))
        raise UnsafeXml(f"the XML declares entities ({names}); framesynth does not expand "
                        "entities, save the file again without them", path=path, where=where)
    external = docinfo.system_url or docinfo.public_id
    if external:
        raise UnsafeXml(f"the XML refers to an external DTD ({external}); framesynth reads "
                        "no DTD", path=path, where=where)


def chunks_of(data: bytes) -> Iterable[bytes]:
    """``data`` in pieces for :func:`check_prolog`, which stops at the root element."""
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]
