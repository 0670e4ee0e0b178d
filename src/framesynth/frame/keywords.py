"""Keyword rules held in the codebook, for auto-coding and for splitting codes.

A rule is a word or phrase, ``*`` standing for any word ending (``referr*`` matches
"referral" and "referred"), or a regular expression between slashes
(``/\\bforms?\\b/``). Matching ignores case and takes any whitespace between words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from framesynth.errors import InvalidArgument


def rule_pattern(rule: str) -> str:
    """The regular expression for one rule."""
    rule = rule.strip()
    if len(rule) > 2 and rule.startswith("/") and rule.endswith("/"):
        body = rule[1:-1]
        try:
            re.compile(body)
        except re.error as error:
            raise InvalidArgument(f"keyword rule {rule!r} is not a valid regex: {error}") from None
        return body
    words = [re.escape(word).replace(r"\*", r"\w*") for word in rule.split()]
    if not words:
        raise InvalidArgument("an empty keyword rule")
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


@dataclass(frozen=True)
class KeywordRule:
    """Compiled keyword rules of one code."""

    rules: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def compile(cls, rules: list[str]) -> KeywordRule:
        return cls(tuple(rules),
                   tuple(re.compile(rule_pattern(rule), re.IGNORECASE) for rule in rules))

    def matched_rules(self, text: str) -> list[str]:
        """The rules that match somewhere in ``text``."""
        return [rule for rule, pattern in zip(self.rules, self.patterns, strict=True)
                if pattern.search(text)]

    def matches(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)
