"""Back-channel, filler and function words: what a matrix draft does not count as content.

A drafted sentence must carry at least a few *content words*: the words left once the
language's fillers and back-channel ("mm-hmm", "yeah", "you know", "um") and its function
words ("and", "is", "there") are taken out. So "Mm-hmm.", "Yeah, yeah.", "Right, okay.",
"You know, um." and "Mm-hmm and is there." have none and are never drafted.

The lists are per language (``Source.language``, its first part: ``en-GB`` -> ``en``);
a language without lists uses English's. Add a language by adding its three entries here.
"""

from __future__ import annotations

import re

FILLERS: dict[str, frozenset[str]] = {
    "en": frozenset("""
        mm mmm mm-hmm mhm hmm hm uh-huh uh-uh uh um umm er erm ah aha oh ooh eh huh
        yeah yep yup yes no nope okay ok right alright sure well so like just really
        actually basically literally absolutely exactly definitely totally
        """.split()),
}
FILLER_PHRASES: dict[str, frozenset[tuple[str, ...]]] = {
    "en": frozenset({("you", "know"), ("i", "mean"), ("sort", "of"), ("kind", "of"),
                     ("you", "see"), ("i", "guess"), ("of", "course")}),
}
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""
        a an the and or but nor if then than as at by for from in into of on onto to up
        down out off over with without about i me my we us our you your he him his she
        her it its they them their this that these those there here what which who whom
        whose when where why how is are was were be been being am do does did done have
        has had having will would shall should can could may might must not n't 's 're
        've 'd 'll i'm it's that's there's don't didn't isn't wasn't can't we're they're
        you're i've all any some very too also again more most much many one
        """.split()),
}
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def _lists(language: str | None) -> str:
    key = (language or "en").split("-")[0].split("_")[0].casefold()
    return key if key in FILLERS else "en"


def content_words(text: str, language: str | None = "en") -> list[str]:
    """The words of ``text`` that are neither fillers nor function words."""
    key = _lists(language)
    words = [w.replace("\u2019", "'") for w in WORD.findall(text.casefold())]
    kept, index = [], 0
    while index < len(words):
        if tuple(words[index:index + 2]) in FILLER_PHRASES[key]:
            index += 2
            continue
        if words[index] not in FILLERS[key] and words[index] not in FUNCTION_WORDS[key]:
            kept.append(words[index])
        index += 1
    return kept
