"""One router per part of the workbench."""

from framesynth.web import templating  # noqa: F401  (registers the template filters)
