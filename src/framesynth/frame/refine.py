"""Refining the framework while charting: rename, move, merge, split, retire.

No refinement drops a coding. Merge moves codings to the surviving code and collapses
only exact duplicates (same source, range and coder); split moves codings whose text
matches a new code's keyword rule and leaves the rest on the original code, listed for
review; retire keeps a code's codings and only stops new ones. Each change is recorded
with who and when (:mod:`framesynth.frame.history`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.frame.colours import check_colour
from framesynth.frame.framework import (
    CodeSpec,
    FrameworkError,
    add_code,
    check_name,
    code_path,
)
from framesynth.frame.history import record_change
from framesynth.frame.keywords import KeywordRule
from framesynth.store.models import Code, Coding, Memo


def rename_code(session: Session, code: Code, new_name: str, *, actor: str) -> Code:
    name = check_name(new_name)
    before = code_path(code)
    _check_free(session, code.framework, code.parent, name, except_code=code)
    code.name = name
    record_change(session, "rename", actor=actor, framework=code.framework, code=code.id,
                  before=before, after=code_path(code))
    return code


def move_code(session: Session, code: Code, new_parent: Code | None, *, actor: str) -> Code:
    """Put ``code`` (with its sub-codes) under ``new_parent`` (None: the top level)."""
    if new_parent is not None and (new_parent.id == code.id or _is_below(new_parent, code)):
        raise FrameworkError(f"cannot move {code_path(code)!r} under itself")
    if new_parent is not None and new_parent.framework != code.framework:
        raise FrameworkError("cannot move a code into another framework")
    _check_free(session, code.framework, new_parent, code.name, except_code=code)
    before = code_path(code)
    code.parent = new_parent
    code.position = len(new_parent.children) if new_parent else 0
    record_change(session, "move", actor=actor, framework=code.framework, code=code.id,
                  before=before, after=code_path(code))
    return code


def merge_codes(session: Session, source: Code, target: Code, *, actor: str) -> int:
    """Merge ``source`` into ``target``: its codings, memos and sub-codes move to
    ``target``; ``source`` is retired. Returns how many codings moved."""
    if source.id == target.id:
        raise FrameworkError(f"cannot merge {code_path(source)!r} into itself")
    if _is_below(target, source):
        raise FrameworkError(f"cannot merge {code_path(source)!r} into its own sub-code "
                             f"{code_path(target)!r}")
    if source.framework != target.framework:
        raise FrameworkError("cannot merge codes of different frameworks")
    moved = collapsed = 0
    kept = {(c.source_id, c.start, c.end, c.coder, c.status)
            for c in session.scalars(select(Coding).where(Coding.code_id == target.id))}
    for coding in session.scalars(select(Coding).where(Coding.code_id == source.id)):
        key = (coding.source_id, coding.start, coding.end, coding.coder, coding.status)
        if key in kept:
            session.delete(coding)
            collapsed += 1
        else:
            coding.code_id = target.id
            kept.add(key)
            moved += 1
    for memo in session.scalars(select(Memo).where(Memo.code_id == source.id)):
        memo.code_id = target.id
    for child in list(source.children):
        child.parent = target
    before = code_path(source)
    source.retired = True
    record_change(session, "merge", actor=actor, framework=source.framework, code=source.id,
                  before=before, after=code_path(target), codings_moved=moved,
                  duplicates_collapsed=collapsed)
    return moved + collapsed


@dataclass
class SplitResult:
    new_codes: list[Code]
    reassigned: dict[str, int] = field(default_factory=dict)
    to_review: list[Coding] = field(default_factory=list)


def split_code(session: Session, code: Code, parts: dict[str, list[str]], *, actor: str
               ) -> SplitResult:
    """Split ``code`` into sub-codes named by ``parts`` (name -> keyword rules).

    A coding whose text matches exactly one part's rules moves to that part; codings that
    match none or several stay on ``code`` and are returned for review.
    """
    if len(parts) < 2:
        raise FrameworkError("a split needs at least two new codes")
    new_codes = [add_code(session, CodeSpec(name=name, keywords=list(rules)), parent=code,
                          framework=code.framework) for name, rules in parts.items()]
    rules = {new.id: KeywordRule.compile(new.keywords) for new in new_codes}
    result = SplitResult(new_codes, {new.name: 0 for new in new_codes})
    for coding in session.scalars(select(Coding).where(Coding.code_id == code.id)):
        matched = [new for new in new_codes if rules[new.id].matches(coding.text)]
        if len(matched) == 1:
            coding.code_id = matched[0].id
            result.reassigned[matched[0].name] += 1
        else:
            result.to_review.append(coding)
    record_change(session, "split", actor=actor, framework=code.framework, code=code.id,
                  into=[code_path(new) for new in new_codes], reassigned=result.reassigned,
                  left_for_review=len(result.to_review))
    return result


def retire_code(session: Session, code: Code, *, actor: str, retired: bool = True) -> Code:
    """Retire (or, with ``retired=False``, restore) a code; its codings stay."""
    code.retired = retired
    record_change(session, "retire" if retired else "restore", actor=actor,
                  framework=code.framework, code=code.id, path=code_path(code))
    return code


def update_code(session: Session, code: Code, *, actor: str, **fields: object) -> Code:
    """Change a code's definition, rules, examples, keywords, colour or codability."""
    allowed = {"definition", "inclusion", "exclusion", "examples", "keywords", "colour",
               "codable"}
    unknown = set(fields) - allowed
    if unknown:
        raise FrameworkError(f"cannot change {sorted(unknown)[0]!r} of a code")
    if "colour" in fields:
        fields["colour"] = check_colour(fields["colour"])  # type: ignore[arg-type]
    for name, value in fields.items():
        setattr(code, name, value)
    record_change(session, "edit", actor=actor, framework=code.framework, code=code.id,
                  path=code_path(code), fields=sorted(fields))
    return code


def _is_below(code: Code, ancestor: Code) -> bool:
    node = code.parent
    while node is not None:
        if node.id == ancestor.id:
            return True
        node = node.parent
    return False


def _check_free(session: Session, framework: str, parent: Code | None, name: str, *,
                except_code: Code) -> None:
    query = select(Code).where(Code.framework == framework, Code.retired.is_(False))
    query = query.where(Code.parent_id == parent.id if parent else Code.parent_id.is_(None))
    for sibling in session.scalars(query):
        if sibling.id != except_code.id and sibling.name.casefold() == name.casefold():
            raise FrameworkError(f"a code {name!r} already exists there")
