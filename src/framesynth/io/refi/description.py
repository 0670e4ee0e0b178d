"""framesynth's extra code fields inside a plain-text description, and back.

REFI-QDA gives a code one free-text ``Description``. framesynth keeps its definition there
and appends its other fields as readable sections that a person using MAXQDA or NVivo
can read and edit, and that framesynth parses back::

    Parents who wait for counselling ...

    Include:
    - length of waits for counselling
    Exclude:
    - delays caused by thresholds
    Examples:
    - Fourteen weeks for counselling.
    Keywords: waiting list*; queue

A retired code (no new coding; its codings stay) ends with a line ``Retired: yes``.
An import keeps the description text exactly as the file had it, and an export writes it
back unchanged while the code's fields still read the same (:func:`same_fields`).
"""

from __future__ import annotations

import re

from framesynth.frame.framework import CodeSpec

SECTIONS = {"include": "inclusion", "exclude": "exclusion", "examples": "examples"}
HEADING = re.compile(r"^(Include|Exclude|Examples|Keywords):[ \t]*(.*)$", re.IGNORECASE)
RETIRED = "Retired: yes"


def compose(spec: CodeSpec) -> str:
    """The description text for ``spec``."""
    parts = [spec.definition.strip()] if spec.definition.strip() else []
    lists = [("Include", spec.inclusion), ("Exclude", spec.exclusion),
             ("Examples", spec.examples)]
    sections = [f"{title}:\n" + "\n".join(f"- {item}" for item in items)
                for title, items in lists if items]
    if spec.keywords:
        sections.append("Keywords: " + "; ".join(spec.keywords))
    if sections:
        parts.append("\n".join(sections))
    return "\n\n".join(parts)


def parse_into(spec: CodeSpec, description: str) -> CodeSpec:
    """Fill ``spec``'s definition and lists from a description written by :func:`compose`
    (or by hand: text without sections is all definition)."""
    definition: list[str] = []
    current: str | None = None
    for line in description.replace("\r\n", "\n").split("\n"):
        if line.strip().casefold() == RETIRED.casefold():
            continue
        heading = HEADING.match(line.strip())
        if heading:
            name = heading.group(1).casefold()
            if name == "keywords":
                spec.keywords = [k.strip() for k in heading.group(2).split(";") if k.strip()]
                current = None
            else:
                current = SECTIONS[name]
            continue
        if current and line.strip().startswith("- "):
            getattr(spec, current).append(line.strip()[2:].strip())
        elif current and line.strip():
            items = getattr(spec, current)
            if items:
                items[-1] += " " + line.strip()
        elif current is None:
            definition.append(line)
    spec.definition = "\n".join(definition).strip()
    return spec


def compose_retired(spec: CodeSpec) -> str:
    """The description of a retired code: :func:`compose` and the ``Retired: yes`` line."""
    text = compose(spec)
    return f"{text}\n\n{RETIRED}" if text else RETIRED


def is_retired(description: str | None) -> bool:
    """Whether a description ends with the ``Retired: yes`` line."""
    lines = (description or "").strip().splitlines()
    return bool(lines) and lines[-1].strip().casefold() == RETIRED.casefold()


def same_fields(spec: CodeSpec, description: str) -> bool:
    """Whether ``description`` still says what ``spec`` holds (so it can be written back
    as it was)."""
    parsed = parse_into(CodeSpec(name=spec.name), description)
    return compose(parsed) == compose(spec)
