"""Word frequencies per source or per group of cases, stop-words removed.

Counting is scikit-learn's ``CountVectorizer`` with its English stop-word list, plus the
fillers of transcribed speech ("yeah", "know", "mean" ...). Interviewer turns are left
out unless asked for, so the counts describe what participants said.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import Where, load_context
from framesynth.store.models import Turn

SPOKEN_FILLERS = frozenset(
    "yeah yes yep okay ok oh um umm er erm uh mm hmm know like just think mean really "
    "going got get sort kind thing things actually bit lot say said don didn doesn isn "
    "wasn ve ll re right well gonna wanna stuff way laughs pause inaudible crosstalk "
    "bit quite maybe probably sure".split()
)
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'’-]+\b"


def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | SPOKEN_FILLERS


def word_frequencies(
    session: Session,
    *,
    by: str = "source",
    top: int = 20,
    where: Where | None = None,
    include_interviewer: bool = False,
) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` words of each group, most frequent first.

    :param by: ``source``, ``all``, or any attribute ``--where`` knows (``sector``,
        ``role``, ``kind`` ...); turns without that attribute are left out.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    context = load_context(session)
    where = where or {}
    context.check(where)
    if by not in {"all"} and by.casefold() not in context.known_keys():
        raise InvalidArgument(f"cannot group by {by!r}; use source, all or an attribute")
    groups: dict[str, list[str]] = defaultdict(list)
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
            groups[group].append(text)
    if not groups:
        return {}
    names = sorted(groups)
    vectorizer = CountVectorizer(stop_words=list(stop_words()), token_pattern=TOKEN_PATTERN)
    matrix = vectorizer.fit_transform(["\n".join(groups[name]) for name in names])
    vocabulary = vectorizer.get_feature_names_out()
    result = {}
    for row, name in enumerate(names):
        counts = matrix.getrow(row).toarray().ravel()
        order = sorted(range(len(counts)), key=lambda i: (-counts[i], vocabulary[i]))[:top]
        result[name] = [(str(vocabulary[i]), int(counts[i])) for i in order if counts[i] > 0]
    return result
