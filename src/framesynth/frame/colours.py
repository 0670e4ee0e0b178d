"""Code colours: only ever ``#rrggbb`` (``#rgb`` is widened), lower case.

A colour is written into HTML ``style`` attributes, so anything else is refused where a
person types it (:func:`check_colour`) and dropped, with a note, where a file from another
tool carries it (:func:`colour_or_none`).
"""

from __future__ import annotations

import re

from framesynth.errors import InvalidArgument

DEFAULT_COLOUR = "#718096"
HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def normalise_colour(value: str) -> str | None:
    """``"#ABC"`` -> ``"#aabbcc"``, ``"#A0B1C2"`` -> ``"#a0b1c2"``; ``None`` if not a colour."""
    match = HEX.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    return "#" + ("".join(d * 2 for d in digits) if len(digits) == 3 else digits)


def check_colour(value: str | None) -> str | None:
    """The normalised colour, ``None`` for no colour; refuses anything else."""
    if value is None or not value.strip():
        return None
    colour = normalise_colour(value)
    if colour is None:
        raise InvalidArgument(f"colour {value!r} is not #rrggbb or #rgb")
    return colour


def colour_or_none(value: str | None, notes: list[str] | None, what: str) -> str | None:
    """Lenient :func:`check_colour` for imported files: a bad colour becomes no colour,
    and ``notes`` (when given) says so, naming ``what`` carried it."""
    try:
        return check_colour(value)
    except InvalidArgument:
        if notes is not None:
            notes.append(f"{what}: colour {value!r} is not #rrggbb; the default is used")
        return None


def safe_colour(value: object) -> str:
    """For templates: a valid colour as stored, else the default (never raw input)."""
    colour = normalise_colour(value) if isinstance(value, str) else None
    return colour or DEFAULT_COLOUR
