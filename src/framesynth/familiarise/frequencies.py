"""Word frequencies per source or per group of cases, stop-words removed.

Words are found by scikit-learn's ``CountVectorizer`` tokeniser, and each turn loses the
stop-words of its source's language (:mod:`framesynth.familiarise.language`): for English,
scikit-learn's list plus the fillers of transcribed speech ("yeah", "know", "mean" ...);
for other languages, the list ``stopwordsiso`` ships for it (58 languages, ISO 639-1
codes), plus a few spoken fillers for French and Dutch. A language without a list loses
no words. Interviewer turns are left out unless asked for, so the counts describe what
participants said.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import Where, load_context
from framesynth.familiarise.language import check_language, source_languages
from framesynth.store.models import Turn

SPOKEN_FILLERS = frozenset(
    "yeah yes yep okay ok oh um umm er erm uh mm hmm know like just think mean really "
    "going got get sort kind thing things actually bit lot say said don didn doesn isn "
    "wasn ve ll re right well gonna wanna stuff way laughs pause inaudible crosstalk "
    "bit quite maybe probably sure".split()
)
SPOKEN_FILLERS_BY_LANGUAGE = {
    "fr": frozenset("euh heu bah ben hein ouais ouai bon voilà truc genre mmh rires pause "
                    "inaudible".split()),
    "nl": frozenset("eh ehm uh uhm hè nou ja jawel oké zeg hoor gewoon eigenlijk lacht pauze "
                    "onverstaanbaar".split()),
}
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'’-]+\b"


@lru_cache(maxsize=32)
def stop_words(language: str = "en") -> frozenset[str]:
    """The words left out for ``language`` (an ISO 639-1 code)."""
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS) | SPOKEN_FILLERS
    import stopwordsiso

    listed = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    words = {word.casefold() for word in listed}
    return frozenset(words) | SPOKEN_FILLERS_BY_LANGUAGE.get(language, frozenset())


def word_frequencies(
    session: Session,
    *,
    by: str = "source",
    top: int = 20,
    where: Where | None = None,
    include_interviewer: bool = False,
    language: str | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` words of each group, most frequent first.

    :param by: ``source``, ``all``, or any attribute ``--where`` knows (``sector``,
        ``role``, ``kind`` ...); turns without that attribute are left out.
    :param language: remove this language's stop-words everywhere; by default each
        source's own language decides.
    """
    forced = check_language(language) if language else None
    languages = source_languages(session)
    context = load_context(session)
    where = where or {}
    context.check(where)
    if by not in {"all"} and by.casefold() not in context.known_keys():
        raise InvalidArgument(f"cannot group by {by!r}; use source, all or an attribute")
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    tokenise = _tokeniser()
    for source_id, speaker_id, text in session.execute(
        select(Turn.source_id, Turn.speaker_id, Turn.text)
    ):
        attrs = context.attributes(source_id, speaker_id)
        if speaker_id is None or (attrs.get("interviewer") == "true" and not include_interviewer):
            continue
        if not context.matches(source_id, speaker_id, where):
            continue
        group = "all" if by == "all" else attrs.get(by.casefold())
        if group is not None:
            stops = stop_words(forced or languages.get(source_id) or "en")
            groups[group].update(word for word in tokenise(text) if word not in stops)
    return {name: _top(groups[name], top) for name in sorted(groups)}


def _tokeniser():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(token_pattern=TOKEN_PATTERN).build_analyzer()


def _top(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
