"""An independent audit of outputs: does any name the project knows survive?

Written apart from :mod:`framesynth.interpret.anonymise` on purpose (its own folding, its
own list of forms), so that it can see what the replacer misses.

:func:`known_identifiers` lists every form of every known entity from the cases table:

- participants: full name, first name, surname (and each part of a hyphenated one),
  aliases, speaker labels linked to them, initial + surname (``M. Okafor``, ``M Okafor``),
  first name + initial (``Maureen O.``), title + surname (``Mrs Okafor``, ``Dr. Okafor``);
  the pseudonym is not a name to hide;
- organisations: name, aliases, acronym (``WFT``, only in capitals) and distinctive short
  forms; places: name and distinctive short forms. A short form is a leading run of words
  (``St Aidan's`` of "St Aidan's church hall") or a single word that is not an ordinary
  English word (``Pellwick``, ``Tidewater``). Generic references made only of ordinary
  words after "the" ("the Trust", "the Hub") are not identifiers;
- any e-mail address, UK phone number or UK postcode.

:func:`audit_text` compares accent- and case-folded text (Unicode NFKD without combining
marks, casefold, every apostrophe as ``'`` and every dash as ``-``), whole words only, any
run of whitespace (a line break) as one space, dots of initials and apostrophes optional,
a space or hyphen between the words of a name interchangeable, a possessive allowed after.
A one-word form that is an ordinary word (``wordfreq`` Zipf frequency 3.5 or more: "Dawn",
"Price", "Carter") counts only where it is capitalised and not at a sentence start.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import NamesLeaked
from framesynth.io.output_text import output_parts
from framesynth.store.models import Organisation, Participant, Place, Source, Speaker

ORDINARY_ZIPF = 3.5
SHORT_FORM_ZIPF = 3.0  # a word cut from a longer name is ordinary sooner ("Counselling")
CONTEXT = 40
APOSTROPHES = "'\u2019\u2018\u02bc\u201b\u2032`\u00b4"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame",
          "Rev", "Revd", "Cllr", "Councillor")
SMALL_WORDS = {"the", "of", "and", "for", "at", "in", "on", "&"}
SENTENCE_END = ".!?\u2026:;"
OPENERS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([{*_#>\u2022\u00b7|" + DASHES
PATTERNS = {
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "phone": re.compile(r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d{2,4}\)?"
                        r"(?:[\s-]?\d){6,8}(?![\d])"),
    "postcode": re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![A-Za-z0-9])"),
}
PATTERN_NAMES = {"email": "an e-mail address", "phone": "a phone number",
                 "postcode": "a postcode"}
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Identifier:
    """One written form of a known entity. ``rule``: ``any`` (any case), ``capitalised``
    (an ordinary word: only capitalised and not at a sentence start) or ``upper`` (an
    acronym: only in capitals)."""

    form: str
    entity: str
    kind: str
    rule: str = "any"


@dataclass(frozen=True)
class Leak:
    """A known identifier found in a text: as written there, with ±40 characters."""

    form: str
    entity: str
    kind: str
    context: str
    where: str
    start: int


@lru_cache(maxsize=50_000)
def is_ordinary(word: str, language: str = "en", threshold: float = ORDINARY_ZIPF) -> bool:
    """Is ``word`` an ordinary word of ``language`` (Zipf frequency 3.5 or more)?"""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language) >= threshold


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in APOSTROPHES:
        return "'"
    if ch in DASHES:
        return "-"
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded, and for each folded character the offset it came from."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        for piece in _fold_char(ch):
            out.append(" " if piece.isspace() else piece)
            origin.append(index)
    return "".join(out), origin


def fold(text: str) -> str:
    return fold_map(text)[0]


def form_pattern(form: str) -> str:
    """The regular expression (over folded text) for one form: dots of initials and
    apostrophes optional, a space or hyphen between words interchangeable."""
    folded = fold(form).strip()
    parts: list[str] = []
    for token in re.findall(r"[^\W_]+|\.\s*|\s+|'|-|[^\s]", folded):
        if token[0] == ".":
            parts.append(r"\.?[ ]?")
        elif token.isspace() or token == "-":
            parts.append(r"(?:[ ._-]|\.[ ])?" if token == "-" else r"(?:[ ._-]|\.[ ])")
        elif token == "'":
            parts.append("'?")
        else:
            parts.append(re.escape(token))
    while parts and parts[-1] == r"\.?[ ]?":
        parts[-1] = r"\.?"
        break
    return "".join(parts)


def known_identifiers(session: Session, *, language: str | None = None) -> list[Identifier]:
    """Every form of every participant, organisation and place the project knows, and
    the e-mail, phone and postcode patterns; one entity per form (the first to claim it)."""
    language = language or project_language(session)
    found: list[Identifier] = []
    labels = _speaker_labels(session)
    for person in session.scalars(select(Participant).order_by(Participant.id)):
        forms = person_forms(person.name, [*person.aliases, *labels.get(person.id, [])])
        found += [_identifier(f, person.name, "participant", language) for f in forms
                  if fold(f) != fold(person.pseudonym or "")]
    for org in session.scalars(select(Organisation).order_by(Organisation.id)):
        names = [org.name, *org.aliases]
        found += [_identifier(f, org.name, "organisation", language) for f in names]
        found += [_identifier(f, org.name, "organisation", language, short=True)
                  for f in short_forms(names, language)]
        if acronym := _acronym(org.name):
            found.append(Identifier(acronym, org.name, "organisation", "upper"))
    for place in session.scalars(select(Place).order_by(Place.id)):
        found.append(_identifier(place.name, place.name, "place", language))
        found += [_identifier(f, place.name, "place", language, short=True)
                  for f in short_forms([place.name], language)]
    found += [Identifier(name, PATTERN_NAMES[name], name, "pattern") for name in PATTERNS]
    return _unique([i for i in found if i.rule != "skip"])


def project_language(session: Session) -> str:
    """The most common language of the sources (two letters), else English."""
    counts = Counter(lang for lang in session.scalars(select(Source.language).order_by(Source.id))
                     if lang)
    return counts.most_common(1)[0][0][:2] if counts else "en"


def person_forms(full_name: str, aliases: list[str]) -> list[str]:
    """The ways a person's name is written (see the module docstring)."""
    words = full_name.split()
    forms = [full_name, *(a for a in aliases if a.strip())]
    if len(words) >= 2:
        first, surname, last = words[0], " ".join(words[1:]), words[-1]
        forms += [first, surname, last, f"{first[0]}. {surname}", f"{first} {surname[0]}."]
        forms += [part for part in re.split(r"[-\u2010\u2011]", last) if len(part) > 2]
        forms += [f"{title} {surname}" for title in TITLES]
        if len(words) > 2:
            forms += [f"{first} {last}", *(f"{t} {last}" for t in TITLES)]
    return list(dict.fromkeys(f for f in forms if f))


def short_forms(names: list[str], language: str = "en") -> list[str]:
    """Distinctive shorter forms of multi-word names: leading runs of words that hold a
    distinctive word, and each distinctive word on its own."""
    found: list[str] = []
    for name in names:
        words = name.split()
        if words and words[0].casefold() == "the":
            words = words[1:]
            if any(_distinctive(w, language) for w in words):
                found.append(" ".join(words))
        if len(words) < 2:
            continue
        distinctive = [_bare(w) for w in words if _distinctive(w, language)]
        found += [" ".join(words[:n]) for n in range(2, len(words))
                  if any(_distinctive(w, language) for w in words[:n])]
        found += distinctive
    return [f for f in dict.fromkeys(found) if f]


def _bare(word: str) -> str:
    """A word without a possessive or trailing punctuation: ``Aidan's`` -> ``Aidan``."""
    return re.sub(r"['\u2019]s?$", "", word).strip(".,;:")


def _distinctive(word: str, language: str) -> bool:
    bare = _bare(word)
    return (len(bare) >= 3 and bare[:1].isupper() and any(c.isalpha() for c in bare)
            and not is_ordinary(fold(bare), language))


def _identifier(form: str, entity: str, kind: str, language: str, *, short: bool = False
                ) -> Identifier:
    """The form with its rule: ``capitalised`` when all its words are ordinary (sooner
    for a ``short`` form cut from a longer name), ``skip`` for a number or a generic
    organisation or place reference ("the Trust", "Hub")."""
    words = WORD.findall(fold(form))
    threshold = SHORT_FORM_ZIPF if short and len(words) == 1 else ORDINARY_ZIPF
    content = [w for w in words if w not in SMALL_WORDS]
    if len(fold(form).replace(".", "").replace(" ", "")) < 2 or not any(
            c.isalpha() for c in form):
        return Identifier(form, entity, kind, "skip")  # "11" of "Participant 11"
    if not all(is_ordinary(w, language, threshold) for w in content):
        return Identifier(form, entity, kind)
    if kind != "participant" and (words[:1] == ["the"] or len(content) == 1):
        return Identifier(form, entity, kind, "skip")  # a generic "the Trust", "Hub"
    return Identifier(form, entity, kind, "capitalised")


def _acronym(name: str) -> str | None:
    letters = [w[0] for w in name.split() if w[:1].isupper() and w.casefold() not in SMALL_WORDS]
    return "".join(letters) if len(letters) >= 3 else None


def _speaker_labels(session: Session) -> dict[int, list[str]]:
    """Speaker labels linked to participants, unless they are codes such as ``P07``."""
    labels: dict[int, list[str]] = {}
    rows = session.execute(select(Speaker.participant_id, Speaker.label)
                           .where(Speaker.participant_id.is_not(None)).order_by(Speaker.id))
    for person, label in rows:
        if person is not None and sum(c.isalpha() for c in label) >= 2 and not any(
                c.isdigit() for c in label):
            labels.setdefault(person, []).append(label)
    return labels


def _unique(identifiers: list[Identifier]) -> list[Identifier]:
    seen: set[str] = set()
    kept = []
    for item in identifiers:
        key = item.form if item.rule == "pattern" else form_pattern(item.form)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


@dataclass
class _Compiled:
    by_first: dict[str, list[tuple[re.Pattern[str], Identifier]]]
    patterns: list[Identifier]


_CACHE: dict[int, tuple[list[Identifier], _Compiled]] = {}


def _compile(identifiers: list[Identifier]) -> _Compiled:
    cached = _CACHE.get(id(identifiers))
    if cached is not None and cached[0] is identifiers:
        return cached[1]
    by_first: dict[str, list[tuple[re.Pattern[str], Identifier]]] = {}
    names = [i for i in identifiers if i.rule != "pattern"]
    for item in sorted(names, key=lambda i: -len(fold(i.form))):
        body = form_pattern(item.form)
        first = fold(item.form).strip()[:1]
        if first:
            by_first.setdefault(first, []).append(
                (re.compile(body + r"(?![^\W_])"), item))
    compiled = _Compiled(by_first, [i for i in identifiers if i.rule == "pattern"])
    _CACHE.clear()
    _CACHE[id(identifiers)] = (identifiers, compiled)
    return compiled


def audit_text(text: str, identifiers: list[Identifier], *, where: str = "") -> list[Leak]:
    """Every known identifier in ``text``, in order of where it starts."""
    compiled = _compile(identifiers)
    folded, origin = fold_map(text)
    leaks: list[Leak] = []
    position = 0
    for word in WORD.finditer(folded):
        if word.start() < position:
            continue
        hit = _match_at(folded, word.start(), compiled, text, origin)
        if hit is not None:
            end, item = hit
            start, stop = origin[word.start()], origin[end - 1] + 1
            leaks.append(_leak(text, start, stop, item, where))
            position = end
    for item in compiled.patterns:
        leaks += [_leak(text, m.start(), m.end(), item, where)
                  for m in PATTERNS[item.kind].finditer(text)]
    return sorted(leaks, key=lambda leak: leak.start)


def _match_at(folded: str, at: int, compiled: _Compiled, text: str, origin: list[int]
              ) -> tuple[int, Identifier] | None:
    for pattern, item in compiled.by_first.get(folded[at], []):
        match = pattern.match(folded, at)
        if match is None:
            continue
        start, stop = origin[at], origin[match.end() - 1] + 1
        if _rule_holds(item.rule, text, start, stop):
            return match.end(), item
    return None


def _rule_holds(rule: str, text: str, start: int, stop: int) -> bool:
    written = text[start:stop]
    if rule == "upper":
        return written.isupper()
    if rule == "capitalised":
        words = [w for w in WORD.findall(written) if w.casefold() not in SMALL_WORDS]
        return all(w[:1].isupper() for w in words) and not sentence_start(text, start)
    return True


def sentence_start(text: str, start: int) -> bool:
    """Does the word at ``start`` begin a sentence, a paragraph or the text?"""
    index = start - 1
    newlines = 0
    while index >= 0 and (text[index].isspace() or text[index] in OPENERS):
        newlines += text[index] == "\n"
        if newlines >= 2:
            return True
        index -= 1
    if index < 0:
        return True
    return text[index] in SENTENCE_END


def _leak(text: str, start: int, stop: int, item: Identifier, where: str) -> Leak:
    context = " ".join(text[max(0, start - CONTEXT):stop + CONTEXT].split())
    return Leak(" ".join(text[start:stop].split()), item.entity, item.kind, context, where,
                start)


def audit_file(path: str | Path, identifiers: list[Identifier], *,
               data: bytes | None = None) -> list[Leak]:
    """Every known identifier in any part of an output file (see
    :mod:`framesynth.io.output_text` for the formats and parts read)."""
    leaks: list[Leak] = []
    for where, text in output_parts(path, data):
        leaks += audit_text(text, identifiers, where=where)
    return leaks


@dataclass(frozen=True)
class Unknown:
    """A capitalised word in a quote that the cases table does not know."""

    word: str
    quote: str


QUOTED = re.compile(r"\u201c([^\u201d]{3,})\u201d")


def quotes_in(text: str) -> list[str]:
    """The quotes (text in curly double quotes) of an output's text."""
    return [" ".join(m.group(1).split()) for m in QUOTED.finditer(text)]


def unknown_words(quotes: list[str], identifiers: list[Identifier], *,
                  language: str = "en") -> list[Unknown]:
    """Capitalised words in ``quotes`` that are neither known identifiers, nor ordinary
    words, nor at a sentence start: possible names to add to the cases table. Each word
    once, with the first quote it is in."""
    known = {w for i in identifiers if i.rule != "pattern" for w in WORD.findall(fold(i.form))}
    found: dict[str, Unknown] = {}
    for quote in quotes:
        for match in WORD.finditer(quote):
            word = match.group(0)
            key = fold(word)
            if (len(word) < 2 or not word[0].isupper() or key in known or key in found
                    or word.isupper() and len(word) <= 2 or is_ordinary(key, language)
                    or key.endswith("s") and is_ordinary(key[:-1], language)
                    or sentence_start(quote, match.start())):
                continue
            found[key] = Unknown(word, quote)
    return list(found.values())


def leak_line(file: str, leak: Leak) -> str:
    """``FILE: form «context» (entity, kind)``."""
    return f"{file}: {leak.form} \u00ab{leak.context}\u00bb ({leak.entity}, {leak.kind})"


def refuse_leaks(outputs: dict[str, bytes | Path], identifiers: list[Identifier]) -> None:
    """Audit what was written (name -> bytes, or the path written); if a known name
    remains, remove every written path (and a Markdown file's figures folder) and raise
    :class:`NamesLeaked` listing each leak."""
    lines = []
    for name, output in outputs.items():
        found = (audit_file(Path(name), identifiers, data=output) if isinstance(output, bytes)
                 else audit_file(output, identifiers))
        lines += [leak_line(name, leak) for leak in found]
    if not lines:
        return
    removed = [output for output in outputs.values() if isinstance(output, Path)]
    for path in removed:
        _remove_output(path)
    kept = f"; removed {', '.join(p.name for p in removed)}" if removed else ""
    raise NamesLeaked(lines, f"{len(lines)} known name(s) remain in the output{kept}; add the "
                      "missing forms to the cases table (aliases) and write it again")


def _remove_output(path: Path) -> None:
    path.unlink(missing_ok=True)
    figures = path.with_name(f"{path.stem}_files")
    if path.suffix.lower() in {".md", ".markdown"} and figures.is_dir():
        for child in figures.iterdir():
            child.unlink()
        figures.rmdir()
