"""framesynth: local-first qualitative framework synthesis.

Familiarise, build a framework, index, chart and interpret; the library is the product,
the CLI and the web app are thin layers over it. ``Project`` and ``open_project`` load
on first use, so importing a submodule (the CLI) does not import SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from framesynth.project import Project, open_project

__version__ = "0.1.0"

__all__ = ["Project", "open_project", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Project", "open_project"):
        from framesynth import project

        return getattr(project, name)
    raise AttributeError(f"module 'framesynth' has no attribute {name!r}")
