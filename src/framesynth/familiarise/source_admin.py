"""Manage imported sources: list them, remove one, replace its text with a corrected
transcript, or re-split it into turns.

A source's text is what every offset points into, so :func:`replace_source` aligns the old
and new text (a line diff refined to words, and within similar words to characters) and
moves every coding and memo span onto the same words of the new text. The old text is
kept in ``source_revisions``. A coding whose words changed, or that only a search could
place, is returned for review; one that cannot be placed at all stops the replace unless
``force`` is given (then it is removed and recorded in the event log).
"""

from __future__ import annotations

import inspect
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from framesynth.errors import DuplicateSource, FramesynthError, InvalidArgument
from framesynth.familiarise import speakers as speakers_module
from framesynth.familiarise.sources import ImportedSource, get_source
from framesynth.familiarise.speaker_links import known_labels, link_source_speakers
from framesynth.familiarise.speakers import DetectedTurn, is_interviewer_label
from framesynth.store.events import log_event
from framesynth.store.models import (
    Code,
    Coding,
    Memo,
    PickedQuote,
    Source,
    SourceProfile,
    SourceRevision,
    Speaker,
    Turn,
)


class SourceInUse(FramesynthError):
    """A source still carries human codings or memos."""

    code = "FS130"


class UnplacedSpans(FramesynthError):
    """Codings or memo spans that a corrected transcript gives no place for."""

    code = "FS131"


# ---------------------------------------------------------------------------- list


@dataclass(frozen=True)
class SpeakerInfo:
    """A speaker label of a source; ``team``: the research team."""

    label: str
    team: bool
    participant: str | None


@dataclass(frozen=True)
class SourceRow:
    """One line of :func:`list_sources`."""

    name: str
    kind: str
    format: str
    language: str
    turns: int
    speakers: tuple[SpeakerInfo, ...]
    codings: int
    suggestions: int
    memos: int
    imported_at: datetime
    recording: str | None = None
    duration: float | None = None

    @property
    def speakers_text(self) -> str:
        """``Interviewer (team), Maureen``."""
        return ", ".join(f"{s.label} (team)" if s.team else s.label for s in self.speakers)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["speakers"] = list(data["speakers"])
        data["imported_at"] = self.imported_at.isoformat(timespec="seconds")
        return data


def list_sources(session: Session) -> list[SourceRow]:
    """Every source by name with its turns, speakers, codings, suggestions and memos."""
    turns = _counts(session, Turn.source_id)
    human = _counts(session, Coding.source_id, Coding.status.is_(None))
    pending = _counts(session, Coding.source_id, Coding.status == "pending")
    memos = _counts(session, Memo.source_id)
    query = select(Source).order_by(Source.name).options(
        selectinload(Source.speakers).selectinload(Speaker.participant))
    return [SourceRow(s.name, s.kind, s.format, s.language or "", turns.get(s.id, 0),
                      tuple(_speaker_info(sp) for sp in sorted(s.speakers, key=_speaker_order)),
                      human.get(s.id, 0), pending.get(s.id, 0), memos.get(s.id, 0),
                      s.imported_at, s.media_file, s.media_duration)
            for s in session.scalars(query)]


def _counts(session: Session, column: Any, *where: Any) -> dict[int, int]:
    query = select(column, func.count()).where(column.is_not(None), *where).group_by(column)
    return {key: count for key, count in session.execute(query).all()}


def _speaker_order(speaker: Speaker) -> int:
    return speaker.id or 0


def _speaker_info(speaker: Speaker) -> SpeakerInfo:
    participant = speaker.participant
    team = speaker.is_interviewer or bool(participant is not None and participant.team)
    return SpeakerInfo(speaker.label, team, participant.key if participant else None)


# -------------------------------------------------------------------------- remove


@dataclass
class Removal:
    """What :func:`remove_source` removed."""

    source: str
    turns: int
    speakers: int
    codings: list[dict[str, Any]]
    suggestions: int
    memos: list[dict[str, Any]]
    picked_quotes: int

    def summary(self) -> str:
        return (f"removed {self.source}: {self.turns} turns, {self.speakers} speakers, "
                f"{len(self.codings)} codings, {self.suggestions} suggestions, "
                f"{len(self.memos)} memos, {self.picked_quotes} picked quotes")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def remove_source(session: Session, name: str, *, actor: str,
                  with_codings: bool = False) -> Removal:
    """Remove source ``name`` with its turns and speakers, and its recording's file in
    the media folder when no other source uses it.

    :param with_codings: also remove its human codings and memos; without it a source
        that has any is refused (:class:`SourceInUse`) and nothing changes.
    """
    source = get_source(session, name)
    codings = list(session.scalars(select(Coding).where(Coding.source_id == source.id)
                                   .order_by(Coding.start, Coding.id)))
    human = [c for c in codings if c.status is None]
    memos = list(session.scalars(select(Memo).where(Memo.source_id == source.id)
                                 .order_by(Memo.id)))
    if (human or memos) and not with_codings:
        raise SourceInUse(f"{source.name!r} has {len(human)} codings and {len(memos)} "
                          "memos; remove them too with --with-codings", path=source.name)
    ids = [c.id for c in codings]
    picked = session.scalar(select(func.count()).select_from(PickedQuote)
                            .where(PickedQuote.coding_id.in_(ids))) or 0
    removal = Removal(source.name, len(source.turns), len(source.speakers),
                      [_coding_record(c) for c in human], len(codings) - len(human),
                      [_memo_record(m) for m in memos], picked)
    session.execute(delete(PickedQuote).where(PickedQuote.coding_id.in_(ids)))
    session.execute(delete(Coding).where(Coding.source_id == source.id))
    session.execute(delete(Memo).where(Memo.source_id == source.id))
    session.execute(delete(SourceRevision).where(SourceRevision.source_id == source.id))
    checksum, media_file = source.checksum, source.media_file
    session.delete(source)
    session.flush()
    log_event(session, "remove_source", actor=actor, checksum=checksum, **removal.as_dict())
    if media_file:  # the recording goes too, unless another source still uses it
        from framesynth.familiarise.recordings import discard_unused_media

        discard_unused_media(session, media_file)
    return removal


def _path(code: Code) -> str:
    parts: list[str] = []
    node: Code | None = code
    while node is not None:
        parts.append(node.name)
        node = node.parent
    return "/".join(reversed(parts))


def _coding_record(coding: Coding) -> dict[str, Any]:
    return {"id": coding.id, "code": _path(coding.code), "coder": coding.coder,
            "start": coding.start, "end": coding.end, "text": coding.text}


def _memo_record(memo: Memo) -> dict[str, Any]:
    return {"id": memo.id, "title": memo.title, "author": memo.author, "body": memo.body,
            "start": memo.start, "end": memo.end}


# ----------------------------------------------------------------------- alignment

LINE = re.compile(r"[^\n]*\n|[^\n]+")
WORD = re.compile(r"\S+\s*|\s+")
SIMILAR = 0.6  # words at least this alike are aligned character by character
CHAR_LIMIT = 2000  # longest pair of pieces aligned character by character


@dataclass(frozen=True)
class Block:
    """``old[a_lo:a_hi]`` became ``new[b_lo:b_hi]``; ``equal``: unchanged."""

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    equal: bool


class Alignment:
    """Where each position of an old text went in a new one.

    Built from a diff of lines, refined to words within changed lines and to characters
    within similar changed words, so it stays fast on long transcripts.
    """

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        blocks: list[Block] = []
        _diff_lines(old, new, blocks)
        self.blocks = [b for b in blocks if b.a_hi > b.a_lo]
        self._los = [b.a_lo for b in self.blocks]
        self._his = [b.a_hi for b in self.blocks]

    def start(self, position: int) -> int:
        """Where a range starting at ``position`` starts in the new text."""
        if position >= len(self.old):
            return len(self.new)
        block = self.blocks[bisect_right(self._los, max(position, 0)) - 1]
        if block.equal:
            return block.b_lo + position - block.a_lo
        return block.b_lo + (position - block.a_lo) * (block.b_hi - block.b_lo) // (
            block.a_hi - block.a_lo)

    def end(self, position: int) -> int:
        """Where a range ending (exclusively) at ``position`` ends in the new text."""
        if position <= 0:
            return 0
        block = self.blocks[min(bisect_left(self._his, position), len(self.blocks) - 1)]
        if block.equal:
            return block.b_lo + position - block.a_lo
        return block.b_hi - (block.a_hi - position) * (block.b_hi - block.b_lo) // (
            block.a_hi - block.a_lo)

    def span(self, start: int, end: int) -> tuple[int, int]:
        new_start = self.start(start)
        return new_start, max(new_start, self.end(end) if end > start else new_start)


def _pieces(text: str, lo: int, hi: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    return [(lo + m.start(), lo + m.end()) for m in pattern.finditer(text[lo:hi])]


def _diff_lines(old: str, new: str, out: list[Block]) -> None:
    _diff(old, new, _pieces(old, 0, len(old), LINE), _pieces(new, 0, len(new), LINE),
          out, _diff_words)


def _diff_words(old: str, new: str, a: Block, out: list[Block]) -> None:
    _diff(old, new, _pieces(old, a.a_lo, a.a_hi, WORD), _pieces(new, a.b_lo, a.b_hi, WORD),
          out, _diff_chars)


def _diff_chars(old: str, new: str, a: Block, out: list[Block]) -> None:
    before, after = old[a.a_lo:a.a_hi], new[a.b_lo:a.b_hi]
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    if max(len(before), len(after)) > CHAR_LIMIT or matcher.ratio() < SIMILAR:
        out.append(a)
        return
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _emit(out, Block(a.a_lo + i1, a.a_lo + i2, a.b_lo + j1, a.b_lo + j2, tag == "equal"))


def _diff(old: str, new: str, a: list[tuple[int, int]], b: list[tuple[int, int]],
          out: list[Block], refine: Any) -> None:
    """Diff two lists of pieces (compared without trailing whitespace); hand each changed
    stretch to ``refine``."""
    matcher = SequenceMatcher(None, [old[s:e].rstrip() for s, e in a],
                              [new[s:e].rstrip() for s, e in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (a_lo, a_hi), (b_lo, b_hi) in zip(a[i1:i2], b[j1:j2], strict=True):
                _pair(old, new, Block(a_lo, a_hi, b_lo, b_hi, True), out)
            continue
        a_lo, a_hi = _bounds(a, i1, i2, len(old))
        b_lo, b_hi = _bounds(b, j1, j2, len(new))
        block = Block(a_lo, a_hi, b_lo, b_hi, False)
        if tag != "replace":
            out.append(block)
        elif refine is _diff_chars and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                refine(old, new, Block(*a[i1 + offset], *b[j1 + offset], False), out)
        else:
            refine(old, new, block, out)


def _pair(old: str, new: str, block: Block, out: list[Block]) -> None:
    """Pieces equal but for trailing whitespace are aligned character by character."""
    if old[block.a_lo:block.a_hi] == new[block.b_lo:block.b_hi]:
        _emit(out, block)
    else:
        _diff_chars(old, new, block, out)


def _emit(out: list[Block], block: Block) -> None:
    """Append ``block``, merged into the one before when both are unchanged text."""
    last = out[-1] if out else None
    if last and last.equal and block.equal and (last.a_hi, last.b_hi) == (block.a_lo, block.b_lo):
        out[-1] = Block(last.a_lo, block.a_hi, last.b_lo, block.b_hi, True)
    else:
        out.append(block)


def _bounds(pieces: list[tuple[int, int]], lo: int, hi: int, size: int) -> tuple[int, int]:
    """The text range of ``pieces[lo:hi]``; an empty one where piece ``lo`` would be."""
    if hi > lo:
        return pieces[lo][0], pieces[hi - 1][1]
    at = pieces[lo][0] if lo < len(pieces) else (pieces[-1][1] if pieces else size)
    return at, at


# ------------------------------------------------------------------------- replace


@dataclass(frozen=True)
class Moved:
    """A coding or memo span after a replace. ``start``/``end`` None: not placed."""

    kind: str  # "coding" or "memo"
    id: int
    label: str  # the code's path or the memo's title
    old_start: int
    old_end: int
    old_text: str
    start: int | None
    end: int | None
    text: str | None
    reason: str | None  # why it needs review; None when it sits on the same words
    human: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Replacement:
    """What :func:`replace_source` did."""

    source: str
    revision: int
    turns: int
    speakers: list[str]
    carried: int
    review: list[Moved] = field(default_factory=list)
    dropped: list[Moved] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "revision": self.revision, "turns": self.turns,
                "speakers": self.speakers, "carried": self.carried,
                "review": [m.as_dict() for m in self.review],
                "dropped": [m.as_dict() for m in self.dropped]}


def place(alignment: Alignment, start: int, end: int, words: str
          ) -> tuple[int, int, str | None] | None:
    """Where ``words`` (once at ``[start, end)`` of the old text) stand in the new text,
    and why to review that place (None: same words); None when there is no place."""
    new = alignment.new
    new_start, new_end = alignment.span(start, end)
    if new[new_start:new_end] == words and (new_end > new_start or start == end):
        return new_start, new_end, None
    found = _nearest(new, words, new_start) if words else None
    near = found is not None and abs(found - new_start) <= len(words)
    if found is not None and (near or new_end <= new_start):
        return found, found + len(words), None if near else "moved"
    if new_end > new_start:
        return new_start, new_end, "words changed"
    return None


def _nearest(text: str, words: str, around: int) -> int | None:
    before = text.rfind(words, 0, around + len(words))
    after = text.find(words, around)
    found = [p for p in (before, after) if p >= 0]
    return min(found, key=lambda p: abs(p - around)) if found else None


def _plan(alignment: Alignment, source: Source, session: Session) -> list[Moved]:
    old = alignment.old
    plans = []
    for coding in session.scalars(select(Coding).where(Coding.source_id == source.id)
                                  .order_by(Coding.start, Coding.id)):
        plans.append(_moved("coding", coding.id, _path(coding.code), coding.start, coding.end,
                            coding.text, alignment, human=coding.status is None))
    for memo in session.scalars(select(Memo).where(Memo.source_id == source.id,
                                                   Memo.start.is_not(None)).order_by(Memo.id)):
        start, end = memo.start or 0, memo.end or 0
        plans.append(_moved("memo", memo.id, memo.title, start, end, old[start:end],
                            alignment))
    return plans


def _moved(kind: str, key: int, label: str, start: int, end: int, words: str,
           alignment: Alignment, *, human: bool = True) -> Moved:
    placed = place(alignment, start, end, words)
    if placed is None:
        return Moved(kind, key, label, start, end, words, None, None, None, "not placed",
                     human)
    new_start, new_end, reason = placed
    if kind == "coding" and new_end <= new_start:
        return Moved(kind, key, label, start, end, words, None, None, None, "not placed",
                     human)
    return Moved(kind, key, label, start, end, words, new_start, new_end,
                 alignment.new[new_start:new_end], reason, human)


def replace_source(session: Session, name: str, imported: ImportedSource, *, actor: str,
                   force: bool = False) -> Replacement:
    """Replace the text of source ``name`` with a corrected transcript ``imported``.

    Same source id and name; the old text goes to ``source_revisions``; turns are found
    again (speakers' links and team marks kept where labels are unchanged); codings,
    memo spans and so picked quotes move to the same words in the new text.

    :param force: drop codings that cannot be placed (recorded in the event) instead of
        refusing the replace; memo spans that cannot be placed become source memos.
    """
    source = get_source(session, name)
    if imported.checksum == source.checksum:
        raise InvalidArgument(f"it is the file {source.name!r} already holds",
                              path=imported.name)
    revised = revise_text(session, source, imported.text, imported.checksum, actor=actor,
                          force=force, path=imported.name)
    source.format = imported.format
    source.meta = {**(source.meta or {}), **imported.meta}
    turns = imported.turns if imported.turns is not None else _detect(session, source)
    rebuild_turns(session, source, turns)
    return record_revision(session, source, revised, "replace_source", actor=actor,
                           file=imported.name)


@dataclass(frozen=True)
class Revised:
    """What :func:`revise_text` did, for :func:`record_revision`."""

    revision: SourceRevision
    old_checksum: str
    plans: list[Moved]


def revise_text(session: Session, source: Source, text: str, checksum: str, *, actor: str,
                force: bool = False, path: str | None = None) -> Revised:
    """Give ``source`` the new ``text``: the one path every change of a source's text
    takes (a corrected file, a corrected turn), so codings are carried the same way.

    The old text and checksum go to ``source_revisions``; codings and memo spans move to
    their words in the new text (:func:`place`). The caller then sets the turns and calls
    :func:`record_revision`. Refused, with nothing changed, when ``checksum`` is another
    source's or a human coding has no place in ``text`` (unless ``force``).

    :param path: the file (or turn) named in an error.
    """
    other = session.scalar(select(Source.name).where(Source.checksum == checksum,
                                                     Source.id != source.id))
    if other is not None:
        raise DuplicateSource(f"already imported as {other!r} (same content)",
                              path=path or source.name)
    alignment = Alignment(source.text, text)
    plans = _plan(alignment, source, session)
    blocking = [m for m in plans if m.start is None and m.human]
    if blocking and not force:
        raise UnplacedSpans(_unplaced_message(blocking), path=path or source.name)
    revision = SourceRevision(source_id=source.id, text=source.text, checksum=source.checksum,
                              format=source.format, replaced_by=actor)
    session.add(revision)
    old_checksum = source.checksum
    source.text, source.checksum = text, checksum
    _apply(session, plans)
    return Revised(revision, old_checksum, plans)


def record_revision(session: Session, source: Source, revised: Revised, event: str, *,
                    actor: str, **details: Any) -> Replacement:
    """What a revision carried and where, logged as ``event`` with ``details``."""
    session.flush()
    plans = revised.plans
    result = Replacement(source.name, revised.revision.id, len(source.turns),
                         [s.label for s in source.speakers],
                         sum(1 for m in plans if m.start is not None),
                         [m for m in plans if m.reason and m.start is not None],
                         [m for m in plans if m.start is None])
    log_event(session, event, actor=actor, **details, old_checksum=revised.old_checksum,
              checksum=source.checksum, **result.as_dict())
    return result


def _unplaced_message(unplaced: list[Moved]) -> str:
    shown = "; ".join(f"{m.kind} {m.id} {m.label} {_short(m.old_text)!r}" for m in unplaced[:3])
    more = f" and {len(unplaced) - 3} more" if len(unplaced) > 3 else ""
    return (f"{len(unplaced)} coded span(s) have no place in the corrected text ({shown}{more});"
            " restore their words or use --force to drop them")


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _apply(session: Session, plans: list[Moved]) -> None:
    """Move codings and memo spans to their new places; drop codings without one."""
    for moved in plans:
        if moved.kind == "coding":
            coding = session.get_one(Coding, moved.id)
            if moved.start is None or moved.end is None:
                session.execute(delete(PickedQuote).where(PickedQuote.coding_id == coding.id))
                session.delete(coding)
            else:
                coding.start, coding.end, coding.text = moved.start, moved.end, moved.text or ""
        else:
            memo = session.get_one(Memo, moved.id)
            memo.start, memo.end = moved.start, moved.end
    session.flush()


# ---------------------------------------------------------------- turns and resplit


def _detect(session: Session, source: Source, pattern: str | None = None
            ) -> list[DetectedTurn]:
    """Turns found in the source's text, knowing its speakers and the project's people."""
    profile = session.scalar(select(SourceProfile).where(SourceProfile.name == source.name))
    labels = known_labels(session) | {s.label for s in source.speakers}
    labels |= set(profile.speakers if profile else ())
    options: dict[str, Any] = {"known_labels": labels}
    if pattern is not None:
        options["pattern"] = pattern
    return speakers_module.detect_turns(source.text, **options)


def rebuild_turns(session: Session, source: Source, turns: Iterable[DetectedTurn]) -> None:
    """Store ``turns`` as the source's turns; speakers whose label stays keep their
    participant link and team mark, new labels are linked, vanished ones removed."""
    turns = list(turns)
    old_times = {(t.start, t.end): (t.started_at, t.ended_at) for t in source.turns}
    source.turns.clear()
    session.flush()
    labels = list(dict.fromkeys(t.label for t in turns if t.label))
    kept = {s.label: s.is_interviewer for s in source.speakers if s.label in labels}
    for speaker in [s for s in source.speakers if s.label not in labels]:
        source.speakers.remove(speaker)
    for label in labels:
        if label not in kept:
            source.speakers.append(Speaker(label=label, is_interviewer=is_interviewer_label(label)))
    session.flush()
    by_label = {s.label: s for s in source.speakers}
    for position, turn in enumerate(turns):
        started, ended = old_times.get((turn.start, turn.end), (None, None))
        source.turns.append(Turn(
            position=position, start=turn.start, end=turn.end,
            speaker=by_label.get(turn.label) if turn.label else None,
            text=source.text[turn.start:turn.end],
            started_at=turn.started_at if turn.started_at is not None else started,
            ended_at=turn.ended_at if turn.ended_at is not None else ended))
    link_source_speakers(session, source)
    for speaker in source.speakers:
        if speaker.label in kept:
            speaker.is_interviewer = kept[speaker.label]
    session.flush()


@dataclass(frozen=True)
class Resplit:
    """What :func:`resplit_source` found."""

    source: str
    turns_before: int
    turns: int
    speakers: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def resplit_source(session: Session, name: str, *, actor: str,
                   speaker_pattern: str | None = None) -> Resplit:
    """Find the turns of source ``name`` again from its stored text (offsets, and so
    codings, do not change; speakers keep their links).

    :param speaker_pattern: a regular expression for speaker labels, passed to
        ``detect_turns(pattern=...)`` where the installed version accepts it.
    """
    source = get_source(session, name)
    if speaker_pattern is not None:
        _check_pattern(speaker_pattern)
    before = len(source.turns)
    rebuild_turns(session, source, _detect(session, source, speaker_pattern))
    result = Resplit(source.name, before, len(source.turns), [s.label for s in source.speakers])
    log_event(session, "resplit_source", actor=actor, pattern=speaker_pattern,
              **result.as_dict())
    return result


def _check_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise InvalidArgument(f"--speaker-pattern {pattern!r} is not a regular expression: "
                              f"{error}") from None
    if "pattern" not in inspect.signature(speakers_module.detect_turns).parameters:
        raise InvalidArgument("--speaker-pattern needs a detect_turns that takes a pattern; "
                              "this version does not")
