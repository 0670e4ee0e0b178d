"""The report's method section, written from what the project holds.

Every sentence adapts to the study: sources are counted by kind ("11 interviews", "1
focus group"), roles are listed only when participants have roles, organisations (by
sector) only when there are organisations, partnerships (by depth) only when there are
partnerships, and agreement only when two people coded. Words for sectors and depths come
from the project's vocabularies (:func:`~framesynth.familiarise.vocabulary.term_label`).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.vocabulary import term_label, term_position
from framesynth.frame.framework import framework_codes
from framesynth.index.agreement import agreement
from framesynth.store.models import Coding, Organisation, Participant, Partnership, Source

SOURCE_NOUNS = {"interview": "interview", "focus_group": "focus group", "document": "document"}


def method_section(session: Session, anonymised: bool, *, grouped: bool = True,
                   names: str = "role") -> list[str]:
    """Paragraphs describing the data and the analysis, from the project itself."""
    data = " ".join(s for s in (_sources_sentence(session), _people_sentence(session)) if s)
    paragraphs = [data, _analysis_paragraph(session)]
    paragraphs += [p for p in [_agreement_paragraph(session)] if p]
    paragraphs.append(_reading_paragraph(session, anonymised, grouped, names))
    return paragraphs


def at_a_glance(session: Session) -> list[tuple[str, str]]:
    """The method's summary box: (label, value) rows for what the study has: sources by
    kind (focus groups with their themes), participants, organisations by sector and
    partnerships by depth where there are any, and the framework's size."""
    rows = []
    kinds = Counter(session.scalars(select(Source.kind)))
    themes = _focus_group_themes(session)
    for kind, noun in SOURCE_NOUNS.items():
        if kinds.get(kind):
            value = str(kinds[kind]) + (f": {'; '.join(themes)}" if kind == "focus_group"
                                        and themes else "")
            rows.append((plural(noun, 2).capitalize(), value))
    people = session.scalar(select(func.count()).select_from(Participant).where(
        Participant.team.is_not(True)))
    if people:
        rows.append(("Participants", str(people)))
    sectors = list(session.scalars(select(Organisation.sector)))
    if sectors:
        rows.append(("Organisations", f"{len(sectors)}" + (
            f": {_terms(session, 'sector', sectors)}" if any(sectors) else "")))
    depths = list(session.scalars(select(Partnership.depth)))
    if depths:
        rows.append(("Partnerships", f"{len(depths)}: {_terms(session, 'depth', depths)}"))
    codes = framework_codes(session)
    top = sum(1 for c in codes if c.parent_id is None)
    if codes:
        rows.append(("Framework", f"{counted(top, 'theme')}, "
                                  f"{counted(len(codes) - top, 'code')}"))
    return rows


def _focus_group_themes(session: Session) -> list[str]:
    return sorted({str(meta.get("theme")) for meta in session.scalars(
        select(Source.meta).where(Source.kind == "focus_group")) if meta and meta.get("theme")})


def plural(word: str, n: int) -> str:
    """``word`` for ``n`` of it: "1 interview", "2 focus groups", "3 site secretaries"."""
    if n == 1 or not word:
        return word
    head, sep, tail = word.partition(" of ")
    if sep:  # "head of service" -> "heads of service"
        return f"{plural(head, n)}{sep}{tail}"
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def counted(n: int, word: str) -> str:
    return f"{n} {plural(word, n)}"


def listing(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def reader_term(session: Session, vocabulary: str, term: str) -> str:
    """A vocabulary term as it reads in a sentence: its label, lower case unless it is an
    acronym ("Community" -> "community", "NHS trust" stays)."""
    label = term_label(session, vocabulary, term)
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _terms(session: Session, vocabulary: str, values: list[str], *, nouns: bool = False
           ) -> str:
    """"3 community, 3 voluntary and 1 funder": counts, largest first, ties in the
    vocabulary's order."""
    found = Counter(v for v in values if v)

    def order(term: str) -> tuple[int, int, str]:
        position = term_position(session, vocabulary, term) if vocabulary else None
        return (-found[term], position if position is not None else 1 << 30, term)

    words = {t: reader_term(session, vocabulary, t) if vocabulary else t for t in found}
    return listing([f"{found[t]} {plural(words[t], found[t]) if nouns else words[t]}"
                    for t in sorted(found, key=order)])


def _sources_sentence(session: Session) -> str:
    kinds = Counter(session.scalars(select(Source.kind)))
    themes = _focus_group_themes(session)
    parts = []
    for kind, noun in SOURCE_NOUNS.items():
        if kinds.get(kind):
            themed = kind == "focus_group" and themes
            parts.append(counted(kinds[kind], f"themed {noun}" if themed else noun)
                         + (f" ({'; '.join(themes)})" if themed else ""))
    return f"The evaluation drew on {listing(parts) or 'no sources yet'}."


def _people_sentence(session: Session) -> str:
    roles = [r for r in session.scalars(select(Participant.role).where(
        Participant.team.is_not(True))) if r]
    sectors = list(session.scalars(select(Organisation.sector)))
    depths = list(session.scalars(select(Partnership.depth)))
    organisations = ""
    if sectors:
        organisations = counted(len(sectors), "organisation")
        if any(sectors):
            organisations += f": {_terms(session, 'sector', sectors)}"
    if roles and organisations:
        sentence = f"Participants included {_terms(session, '', roles, nouns=True)}, from " \
                   f"{organisations}."
    elif roles:
        sentence = f"Participants included {_terms(session, '', roles, nouns=True)}."
    elif organisations:
        sentence = f"Participants came from {organisations}."
    else:
        sentence = ""
    if depths and sectors:
        sentence += (f" They were linked by {counted(len(depths), 'partnership')} "
                     f"({_terms(session, 'depth', depths)}).")
    return sentence.strip()


def _analysis_paragraph(session: Session) -> str:
    codes = framework_codes(session)
    top = [c for c in codes if c.parent_id is None]
    rest = [c for c in codes if c.parent_id is not None]
    coders = human_coders(session)
    accepted = len(list(session.scalars(select(Coding.id).where(Coding.status == "accepted"))))
    size = counted(len(top), "theme") + (f" and {counted(len(rest), 'code')}" if rest else "")
    described = rest or top
    if all(c.definition and c.inclusion and c.exclusion for c in described):
        size += ", each with a definition and inclusion and exclusion rules"
    elif all(c.definition for c in described):
        size += ", each with a definition"
    text = f"The analysis followed the framework method. The coding framework has {size}."
    if coders:
        text += (f" {_spelled(len(coders))} {plural('researcher', len(coders))} coded the "
                 "transcripts"
                 + (f"; {accepted} machine suggestions were accepted after review"
                    if accepted else "") + ".")
    return text


def _spelled(n: int) -> str:
    """A number that starts a sentence: "One" ... "Ten", then digits."""
    words = "One Two Three Four Five Six Seven Eight Nine Ten".split()
    return words[n - 1] if 1 <= n <= len(words) else str(n)


def is_person(coder: str) -> bool:
    """A coder name that is a person's, not an auto-coder's (``auto:semantic``)."""
    return not coder.startswith("auto:")


def human_coders(session: Session) -> list[str]:
    """The people (not auto-coders) whose codings count."""
    return sorted(c for c in set(session.scalars(select(Coding.coder).where(
        Coding.status.is_(None)))) if is_person(c))


def double_coders(session: Session) -> tuple[str, str] | None:
    """The two people who coded the most sources in common (ties: by name), or None."""
    coded: dict[str, set[int]] = {}
    for coder, source_id in session.execute(select(Coding.coder, Coding.source_id).where(
            Coding.status.is_(None)).distinct()):
        if is_person(coder):
            coded.setdefault(coder, set()).add(source_id)
    pairs = [(len(coded[a] & coded[b]), a, b) for a in sorted(coded) for b in sorted(coded)
             if a < b and coded[a] & coded[b]]
    if not pairs:
        return None
    _shared, first, second = min(pairs, key=lambda pair: (-pair[0], pair[1], pair[2]))
    return first, second


def _agreement_figures(kappa: float | None, alpha: float | None, percent: float) -> str:
    if kappa is None and alpha is None:
        why = "complete" if percent == 1 else "no variation in"
        return (f"{why} agreement, so the chance-corrected figures (Cohen's kappa, "
                "Krippendorff's alpha) are not defined")
    shown = [f"Cohen's kappa {kappa:.2f}" if kappa is not None else None,
             f"Krippendorff's alpha {alpha:.2f}" if alpha is not None else None]
    return ", ".join(part for part in shown if part)


def _agreement_paragraph(session: Session) -> str:
    pair = double_coders(session)
    if pair is None:
        return ""
    try:
        report = agreement(session, list(pair), unit="turn")
    except InvalidArgument:
        return ""
    o = report.overall
    return (f"Two researchers coded {len(report.sources)} of the transcripts independently; "
            f"across {o.units} speaker turns they agreed on {100 * o.percent:.0f}% of "
            f"coding decisions ({_agreement_figures(o.kappa, o.alpha, o.percent)}).")


def _reading_paragraph(session: Session, anonymised: bool, grouped: bool, names: str) -> str:
    text = ("Prevalence counts people, not passages: a participant mentions a theme when any "
            "of their words is coded with it.")
    if grouped:
        text += " Groups are small, so comparisons are exploratory."
    if not anonymised:
        return text + " Names are shown in this copy."
    relation = " and relation" if session.scalar(select(Organisation.id).limit(1)) else ""
    if names == "pseudonym":
        return (text + " Quotes are anonymised: people are given pseudonyms, and names of "
                "organisations and places are replaced by their role; each quote is "
                f"attributed by {'pseudonym, role' if relation else 'pseudonym and role'}"
                f"{relation}.")
    return (text + " Quotes are anonymised: names of people, organisations and places are "
            f"replaced by their role, and each quote is attributed by role{relation}.")
