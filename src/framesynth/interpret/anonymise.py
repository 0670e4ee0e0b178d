"""Anonymising quotes: every name the project knows is replaced, written however it is.

What is replaced (the forms are listed with examples in ``docs/chart-and-report.md``):

- people (participants): full name, first name, surname (a compound or double-barrelled
  surname whole and each part), initial + surname (``M. Okafor``, ``M Okafor``,
  ``m.okafor``), first name + initial (``Maureen O.``), title + any of these (``Mrs
  Okafor``, ``Dr. Okafor``), aliases and initials (``A.J.``, ``A. J.``, ``AJ``) and the
  speaker labels that stand for them;
- organisations: name, aliases, acronym (``QCT``) and short form (``Quayside`` for
  "Quayside Community Trust", ``St Aidan's`` for "St Aidan's church hall");
- places from the cases table, with their short forms;
- e-mail addresses (also a bare ``s.carter@``), UK phone numbers and postcodes become
  ``[email]``, ``[phone]``, ``[postcode]``.

Two styles (:data:`STYLES`): ``role`` puts the entity's placeholder (``[project lead]``,
``[community partner]``, ``[venue]``); ``pseudonym`` puts a participant's pseudonym from
the cases table (the role placeholder when there is none; organisations and places have
no pseudonyms and keep their placeholders). One entity gets one replacement everywhere.

Matching is done on a folded copy of the text (:func:`fold`: NFKD, combining marks
stripped, casefolded, curly apostrophes and dash variants made plain) with an index back
to the original, so ``Siobhan``, ``SIOBHÁN`` and ``Siobhán`` are one name and
``O’Brien`` is ``O'Brien``. Any whitespace, line breaks included, may separate the words
of a name; a possessive stays in place (``Maureen’s`` -> ``[project lead]’s``). A form
made only of ordinary words (``Dawn``, ``Price``, ``the Trust``, ``Early Help``; ordinary
means a Zipf frequency of at least :data:`ORDINARY_ZIPF` in ``wordfreq`` for a language of
the project) matches only capitalised as written or in capitals, so "at dawn" and "the
price of bread" keep their meaning; any other form matches in any case ("maureen said
so"). Initials and acronyms match only in capitals. Numbers are never names: a form
without letters is dropped, and a name with a number in it ("Participant 11") is matched
only whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.store.models import Organisation, Participant, Place, Source, Speaker

STYLES = ("role", "pseudonym")
ORDINARY_ZIPF = 3.5  # "hazel" 3.54, "dawn" 4.27, "price" 5.23 are; "maureen" 3.47 is not
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "cllr", "rev",
          "sister", "father")
PLAIN = {"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-"}
EMAIL = re.compile(r"[\w.+-]+@(?:[\w-]+(?:\.[\w-]+)+)?")
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
NOT_LETTER_BEFORE = r"(?<![^\W\d_])"  # the previous character is not a letter
NOT_LETTER_AFTER = r"(?![^\W\d_])"


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for comparison, and for each folded character (plus one past the
    end) the offset of the original character it came from."""
    if text.isascii():
        return text.casefold(), list(range(len(text) + 1))
    chars: list[str] = []
    index: list[int] = []
    for offset, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", PLAIN.get(char, char)):
            if not unicodedata.combining(part):
                folded = part.casefold()
                chars.append(folded)
                index += [offset] * len(folded)
    return "".join(chars), index + [len(text)]


def folded(text: str) -> str:
    return fold(text)[0]


def _unaccented(text: str) -> str:
    """Accents stripped, case kept: for checking how a match is capitalised."""
    return "".join(p for p in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(p))


@lru_cache(maxsize=4096)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language))


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages("best"))


def is_ordinary(word: str, languages: Iterable[str] = ("en",)) -> bool:
    """Is ``word`` (each of its space-separated words, less a possessive) an ordinary
    word in one of ``languages``? A language ``wordfreq`` does not know has none."""
    parts = [re.sub(r"'s?$", "", w) for w in re.split(r"[\s.]+", folded(word)) if w]
    parts = [p for p in parts if any(c.isalpha() for c in p)]
    known = [lang for lang in languages if lang in _wordfreq_languages()]
    return bool(parts) and all(
        any(_zipf(part, lang) >= ORDINARY_ZIPF for lang in known) for part in parts)


@dataclass(frozen=True)
class Entity:
    """Someone or something the cases table names: ``kind`` is person, organisation or
    place; ``label`` its role placeholder."""

    kind: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    pseudonym: str | None = None
    labels: tuple[str, ...] = ()  # speaker labels that stand for a person

    def replacement(self, style: str) -> str:
        return self.pseudonym if style == "pseudonym" and self.pseudonym else self.label


@dataclass(frozen=True)
class Form:
    """One way an entity's name is written; ``case`` is ``any``, ``capitalised`` (only as
    written, capitalised, or in capitals) or ``upper`` (initials and acronyms)."""

    written: str
    entity: int
    case: str


@dataclass
class Anonymiser:
    """Replaces known names in text; build one with :meth:`from_project`."""

    entities: list[Entity]
    forms: list[Form]
    style: str = "role"
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def from_project(cls, session: Session, *, names: str = "role") -> Anonymiser:
        """Every participant, organisation and place of the project; ``names`` is the
        style, ``role`` or ``pseudonym``."""
        return cls.from_entities(project_entities(session), style=names,
                                 languages=project_languages(session))

    @classmethod
    def from_entities(cls, entities: Iterable[Entity], *, style: str = "role",
                      languages: Iterable[str] = ("en",)) -> Anonymiser:
        if style not in STYLES:
            raise InvalidArgument(f"--names must be one of {', '.join(STYLES)}, not {style!r}")
        entities, languages = list(entities), tuple(languages)
        strong: list[tuple[str, int]] = []
        weak: list[tuple[str, int]] = []  # short forms: added last, never override
        for number, entity in enumerate(entities):
            names, shorter = entity_forms(entity, languages)
            strong += [(name, number) for name in names]
            weak += [(name, number) for name in shorter]
        return cls(entities, _unique_forms(strong + weak, languages), style)

    def replacement(self, form: Form) -> str:
        return self.entities[form.entity].replacement(self.style)

    def __call__(self, text: str) -> str:
        text = POSTCODE.sub("[postcode]", PHONE.sub("[phone]", EMAIL.sub("[email]", text)))
        if not self.forms:
            return text
        pieces, last = [], 0
        for start, end, form in self._matches(text):
            replacement, end = _possessive(self.replacement(form), text, end)
            pieces += [text[last:start], replacement]
            last = end
        return "".join(pieces) + text[last:]

    def _matches(self, text: str) -> Iterable[tuple[int, int, Form]]:
        """(start, end, form) of each name in ``text``, in order, not overlapping."""
        if self._pattern is None:
            self._pattern = _compile(self.forms)
        flat, index = fold(text)
        position = 0
        while (match := self._pattern.search(flat, position)) is not None:
            group = str(match.lastgroup)
            form = self.forms[int(group[1:])]
            person = self.entities[form.entity].kind == "person"
            begin = match.start("title") if person and match.group("title") else \
                match.start(group)
            start, end = index[begin], index[match.end()]
            body = text[index[match.start(group)]:end]
            if not _case_fits(body, form):
                position = match.start() + 1
                continue
            yield start, _keep_full_stop(text, start, end), form
            position = match.end()


def project_languages(session: Session) -> list[str]:
    """The project's default language and those of its sources."""
    from framesynth.familiarise.language import default_language

    found = [default_language(session), *session.scalars(
        select(Source.language).group_by(Source.language).order_by(func.min(Source.id)))]
    return list(dict.fromkeys(lang for lang in found if lang))


def project_entities(session: Session) -> list[Entity]:
    """Organisations, places and participants of the project, in that order."""
    found = [Entity("organisation", "[funder]" if o.sector == "funder"
                    else f"[{o.sector} partner]", o.name, tuple(o.aliases or ()))
             for o in session.scalars(select(Organisation).order_by(Organisation.id))]
    found += [Entity("place", f"[{p.kind or 'place'}]", p.name)
              for p in session.scalars(select(Place).order_by(Place.id))]
    labels: dict[int, list[str]] = {}
    for speaker in session.scalars(select(Speaker).where(Speaker.participant_id.is_not(None))
                                   .order_by(Speaker.id)):
        labels.setdefault(int(speaker.participant_id or 0), []).append(speaker.label)
    found += [Entity("person", f"[{p.role or 'participant'}]", p.name, tuple(p.aliases or ()),
                     p.pseudonym or None, tuple(dict.fromkeys(labels.get(p.id, []))))
              for p in session.scalars(select(Participant).order_by(Participant.id))]
    return found


def entity_forms(entity: Entity, languages: Iterable[str] = ("en",)
                 ) -> tuple[list[str], list[str]]:
    """(forms, short forms) of one entity's name."""
    if entity.kind == "person":
        labels = [label for label in entity.labels if not any(c.isdigit() for c in label)]
        return person_forms(entity.name, [*entity.aliases, *labels]), []
    names = [entity.name, *entity.aliases]
    shorter = short_forms(names, languages)
    if entity.kind == "organisation":
        shorter += [a for a in [acronym(entity.name)] if a]
    return names, shorter


def person_forms(full_name: str, aliases: Iterable[str] = ()) -> list[str]:
    """The ways a person's name may be written: full, first, surname (whole and each
    part), initial + surname, first + initial, aliases. A name with a number in it
    ("Participant 11") is a label, written only whole."""
    words = full_name.split()
    while len(words) > 2 and words[0].casefold().rstrip(".") in TITLES:
        words = words[1:]  # "Dr Helen Ashworth": the title is not a name
    forms = [full_name, " ".join(words), *(a for a in aliases if a.strip())]
    if len(words) < 2 or any(c.isdigit() for c in full_name):
        return list(dict.fromkeys(forms))
    first, surname = words[0], " ".join(words[1:])
    forms += [first, surname, f"{first[0]}. {surname}", f"{first} {surname[0]}."]
    if len(words) > 2:
        forms += [" ".join(words[:-1]), f"{first} {words[-1]}"]
    parts = re.split(r"[\s‐‑–-]+", surname)
    forms += [part for part in parts if len(part) > 1 and part[:1].isupper()]
    return list(dict.fromkeys(forms))


def short_forms(names: Iterable[str], languages: Iterable[str] = ("en",)) -> list[str]:
    """Shorter ways people say a place or organisation: its words up to the first
    distinctive one ("Quayside" for "Quayside Community Trust", "St Aidan's" for "St
    Aidan's church hall"; "the Quayside" then matches too), or the name without a
    leading "the". Ordinary words alone ("Community", "the Trust") are never one."""
    found = []
    for name in names:
        words = name.split()
        if len(words) >= 2 and words[0].casefold() == "the":
            words = words[1:]
            found.append(" ".join(words))
        for end, word in enumerate(words[:-1], start=1):
            if not is_ordinary(word, languages) and word[:1].isupper():
                found.append(" ".join(words[:end]))
                break
    found += [f"Saint {f.split(maxsplit=1)[1]}" for f in found
              if f.split()[0] in {"St", "St."} and " " in f]
    return [f for f in dict.fromkeys(found) if not is_ordinary(f, languages)]


def acronym(name: str) -> str:
    """"QCT" for "Quayside Community Trust": initials of its capitalised words, when
    there are three or more."""
    letters = [w[0] for w in name.split() if w[:1].isupper()]
    return "".join(letters) if len(letters) >= 3 else ""


def _unique_forms(entries: list[tuple[str, int]], languages: tuple[str, ...]) -> list[Form]:
    seen: set[str] = set()
    forms = []
    for written, entity in entries:
        key = " ".join(re.split(r"[\s.]+", folded(written).strip(" .")))
        letters = sum(c.isalpha() for c in key)
        if letters < 2 or key in seen:
            continue  # a form without letters ("11" of "Participant 11") is a number
        seen.add(key)
        forms.append(Form(written, entity, _case_rule(written, languages)))
    return forms


def _case_rule(written: str, languages: tuple[str, ...]) -> str:
    words = _words(written)
    if all(len(w) == 1 for w in words) or (len(words) == 1 and written.isupper()
                                          and len(written) <= 5 and written.isalpha()):
        return "upper"  # initials ("A.J.", "AJ") and acronyms ("QCT")
    return "capitalised" if all(is_ordinary(w, languages) for w in words) else "any"


def _words(written: str) -> list[str]:
    """The words of a form as matching sees them: split at spaces and full stops."""
    return [w for w in re.split(r"[\s.]+", written.strip()) if w]


def _form_pattern(written: str) -> str:
    words = _words(folded(written))
    if len(words) == 1 and len(words[0]) <= 5 and written.isupper() and written.isalpha():
        words = list(words[0])  # an acronym may be written with stops: Q.C.T.
    parts = []
    for number, word in enumerate(words):
        body = re.escape(word).replace("'", "'?").replace(r"\-", r"(?:-\s*|\s+)")
        if number:
            previous = words[number - 1]
            parts.append(r"\.?\s*" if len(previous) == 1 and len(word) == 1 else
                         r"(?:\.\s*|\s+)" if len(previous) == 1 else r"\.?\s+")
        parts.append(body)
    if len(words[-1]) == 1:
        parts.append(r"\.?" if all(len(w) == 1 for w in words) else r"\.")
    return "".join(parts)


def _compile(forms: list[Form]) -> re.Pattern[str]:
    order = sorted(range(len(forms)), key=lambda n: -len(folded(forms[n].written)))
    bodies = "|".join(f"(?P<f{n}>{_form_pattern(forms[n].written)})" for n in order)
    titles = "|".join(TITLES)
    return re.compile(f"{NOT_LETTER_BEFORE}(?:(?P<title>{titles})\\.?\\s+)?"
                      f"(?:{bodies}){NOT_LETTER_AFTER}")


def _case_fits(body: str, form: Form) -> bool:
    """Is the matched text capitalised as ``form`` requires?"""
    if form.case == "any":
        return True
    plain = _unaccented(body)
    if form.case == "upper" or not any(c.islower() for c in plain):
        return not any(c.islower() for c in plain)
    found_words = re.findall(r"[^\W\d_]+", plain)
    wanted_words = re.findall(r"[^\W\d_]+", _unaccented(form.written))
    pairs = zip(found_words, wanted_words, strict=False)  # "AJ" may stand for "A.J."
    return all(found[0].isupper() or not wanted[0].isupper() for found, wanted in pairs)


def _possessive(replacement: str, text: str, end: int) -> tuple[str, int]:
    """"James'" becomes "Tom's" (not "Tom'") for a pseudonym that does not end in s."""
    apostrophe = text[end:end + 1]
    if (text[end - 1:end] in {"s", "S"} and apostrophe in {"'", "’"}
            and not text[end + 1:end + 2].isalpha() and not replacement.endswith(("s", "]"))):
        return f"{replacement}{apostrophe}s", end + 1
    return replacement, end


def _keep_full_stop(text: str, start: int, end: int) -> int:
    """A match that ends with an initial's full stop at the end of a sentence ("I asked
    A.J. Then ...") leaves the stop to the sentence."""
    if text[end - 1:end] == "." and re.match(r"\s*(?:$|\n|[A-Z])", text[end:]):
        return end - 1
    return end
