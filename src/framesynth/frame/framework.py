"""The coding framework: a tree of codes (themes > sub-themes > codes, any depth).

A code is named by its path, ``Theme/Sub-theme/Code``. The shared framework is called
``main``; each researcher may keep a draft framework under another name (``draft:ruth``)
and merge it later (:mod:`framesynth.frame.merge`). Codes are never deleted: retiring
hides a code from new coding but keeps its codings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framesynth.errors import FramesynthError, InvalidArgument, NotFound
from framesynth.frame.colours import check_colour, colour_or_none
from framesynth.store.models import Code

MAIN = "main"
GUID_NAMESPACE = uuid.UUID("6f1c2b7e-2a51-4d0e-9a3b-5e7c1f0a9d42")


class FrameworkError(FramesynthError):
    """A framework file or change that cannot be applied."""

    code = "FS201"


@dataclass
class CodeSpec:
    """A code as written in a framework file, before it is stored."""

    name: str
    colour: str | None = None
    definition: str = ""
    inclusion: list[str] = field(default_factory=list)
    exclusion: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    codable: bool = True
    guid: str | None = None
    children: list[CodeSpec] = field(default_factory=list)

    def walk(self, prefix: str = "") -> Iterator[tuple[str, CodeSpec]]:
        path = f"{prefix}/{self.name}" if prefix else self.name
        yield path, self
        for child in self.children:
            yield from child.walk(path)


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or "/" in name:
        raise InvalidArgument(f"a code name must be non-empty and without '/': {name!r}")
    return name


def code_path(code: Code) -> str:
    """``Theme/Sub-theme/Code``."""
    parts = []
    node: Code | None = code
    while node is not None:
        parts.append(node.name)
        node = node.parent
    return "/".join(reversed(parts))


def new_guid(framework: str, path: str) -> str:
    """A stable GUID for a new code (uuid5 of framework and path), as REFI-QDA wants."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{framework}:{path}:{uuid.uuid4()}"))


def framework_codes(session: Session, framework: str = MAIN, *, retired: bool = False
                    ) -> list[Code]:
    """Every code of a framework in tree order (parents before children)."""
    codes = list(session.scalars(select(Code).where(Code.framework == framework)))
    by_parent: dict[int | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []

    def visit(parent: int | None) -> None:
        for code in sorted(by_parent.get(parent, []), key=lambda c: (c.position, c.id)):
            if retired or not code.retired:
                ordered.append(code)
                visit(code.id)

    visit(None)
    return ordered


def frameworks(session: Session) -> list[str]:
    return list(session.scalars(select(Code.framework).distinct().order_by(Code.framework)))


def find_code(session: Session, path: str, framework: str = MAIN) -> Code:
    """The code at ``path`` (``Theme/Code``); a bare name works when it is unique."""
    wanted = [check_name(part) for part in path.strip("/").split("/")]
    matches = [code for code in framework_codes(session, framework, retired=True)
               if _path_parts(code)[-len(wanted):] == wanted]
    exact = [code for code in matches if len(_path_parts(code)) == len(wanted)]
    found = exact or matches
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no code {path!r} in framework {framework!r}")
    options = ", ".join(code_path(code) for code in found)
    raise InvalidArgument(f"code {path!r} is ambiguous: {options}")


def _path_parts(code: Code) -> list[str]:
    return code_path(code).split("/")


def add_code(session: Session, spec: CodeSpec, *, parent: Code | None = None,
             framework: str = MAIN) -> Code:
    """Store ``spec`` (and its children) under ``parent``."""
    name = check_name(spec.name)
    siblings = _children(session, framework, parent)
    if any(s.name.casefold() == name.casefold() and not s.retired for s in siblings):
        where = code_path(parent) if parent else "the top level"
        raise FrameworkError(f"a code {name!r} already exists under {where}")
    code = Code(framework=framework, parent=parent, name=name, colour=check_colour(spec.colour),
                definition=spec.definition.strip(), inclusion=list(spec.inclusion),
                exclusion=list(spec.exclusion), examples=list(spec.examples),
                keywords=list(spec.keywords), codable=spec.codable,
                position=len(siblings),
                guid=spec.guid or new_guid(framework, name))
    session.add(code)
    session.flush()
    for child in spec.children:
        add_code(session, child, parent=code, framework=framework)
    return code


def _children(session: Session, framework: str, parent: Code | None) -> list[Code]:
    query = select(Code).where(Code.framework == framework)
    query = query.where(Code.parent_id == parent.id if parent else Code.parent_id.is_(None))
    return list(session.scalars(query))


def load_framework(session: Session, specs: list[CodeSpec], *, framework: str = MAIN,
                   replace: bool = False) -> list[Code]:
    """Add the codes of a framework file; with ``replace``, only into an empty framework."""
    if replace is False and _count(session, framework):
        raise FrameworkError(f"framework {framework!r} already has codes; import into a new "
                             "framework (--framework NAME) and merge it")
    _check_unique_guids(session, specs)
    return [add_code(session, spec, framework=framework) for spec in specs]


def _count(session: Session, framework: str) -> int:
    return session.scalar(select(func.count(Code.id)).where(Code.framework == framework)) or 0


def _check_unique_guids(session: Session, specs: list[CodeSpec]) -> None:
    """GUIDs must be unique in the file; a GUID another framework of the project already
    uses (a draft copied from the shared framework) is replaced by a new one."""
    guids = [spec.guid for top in specs for _, spec in top.walk() if spec.guid]
    if len(guids) != len(set(guids)):
        raise FrameworkError("the framework file gives the same GUID to two codes")
    taken = set(session.scalars(select(Code.guid).where(Code.guid.in_(guids))))
    for top in specs:
        for path, spec in top.walk():
            if spec.guid in taken:
                spec.guid = new_guid("copy", path)


def to_specs(session: Session, framework: str = MAIN) -> list[CodeSpec]:
    """The framework as :class:`CodeSpec` trees (retired codes left out)."""
    specs: dict[int, CodeSpec] = {}
    roots: list[CodeSpec] = []
    for code in framework_codes(session, framework):
        spec = CodeSpec(code.name, colour_or_none(code.colour, None, code.name),
                        code.definition, list(code.inclusion),
                        list(code.exclusion), list(code.examples), list(code.keywords),
                        code.codable, code.guid)
        specs[code.id] = spec
        if code.parent_id is None:
            roots.append(spec)
        elif code.parent_id in specs:
            specs[code.parent_id].children.append(spec)
    return roots


def snapshot(session: Session, framework: str = MAIN) -> dict[str, dict[str, Any]]:
    """``{code id: {path, definition, ...}}``: what history and diff compare."""
    return {
        str(code.id): {"path": code_path(code), "definition": code.definition,
                       "inclusion": code.inclusion, "exclusion": code.exclusion,
                       "codable": code.codable, "retired": code.retired}
        for code in framework_codes(session, framework, retired=True)
    }
