"""Print docs/cli-reference.md (``make docs`` redirects it there)."""

from framesynth.cli.reference import render_reference

print(render_reference(), end="")
