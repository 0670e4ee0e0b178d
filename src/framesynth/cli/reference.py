"""Render the CLI reference (docs/cli-reference.md) from the commands themselves.

``make docs`` writes it; a test fails when the file and the code disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer._click as click
from typer.main import get_command

from framesynth.cli.main import app


def iter_commands(command: Any = None, path: str = "framesynth") -> Iterator[tuple[str, Any]]:
    """(full name, command) for every leaf command, in registration order."""
    command = command or get_command(app)
    context = click.Context(command)
    for name in command.list_commands(context) if hasattr(command, "list_commands") else []:
        sub = command.get_command(context, name)
        if hasattr(sub, "list_commands"):
            yield from iter_commands(sub, f"{path} {name}")
        else:
            yield f"{path} {name}", sub


def render_reference() -> str:
    lines = ["# CLI reference", "",
             "Generated from the code by `make docs`; do not edit by hand.", ""]
    for name, command in iter_commands():
        lines += [f"## `{name}`", ""]
        lines += [_usage(name, command), ""]
        lines += [(command.help or "").strip(), ""]
        params = [_param_line(p) for p in command.params]
        if params:
            lines += params + [""]
    return "\n".join(lines)


def _usage(name: str, command: Any) -> str:
    arguments = " ".join(p.name.upper() + ("..." if p.nargs == -1 else "")
                         for p in command.params if not p.opts[0].startswith("-"))
    return f"    {name} [OPTIONS] {arguments}".rstrip()


def _param_line(param: Any) -> str:
    if not param.opts[0].startswith("-"):
        label = f"`{param.name.upper()}`"
    else:
        label = ", ".join(f"`{opt}`" for opt in param.opts)
    details = param.help or ""
    if param.default not in (None, False) and not getattr(param, "is_flag", False):
        details += f" Default: `{param.default}`."
    if param.envvar:
        names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar)
        details += " Environment: " + " or ".join(f"`{name}`" for name in names) + "."
    return f"- {label}: {details.strip()}".rstrip(": ")


if __name__ == "__main__":
    print(render_reference())
