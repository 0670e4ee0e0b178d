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
"""

from __future__ import annotations

import re

from framesynth.frame.framework import CodeSpec

SECTIONS = {"include": "inclusion", "exclude": "exclusion", "examples": "examples"}
HEADING = re.compile(r"^(Include|Exclude|Examples|Keywords):[ \t]*(.*)$", re.IGNORECASE)


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
