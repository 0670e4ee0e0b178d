"""The REFI-QDA codebook exchange format (``.qdc``), read and written.

Codes keep their GUID, name, colour, codability and hierarchy; the description carries
the definition and framesynth's extra fields (:mod:`framesynth.io.refi.description`).
Reading is lenient where tools differ (Taguette writes an empty ``<Sets/>``) and strict
where data would be lost: a missing GUID or name, or a GUID used twice, is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from lxml import etree

from framesynth import __version__
from framesynth.errors import CorruptFile
from framesynth.frame.colours import colour_or_none
from framesynth.frame.framework import CodeSpec
from framesynth.io.refi.description import compose, parse_into
from framesynth.io.safe_xml import check_prolog, chunks_of, safe_parser

NS = "urn:QDA-XML:codebook:1.0"
Q = f"{{{NS}}}"


def read_qdc(path: str | Path, *, notes: list[str] | None = None) -> list[CodeSpec]:
    """The code trees of a ``.qdc`` file; what was dropped on the way goes to ``notes``."""
    try:
        data = Path(path).read_bytes()
        check_prolog(chunks_of(data), path=path)
        root = etree.fromstring(data, safe_parser())
    except (etree.XMLSyntaxError, OSError) as error:
        raise CorruptFile(f"not readable XML ({_first_line(error)})", path=path) from None
    if root.tag != f"{Q}CodeBook":
        raise CorruptFile(f"the root element is {etree.QName(root).localname}, not CodeBook "
                          f"in namespace {NS}", path=path)
    codes = root.find(f"{Q}Codes")
    if codes is None:
        raise CorruptFile("no <Codes> element", path=path)
    seen: set[str] = set()
    return [codes_from_element(element, path, seen, NS, notes)
            for element in codes.findall(f"{Q}Code")]


def codes_from_element(element: etree._Element, path: str | Path, seen: set[str],
                       namespace: str, notes: list[str] | None = None) -> CodeSpec:
    """One ``<Code>`` (codebook or project namespace) and its children; a colour that is
    not ``#rrggbb`` is dropped (other tools write odd ones), with a line in ``notes``."""
    guid = (element.get("guid") or "").strip("{}").lower()
    name = element.get("name")
    line = f"line {element.sourceline}"
    if not guid or name is None:
        raise CorruptFile("a <Code> lacks its guid or name", path=path, where=line)
    if guid in seen:
        raise CorruptFile(f"GUID {guid} is used by two codes", path=path, where=line)
    seen.add(guid)
    colour = colour_or_none(element.get("color"), notes, f"code {name!r} ({line})")
    spec = CodeSpec(name=name.replace("/", "-").strip() or "(unnamed)", colour=colour,
                    codable=element.get("isCodable", "true").lower() in {"true", "1"},
                    guid=guid)
    description = element.find(f"{{{namespace}}}Description")
    if description is not None and description.text:
        parse_into(spec, description.text)
    spec.children = [codes_from_element(child, path, seen, namespace, notes)
                     for child in element.findall(f"{{{namespace}}}Code")]
    return spec


def write_qdc(specs: list[CodeSpec], target: str | Path | IO[bytes]) -> None:
    """Write a ``.qdc`` codebook to a path or a binary file object."""
    root = etree.Element(f"{Q}CodeBook", nsmap={None: NS}, origin=f"framesynth {__version__}")
    codes = etree.SubElement(root, f"{Q}Codes")
    for spec in specs:
        code_element(codes, spec, NS)
    tree = etree.ElementTree(root)
    tree.write(target if not isinstance(target, Path) else str(target), xml_declaration=True,
               encoding="utf-8", pretty_print=True)


def code_element(parent: etree._Element, spec: CodeSpec, namespace: str) -> etree._Element:
    """A ``<Code>`` for ``spec`` (and its children) under ``parent``."""
    element = etree.SubElement(parent, f"{{{namespace}}}Code", guid=str(spec.guid),
                               name=spec.name, isCodable="true" if spec.codable else "false")
    if spec.colour:
        element.set("color", spec.colour)
    description = compose(spec)
    if description:
        etree.SubElement(element, f"{{{namespace}}}Description").text = description
    for child in spec.children:
        code_element(element, child, namespace)
    return element


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:100] if str(error) else error.__class__.__name__
