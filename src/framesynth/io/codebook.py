"""Import and export a framework as YAML or REFI-QDA ``.qdc``, chosen by file suffix."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from framesynth.errors import UnsupportedFormat
from framesynth.frame.framework import MAIN, load_framework, to_specs
from framesynth.frame.history import record_change
from framesynth.io.codebook_yaml import read_yaml, write_yaml
from framesynth.io.refi.qdc import read_qdc, write_qdc
from framesynth.store.models import Code

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".qdc": "qdc"}


def codebook_format(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UnsupportedFormat("a framework file must be .yaml, .yml or .qdc", path=path)
    return fmt


def import_codebook(session: Session, path: str | Path, *, framework: str = MAIN,
                    actor: str, notes: list[str] | None = None) -> list[Code]:
    """Load a framework file into an empty framework (the shared one, or a draft).

    :param notes: gets a line for what a ``.qdc`` carried that was dropped (odd colours).
    """
    if codebook_format(path) == "yaml":
        _title, specs = read_yaml(path)
    else:
        specs = read_qdc(path, notes=notes)
    codes = load_framework(session, specs, framework=framework)
    record_change(session, "import", actor=actor, framework=framework, file=Path(path).name)
    return codes


def export_codebook(session: Session, path: str | Path, *, framework: str = MAIN) -> int:
    """Write the framework to ``path``; returns the number of top-level codes."""
    specs = to_specs(session, framework)
    if codebook_format(path) == "yaml":
        write_yaml(specs, path, title=framework)
    else:
        write_qdc(specs, Path(path))
    return len(specs)
