"""Running auto-coding on a project, storing its suggestions, and reviewing them.

Suggestions are stored as codings by coder ``auto:<method>`` with a score and status
``pending``. They never replace or hide a person's codings: a suggestion is not stored
where a person has already applied that code to the unit, and re-running a method
replaces only its own pending suggestions. Accepting one creates the reviewer's own
coding (an ordinary, logged :func:`apply_code`) and marks the suggestion accepted;
rejecting marks it rejected, so it is not suggested again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from framesynth.embeddings import Embedder
from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.units import Unit, units
from framesynth.frame.framework import MAIN, find_code, framework_codes
from framesynth.index.autocode import (
    EmbeddingCoder,
    KeywordCoder,
    LabelledUnits,
    Suggestion,
    SupervisedCoder,
    Uncovered,
    leave_out_uncovered,
    uncovered_sources,
)
from framesynth.index.coding import apply_code
from framesynth.index.eligible import MIN_WORDS, eligible_units
from framesynth.store.events import log_event
from framesynth.store.ids import get_by_id
from framesynth.store.models import Code, Coding, utcnow

METHODS = ("keyword", "semantic", "supervised", "tuned")

# methods that use a model trained beforehand (`framesynth tune`), not one fitted here
PRETRAINED_METHODS = ("tuned",)


class Runner(Protocol):
    """Where a fitted coder's suggestions are computed (default: ``coder.suggest`` here;
    :class:`framesynth.index.distributed.DaskRunner`: on Dask workers)."""

    def suggest(self, coder: Any, units: Sequence[Unit], session: Session
                ) -> list[Suggestion]: ...


def labelled_units(session: Session, unit_kind: str, *, coder: str | None = None,
                   source_ids: set[int] | None = None) -> list[tuple[Unit, set[int]]]:
    """Units of the sources a person coded, each with the codes touching it.

    :param coder: only this coder's codings (and sources); default: every person.
    """
    query = select(Coding.source_id, Coding.start, Coding.end, Coding.code_id).where(
        Coding.status.is_(None))
    if coder is not None:
        query = query.where(Coding.coder == coder)
    if source_ids is not None:
        query = query.where(Coding.source_id.in_(source_ids))
    by_source: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for source_id, start, end, code_id in session.execute(query):
        by_source[source_id].append((start, end, code_id))
    if not by_source:
        return []
    result = []
    for unit in units(session, unit_kind, source_ids=set(by_source)):
        codes = {code for start, end, code in by_source[unit.source_id]
                 if unit.touched_by(start, end)}
        result.append((unit, codes))
    return result


@dataclass
class AutocodeResult:
    method: str
    units: int
    stored: int
    skipped_human: int
    recalibrated_on: int = 0  # semantic: human-coded units its confidence was refitted on
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> units (.eligible)
    min_words: int = MIN_WORDS
    below_min_score: int = 0
    untrained_codes: list[str] = field(default_factory=list)
    uncovered: Uncovered | None = None  # sources the embedder's languages leave out


def check_method(method: str) -> str:
    """``method`` if it is an auto-coding method (:data:`METHODS`), else InvalidArgument."""
    if method not in METHODS:
        raise InvalidArgument(f"method {method!r} is not one of: {', '.join(METHODS)}")
    return method


def needs_embedder(method: str) -> bool:
    """Whether ``method`` scores units with sentence embeddings (all but keyword rules)."""
    return check_method(method) != "keyword"


def make_coder(method: str, *, embedder: Embedder | None, threshold: float | None,
               top_k: int, model_version: int | None = None):  # type: ignore[no-untyped-def]
    if not needs_embedder(method):
        return KeywordCoder()
    if method == "tuned":  # a stored fine-tuned model (index.tuned_models), loaded at fit
        from framesynth.index.tuned_models import StoredTunedCoder

        return StoredTunedCoder(model_version, threshold=threshold, top_k=top_k)
    if embedder is None:
        raise InvalidArgument(f"method {method!r} needs an embedder")
    if method == "semantic":
        return EmbeddingCoder(embedder, threshold=threshold, top_k=top_k)
    return SupervisedCoder(embedder, threshold=threshold, top_k=top_k)


def run_autocode(session: Session, method: str, *, unit: str = "turn",
                 codes: Sequence[str] | None = None, threshold: float | None = None,
                 top_k: int = 3, train_coder: str | None = None,
                 embedder: Embedder | None = None, model_version: int | None = None,
                 min_score: float | None = None, actor: str,
                 runner: Runner | None = None) -> AutocodeResult:
    """Suggest codes for the project's eligible units (:mod:`.eligible`) with one method
    and store the suggestions; ``min_score``: store only those scoring at least this.

    :param model_version: ``tuned``: which stored version (default: the newest).
    :param runner: computes the suggestions of the fitted coder (default: in this
        process); fitting and storing stay here, in this session's transaction.
    """
    chosen = _chosen_codes(session, codes)
    coder = make_coder(method, embedder=embedder, threshold=threshold, top_k=top_k,
                       model_version=model_version)
    eligible = eligible_units(session, unit)
    targets = eligible.units
    training: LabelledUnits = ()
    if method == "supervised":
        if not train_coder:
            raise InvalidArgument("the supervised method needs --train-coder NAME")
        training = _covered(session, embedder, labelled_units(session, unit, coder=train_coder),
                            train_coder)
        trained_sources = {u.source_id for u, _ in training}
        targets = [u for u in targets if u.source_id not in trained_sources]
    elif method == "semantic":
        training = _covered(session, embedder, labelled_units(session, unit), None)
    uncovered = None
    if embedder is not None and method != "keyword":
        targets, uncovered = leave_out_uncovered(session, embedder, targets, unit=unit)
    coder.fit(chosen, training, session=session)
    suggestions = (runner.suggest(coder, targets, session) if runner is not None
                   else coder.suggest(targets, session=session))
    kept = [s for s in suggestions if min_score is None or round(s.score, 4) >= min_score]
    stored, skipped = store_suggestions(session, kept, method)
    result = AutocodeResult(method, len(targets), stored, skipped, uncovered=uncovered,
                            left_out=eligible.left_out, min_words=eligible.min_words,
                            below_min_score=len(suggestions) - len(kept))
    if isinstance(coder, EmbeddingCoder):
        result.recalibrated_on = coder.recalibrated_on_
    if isinstance(coder, SupervisedCoder) or method == "tuned":
        names = {c.id: c.name for c in chosen}
        result.untrained_codes = [names[i] for i in coder.skipped_]
    log_event(session, "autocode", actor=actor, method=method, unit=unit, stored=stored)
    return result


def _covered(session: Session, embedder: Embedder | None, labelled: LabelledUnits,
             coder: str | None) -> LabelledUnits:
    """The labelled units in languages the embedder covers (a supervised coder needs some)."""
    left_out = uncovered_sources(session, embedder) if embedder is not None else {}
    kept = [(u, codes) for u, codes in labelled if u.source_id not in left_out]
    if coder is not None and not kept:
        if labelled:
            languages = ", ".join(sorted({left_out[u.source_id] for u, _ in labelled}))
            raise InvalidArgument(f"coder {coder!r} coded only sources in {languages}, which "
                                  f"{embedder.name if embedder else ''} does not cover")
        raise InvalidArgument(f"coder {coder!r} has no codings to learn from")
    return kept


def _chosen_codes(session: Session, paths: Sequence[str] | None) -> list[Code]:
    if paths:
        chosen = [find_code(session, path) for path in paths]
    else:
        chosen = [c for c in framework_codes(session, MAIN) if c.codable]
    if not chosen:
        raise InvalidArgument("the framework has no codable codes; import one first")
    return chosen


def store_suggestions(session: Session, suggestions: Sequence[Suggestion], method: str
                      ) -> tuple[int, int]:
    """Replace this method's pending suggestions; returns (stored, skipped as already
    coded by a person or already rejected). One bulk insert, no ORM objects."""
    coder = f"auto:{method}"
    session.execute(delete(Coding).where(Coding.coder == coder, Coding.status == "pending"))
    taken = _human_spans(session, {s.unit.source_id for s in suggestions})
    created = utcnow()
    rows = [{"source_id": s.unit.source_id, "start": s.unit.start, "end": s.unit.end,
             "code_id": s.code_id, "coder": coder, "score": round(s.score, 4),
             "status": "pending", "text": s.unit.text, "created_at": created}
            for s in suggestions
            if not any(s.unit.touched_by(a, b) for a, b in taken[(s.unit.source_id, s.code_id)])]
    if rows:
        table = Coding.metadata.tables[Coding.__tablename__]  # Core: no ORM work per row
        session.execute(insert(table), rows)
    return len(rows), len(suggestions) - len(rows)


def _human_spans(session: Session, source_ids: set[int]
                 ) -> defaultdict[tuple[int, int], list[tuple[int, int]]]:
    """(source, code) -> spans a person coded or a reviewer rejected, in ``source_ids``."""
    taken: defaultdict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    query = select(Coding.source_id, Coding.code_id, Coding.start, Coding.end).where(
        Coding.status.is_(None) | (Coding.status == "rejected"),
        Coding.source_id.in_(source_ids))
    for source_id, code_id, start, end in session.execute(query):
        taken[(source_id, code_id)].append((start, end))
    return taken


def pending_suggestions(session: Session, *, method: str | None = None,
                        code: str | None = None, min_score: float | None = None
                        ) -> list[Coding]:
    """Pending suggestions, best first."""
    query = select(Coding).where(Coding.status == "pending").options(
        selectinload(Coding.code), selectinload(Coding.source))
    if method is not None:
        query = query.where(Coding.coder == f"auto:{method}")
    if code is not None:
        query = query.where(Coding.code_id == find_code(session, code).id)
    if min_score is not None:
        query = query.where(Coding.score >= min_score)
    return list(session.scalars(query.order_by(Coding.score.desc(), Coding.id)))


CUT_OFFS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


@dataclass(frozen=True)
class CutOff:
    """How many pending suggestions, and on how many units, a score cut-off keeps."""

    min_score: float
    suggestions: int
    units: int


def suggestion_counts(session: Session, *, method: str | None = None, code: str | None = None,
                      cut_offs: Sequence[float] = CUT_OFFS) -> list[CutOff]:
    """For each cut-off, the pending suggestions scoring at least it and their units."""
    found = [(s.score or 0.0, (s.source_id, s.start, s.end))
             for s in pending_suggestions(session, method=method, code=code)]
    return [CutOff(cut, sum(1 for score, _ in found if score >= cut),
                   len({where for score, where in found if score >= cut}))
            for cut in cut_offs]


def _pending(session: Session, ids: Sequence[int]) -> list[Coding]:
    found = []
    for suggestion_id in ids:
        coding = get_by_id(session, Coding, suggestion_id)
        if coding is None or coding.status is None:
            raise NotFound(f"no suggestion with id {suggestion_id}")
        if coding.status != "pending":
            raise InvalidArgument(f"suggestion {suggestion_id} is already {coding.status}")
        found.append(coding)
    return found


def _claim(session: Session, ids: Sequence[int], status: str) -> list[Coding]:
    """The pending suggestions ``ids``, marked ``status`` by one conditional UPDATE, so that
    two reviewers acting on the same suggestion at once cannot both have it: the second
    (on PostgreSQL it waits for the first's row locks) finds it no longer pending and
    nothing of its request is kept."""
    found = list({coding.id: coding for coding in _pending(session, ids)}.values())
    wanted = {coding.id for coding in found}
    claimed = session.execute(
        update(Coding).where(Coding.id.in_(wanted), Coding.status == "pending")
        .values(status=status).execution_options(synchronize_session=False))
    if claimed.rowcount != len(wanted):  # type: ignore[attr-defined]
        raise InvalidArgument("another reviewer has just reviewed some of these "
                              "suggestions; reload the queue")
    for coding in found:
        session.refresh(coding, ["status"])
    return found


def accept_suggestions(session: Session, ids: Sequence[int], *, reviewer: str) -> list[Coding]:
    """Accept suggestions: each becomes the reviewer's coding. All or none."""
    accepted = []
    for suggestion in _claim(session, ids, "accepted"):
        coding = apply_code(session, suggestion.source, suggestion.start, suggestion.end,
                            suggestion.code, coder=reviewer)
        log_event(session, "accept_suggestion", actor=reviewer, suggestion=suggestion.id,
                  coding=coding.id)
        accepted.append(coding)
    return accepted


def reject_suggestions(session: Session, ids: Sequence[int], *, reviewer: str) -> int:
    """Reject suggestions; they stay on record and are not suggested again."""
    suggestions = _claim(session, ids, "rejected")
    for suggestion in suggestions:
        log_event(session, "reject_suggestion", actor=reviewer, suggestion=suggestion.id)
    return len(suggestions)
