"""Template filters of the workbench, registered on the shared Jinja environment.

``colour`` turns a stored code colour into one fit for a ``style`` attribute: a valid
``#rrggbb``, else the default, so nothing unchecked ever reaches CSS.
"""

from __future__ import annotations

from framesynth.frame.colours import safe_colour
from framesynth.web.deps import TEMPLATES

TEMPLATES.env.filters["colour"] = safe_colour
