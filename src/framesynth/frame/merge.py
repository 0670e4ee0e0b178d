"""Merging researchers' draft frameworks into the shared one.

Each draft code is matched to a code of the target framework:

1. by name: the same name (ignoring case and spacing) under a parent that matches;
2. by meaning: otherwise, the target code whose name and definition embed closest to the
   draft code's, if they are each other's closest match (mutual nearest neighbours among
   the draft's and the target's codes) and their cosine similarity reaches
   ``similarity``. Short definitions embed noisily, so the mutual test does most of the
   work and the default threshold (0.5) only keeps out codes that are nothing alike.

A matched code keeps the target's name; the draft's rules, examples and keywords are
added to it, and a different non-empty definition is a *conflict* for a human to settle
(the target's definition is kept). An unmatched code is added under its matched parent.
The report lists every decision; ``dry_run`` makes it without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from framesynth.embeddings import Embedder, embed
from framesynth.frame.colours import colour_or_none
from framesynth.frame.framework import (
    MAIN,
    CodeSpec,
    FrameworkError,
    add_code,
    code_path,
    framework_codes,
)
from framesynth.frame.history import record_change
from framesynth.store.models import Code


@dataclass
class MergeDecision:
    draft: str
    draft_path: str
    action: str  # matched by name | matched by meaning | added | conflict
    target_path: str
    similarity: float | None = None
    note: str = ""


@dataclass
class MergeReport:
    decisions: list[MergeDecision] = field(default_factory=list)

    @property
    def conflicts(self) -> list[MergeDecision]:
        return [d for d in self.decisions if d.action == "conflict"]


def merge_drafts(session: Session, drafts: list[str], *, embedder: Embedder,
                 into: str = MAIN, similarity: float = 0.5, actor: str,
                 dry_run: bool = False) -> MergeReport:
    """Merge each draft framework in turn into ``into``."""
    report = MergeReport()
    for draft in drafts:
        if draft == into:
            raise FrameworkError(f"cannot merge framework {draft!r} into itself")
        codes = framework_codes(session, draft)
        if not codes:
            raise FrameworkError(f"framework {draft!r} has no codes")
        _Merger(session, draft, into, embedder, similarity, dry_run, report).run(codes)
    if not dry_run:
        record_change(session, "merge-drafts", actor=actor, framework=into, drafts=drafts,
                      conflicts=len(report.conflicts))
    return report


def describe_code(code: Code) -> str:
    """What is embedded to compare two codes by meaning."""
    return f"{code.name}. {code.definition}".strip()


class _Merger:
    def __init__(self, session: Session, draft: str, into: str, embedder: Embedder,
                 similarity: float, dry_run: bool, report: MergeReport):
        self.session, self.draft, self.into = session, draft, into
        self.embedder, self.similarity, self.dry_run = embedder, similarity, dry_run
        self.report = report
        self.mapping: dict[int, Code | None] = {}

    def run(self, codes: list[Code]) -> None:
        cache = None if self.dry_run else self.session  # a dry run writes nothing at all
        targets = framework_codes(self.session, self.into)
        vectors = embed(cache, self.embedder, [describe_code(c) for c in targets]) \
            if targets else np.zeros((0, 1), dtype=np.float32)
        drafts = embed(cache, self.embedder, [describe_code(c) for c in codes])
        scores = drafts @ vectors.T if len(targets) else np.zeros((len(codes), 0))
        for row, code in enumerate(codes):
            self.mapping[code.id] = self._merge_one(code, row, scores, targets)

    def _merge_one(self, code: Code, row: int, scores: np.ndarray, targets: list[Code]
                   ) -> Code | None:
        parent = self.mapping.get(code.parent_id) if code.parent_id else None
        by_name = [t for t in targets if _same(t.name, code.name)
                   and (t.parent_id == (parent.id if parent else None) or code.parent_id is None)]
        if by_name:
            return self._combine(code, by_name[0], "matched by name", None)
        if len(targets):
            best = int(np.argmax(scores[row]))
            mutual = int(np.argmax(scores[:, best])) == row
            if mutual and float(scores[row, best]) >= self.similarity:
                return self._combine(code, targets[best], "matched by meaning",
                                     float(scores[row, best]))
        return self._add(code, parent)

    def _combine(self, code: Code, target: Code, how: str, score: float | None) -> Code:
        conflict = bool(code.definition.strip() and target.definition.strip()
                        and _norm(code.definition) != _norm(target.definition))
        if not self.dry_run:
            target.inclusion = _union(target.inclusion, code.inclusion)
            target.exclusion = _union(target.exclusion, code.exclusion)
            target.examples = _union(target.examples, code.examples)
            target.keywords = _union(target.keywords, code.keywords)
            if not target.definition.strip():
                target.definition = code.definition
        note = f"definition differs: {code.definition!r}" if conflict else ""
        self.report.decisions.append(MergeDecision(
            self.draft, code_path(code), "conflict" if conflict else how, code_path(target),
            score, note))
        return target

    def _add(self, code: Code, parent: Code | None) -> Code | None:
        target_parent = f"{code_path(parent)}/" if parent else ""
        self.report.decisions.append(MergeDecision(self.draft, code_path(code), "added",
                                                   target_parent + code.name))
        if self.dry_run:
            return None
        spec = CodeSpec(code.name, colour_or_none(code.colour, None, code.name),
                        code.definition, list(code.inclusion),
                        list(code.exclusion), list(code.examples), list(code.keywords),
                        code.codable)
        return add_code(self.session, spec, parent=parent, framework=self.into)


def _same(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _union(first: list[str], second: list[str]) -> list[str]:
    seen = {_norm(item) for item in first}
    return [*first, *[item for item in second if _norm(item) not in seen]]
