"""Which units auto-coding codes: one rule for every method.

Left out, each counted under its reason:

- ``team``: turns of the research team (a speaker marked interviewer, or linked to a
  participant of the team);
- ``back-channel``: turns that only acknowledge ("Mm-hmm.", "Yeah, yeah.", "Right.",
  "D'accord.", "Genau."): every word is a back-channel word of :data:`BACKCHANNEL_WORDS`
  (English, French, German, Spanish, Dutch, Italian, Portuguese) or a filler sound such
  as "mm", "mhm", "uh-huh", "erm";
- ``fragment``: fewer than ``min_words`` words (the setting ``autocode.min_words``,
  :data:`MIN_WORDS` unless set), such as "time. Have of course.".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.familiarise.units import Unit, units
from framesynth.familiarise.vocabulary import get_setting
from framesynth.store.models import Participant, Speaker

MIN_WORDS = 5  # "time. Have of course." (issue 13) is four
MIN_WORDS_SETTING = "autocode.min_words"
REASONS = ("team", "back-channel", "fragment")

BACKCHANNEL_WORDS = frozenset("""
yeah yes yep yup yea ya right ok okay alright sure exactly absolutely indeed true totally
definitely fine great good lovely cool wow really no nope nah oh ah aha huh hmm hm well so
i see know of course fair enough go on thanks thank you that's it is correct
oui ouais ouai d'accord voilà voila bon bien exactement ben bah c'est ça tout à fait merci
ja jo genau stimmt richtig gut naja na klar achso ach eben okay nee nein doch danke
sí si vale claro bueno exacto ya vale de acuerdo gracias
nou precies klopt inderdaad oké prima
certo esatto va bene già grazie
sim pois exato tá obrigado obrigada
""".split())
FILLER = re.compile(r"^(m+(-?h+m+)*|h+m+|u+h+(-?h?u+h+)*|u+m+|e+r+m*|a+h+|o+h+|mm+-?hm+)$")
WORD = re.compile(r"[\w'’-]+")


@dataclass
class Eligible:
    """The units to code, and how many were left out under each reason."""

    units: list[Unit]
    left_out: dict[str, int] = field(default_factory=dict)
    min_words: int = MIN_WORDS

    @property
    def message(self) -> str:
        return left_out_message(self.left_out, self.min_words)


def left_out_message(left_out: dict[str, int], min_words: int = MIN_WORDS,
                     unit: str = "unit") -> str:
    """``left out 12 turns: 5 team, 4 back-channel, 3 fragment (< 4 words)``."""
    parts = [f"{left_out[r]} {r}" + (f" (< {min_words} words)" if r == "fragment" else "")
             for r in REASONS if left_out.get(r)]
    total = sum(left_out.values())
    return (f"left out {total} {unit}{'s' if total != 1 else ''}: {', '.join(parts)}"
            if parts else "left out none")


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, punctuation dropped."""
    return [w.strip("-'’").replace("’", "'") for w in WORD.findall(text.lower())
            if w.strip("-'’")]


def is_backchannel(text: str) -> bool:
    """Whether ``text`` only acknowledges: every word a back-channel word or a filler."""
    found = words(text)
    return bool(found) and all(w in BACKCHANNEL_WORDS or FILLER.match(w) for w in found)


def reason_left_out(text: str, min_words: int = MIN_WORDS) -> str | None:
    """Why a unit of text by a participant is left out (None: it is coded)."""
    if is_backchannel(text):
        return "back-channel"
    if len(words(text)) < min_words:
        return "fragment"
    return None


def team_speakers(session: Session) -> set[int]:
    """Speaker ids of the research team: interviewers, and participants of the team."""
    query = select(Speaker.id).outerjoin(Participant, Speaker.participant_id == Participant.id
                                         ).where(Speaker.is_interviewer | Participant.team)
    return set(session.scalars(query))


def eligible_units(session: Session, kind: str = "turn", *, source_ids: set[int] | None = None,
                   min_words: int | None = None) -> Eligible:
    """The units auto-coding codes, with what it leaves out and why."""
    if min_words is None:
        min_words = int(get_setting(session, MIN_WORDS_SETTING, MIN_WORDS))
    team = team_speakers(session)
    kept: list[Unit] = []
    left_out: Counter[str] = Counter()
    for unit in units(session, kind, source_ids=source_ids, include_interviewer=True):
        reason = "team" if unit.speaker_id in team else reason_left_out(unit.text, min_words)
        if reason is None:
            kept.append(unit)
        else:
            left_out[reason] += 1
    return Eligible(kept, {r: left_out[r] for r in REASONS if left_out[r]}, min_words)
