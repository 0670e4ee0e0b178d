"""Times in a recording as people write them: seconds, m:ss or h:mm:ss.

``parse_time`` reads "754", "754.5", "12:34" or "1:02:34" (seconds may have a decimal
part); ``format_time`` writes m:ss under an hour and h:mm:ss above, as the quotes show
a time range ("12:04–12:31").
"""

from __future__ import annotations

import re

from framesynth.errors import InvalidArgument

TIME = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?(\d+(?:\.\d+)?)$")


def parse_time(text: str) -> float:
    """Seconds from "754", "12:34" or "1:02:34"; ``InvalidArgument`` for anything else."""
    match = TIME.match(text.strip())
    if match is None or (":" in text and float(match.group(3)) >= 60):
        raise InvalidArgument(f"time {text!r} is not seconds, m:ss or h:mm:ss")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)


def format_time(seconds: float) -> str:
    """"12:04" (m:ss) or "1:02:04" (h:mm:ss); whole seconds, rounded down."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_range(start: float, end: float) -> str:
    """"12:04–12:31"."""
    return f"{format_time(start)}–{format_time(end)}"
