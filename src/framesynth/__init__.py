"""framesynth: local-first qualitative framework synthesis.

Familiarise, build a framework, index, chart and interpret; the library is the product,
the CLI and the web app are thin layers over it.
"""

from framesynth.project import Project, open_project

__version__ = "0.1.0"

__all__ = ["Project", "open_project", "__version__"]
