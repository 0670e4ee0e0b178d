"""The report file the team edits: ``study.report.yaml`` beside ``study.fsdb`` (for a
database URL, ``DATABASE.report.yaml`` in ``FRAMESYNTH_LOCAL_DIR`` or the current folder).

It holds what a learning paper's authors decide and the project cannot know: the title,
authors and date, a summary with key findings, which sections and analyses appear and in
what order, which themes and in what order, the method section's text (written from the
project by ``framesynth report init``, then theirs to edit), how many ranked quotes a
section without picks shows, the grouping and how anonymised names read. Every key may be
left out; :class:`ReportSettings` gives its default. A file with a mistake is refused in
one line naming the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from framesynth.errors import CorruptFile, InvalidArgument
from framesynth.frame.framework import code_path, framework_codes
from framesynth.interpret.method import method_section
from framesynth.interpret.prevalence import default_group_by
from framesynth.io.codebook_yaml import yaml_error
from framesynth.store.engine import database_name, local_path
from framesynth.store.events import log_event
from framesynth.store.models import Case, Code

Section = Literal["summary", "method", "organisations", "themes", "framework"]
Analysis = Literal["glance", "prevalence", "chart", "comparison", "partnerships", "network",
                   "heatmap"]
SECTIONS: tuple[Section, ...] = get_args(Section)
ANALYSES: tuple[Analysis, ...] = get_args(Analysis)
DEFAULT_SUBTITLE = "Learning from the evaluation"
SUFFIX = ".report.yaml"


class ReportSettings(BaseModel):
    """What the team decides about its report; every field has a default."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None  # None: the project's name
    subtitle: str = DEFAULT_SUBTITLE
    authors: list[str] = Field(default_factory=list)
    date: dt.date | None = None  # None: the day the report is built
    summary: str = ""  # paragraphs, separated by a blank line
    key_findings: list[str] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=lambda: list(SECTIONS))
    themes: list[str] = Field(default_factory=list)  # names or paths; empty: all, in order
    analyses: list[Analysis] = Field(default_factory=lambda: list(ANALYSES))
    method: str | None = None  # None: written from the project each time
    quotes: int = Field(default=2, ge=0, le=100)
    group_by: str | None = None  # None: the project's default; "none": no grouping
    names: Literal["role", "pseudonym"] = "role"

    _origin: str | None = PrivateAttr(default=None)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("sections", "analyses", "themes", "authors", "key_findings")
    @classmethod
    def _once_each(cls, items: list[str]) -> list[str]:
        repeated = [item for n, item in enumerate(items) if item in items[:n]]
        if repeated:
            raise ValueError(f"{repeated[0]!r} is listed twice")
        return items

    def where(self, key: str) -> dict[str, str | None]:
        """``path``/``where`` for an error about ``key``: the file and the key's line."""
        line = self._lines.get(key)
        return {"path": self._origin, "where": f"line {line}" if line else None}

    def paragraphs(self, key: str) -> list[str]:
        """The text of ``summary`` or ``method`` as paragraphs (split at blank lines)."""
        text = getattr(self, key) or ""
        return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")
                if p.strip()]


def settings_path(project: str | Path) -> Path:
    """Where a project's report file lives: ``study.fsdb`` -> ``study.report.yaml``; for
    a database URL, ``DATABASE.report.yaml`` in ``FRAMESYNTH_LOCAL_DIR`` or the current folder
    (:func:`~framesynth.store.engine.local_path`)."""
    stand_in = local_path(project)
    return stand_in.with_name(stand_in.stem + SUFFIX)


def read_settings(project: str | Path) -> ReportSettings:
    """The project's report settings: its report file when there is one, else defaults."""
    path = settings_path(project)
    return load_settings(path) if path.exists() else ReportSettings()


def load_settings(path: str | Path) -> ReportSettings:
    """Read a report file; a mistake stops in one line naming the file and the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptFile(f"cannot read the report file ({error})", path=path) from None
    return parse_settings(text, origin=str(path))


def parse_settings(text: str, *, origin: str | None = None) -> ReportSettings:
    """Report settings from YAML text (``origin`` names it in errors)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise yaml_error(error, origin) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidArgument("a report file is a list of 'key: value' lines", path=origin)
    lines = _key_lines(root)
    try:
        settings = ReportSettings.model_validate(data)
    except ValidationError as error:
        raise _invalid(error, root, lines, origin) from None
    settings._origin, settings._lines = origin, lines
    return settings


def _key_lines(root: yaml.Node | None) -> dict[str, int]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in root.value}


def _invalid(error: ValidationError, root: yaml.Node | None, lines: dict[str, int],
             origin: str | None) -> InvalidArgument:
    """One line for the first problem pydantic found, at its line in the file."""
    problem = error.errors()[0]
    location = [part for part in problem["loc"]]
    key = str(location[0]) if location else ""
    line = _item_line(root, location) or lines.get(key)
    if problem["type"] == "extra_forbidden":
        message = (f"unknown setting {key!r}; the settings are: "
                   f"{', '.join(ReportSettings.model_fields)}")
    elif problem["type"] == "literal_error":
        message = f"{key}: {problem['input']!r} is not one of {_choices(key)}"
    else:
        message = f"{key}: {problem['msg'].removeprefix('Value error, ')}"
    return InvalidArgument(message, path=origin, where=f"line {line}" if line else None)


def _item_line(root: yaml.Node | None, location: list[Any]) -> int | None:
    """The line of ``sections[2]`` and the like, when the problem is in a list item."""
    if not isinstance(root, yaml.MappingNode) or len(location) < 2:
        return None
    value = next((v for k, v in root.value if k.value == location[0]), None)
    if isinstance(value, yaml.SequenceNode) and isinstance(location[1], int) \
            and location[1] < len(value.value):
        return int(value.value[location[1]].start_mark.line) + 1
    return None


def _choices(key: str) -> str:
    return ", ".join({"sections": SECTIONS, "analyses": ANALYSES,
                      "names": ("role", "pseudonym")}.get(key, ()))


class _Dumper(yaml.SafeDumper):
    """Writes texts of several lines as ``|`` blocks, the way a person would."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)

COMMENTS = {
    "title": "The report's title (left out: the project's name).",
    "subtitle": "The line under the title; the date follows it.",
    "authors": "Who wrote the report, in the order they are credited: [Ana Ruiz, Tom Byrne].",
    "date": "The report's date, as 2026-12-02 (left out: the day it is built).",
    "summary": "The summary at the top of the report: paragraphs, a blank line between them.",
    "key_findings": "Key findings, one per item, printed as a list under the summary.",
    "sections": "The report's sections in order; leave one out to drop it. Choices: "
                + ", ".join(SECTIONS) + ".",
    "themes": "The themes in order (names or paths); leave this empty for all of them, in "
              "the framework's order.",
    "analyses": "The analyses shown; leave one out to drop it. glance: the method's summary "
                "box; prevalence, chart, comparison: how widely each theme came up; "
                "partnerships, network, heatmap: the organisations section.",
    "method": "How the study was done. Written from the project by 'report init'; edit it "
              "freely, or delete it to have it written afresh each time.",
    "quotes": "How many quotes a section shows when the analyst picked none (the best ranked).",
    "group_by": "The attribute prevalence groups participants by (sector, role, site ...), "
                "or none. Left out: sector when the study has organisations with sectors.",
    "names": "How anonymised names read: role ([project lead]) or pseudonym.",
}


def settings_yaml(settings: ReportSettings, *, project: str = "the project") -> str:
    """The settings as a report file, every key with a comment saying what it does."""
    values = settings.model_dump(mode="json")
    out = [f"# The learning report of {project}: edit this file, then run framesynth report.",
           "# Every key may be left out; it then takes its default.", ""]
    for key, comment in COMMENTS.items():
        value = values[key]
        if key in ("summary", "method") and value:
            value = "\n\n".join(textwrap.fill(p, 88) for p in settings.paragraphs(key))
        out += textwrap.wrap(comment, 88, initial_indent="# ", subsequent_indent="# ")
        if value is None:
            out += [f"# {key}:", ""]
            continue
        out += [yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          width=90).rstrip(), ""]
    return "\n".join(out)


def default_settings(session: Session) -> ReportSettings:
    """The settings ``report init`` writes: defaults, the method text from the project."""
    group_by = default_group_by(session)
    method = method_section(session, True, grouped=group_by is not None)
    return ReportSettings(title=project_name(session), method="\n\n".join(method),
                          group_by=group_by or "none")


def write_settings(path: str | Path, settings: ReportSettings, *, project: str) -> Path:
    """Write the report file whole or not at all (a temporary file, then a rename)."""
    path = Path(path)
    text = settings_yaml(settings, project=project)
    parse_settings(text, origin=str(path))  # what is written reads back
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def init_settings(session: Session, project: str | Path, *, force: bool = False) -> Path:
    """Write the project's default report file (``report init``); an existing one is kept
    unless ``force``."""
    path = settings_path(project)
    if path.exists() and not force:
        raise InvalidArgument("the report file already exists; edit it, or pass --force to "
                              "write the default over it", path=path)
    return write_settings(path, default_settings(session), project=database_name(project))


def project_name(session: Session) -> str:
    """The study's name (its project case), or "Learning report"."""
    return session.scalar(select(Case.name).where(Case.kind == "project")) or "Learning report"


def chosen_themes(themes: list[Code], settings: ReportSettings) -> list[Code]:
    """The framework's ``themes``, or those the settings list, in their order."""
    if not themes:
        raise InvalidArgument("the project has no framework; import one first")
    if not settings.themes:
        return themes
    named = {name.casefold(): theme for theme in themes
             for name in (theme.name, code_path(theme))}
    unknown = [name for name in settings.themes if name.casefold() not in named]
    if unknown:
        raise InvalidArgument(f"themes: {unknown[0]!r} is not a theme of the framework; "
                              f"the themes are: {', '.join(t.name for t in themes)}",
                              **settings.where("themes"))
    return [named[name.casefold()] for name in settings.themes]


def save_settings(session: Session, project: str | Path, values: dict[str, Any], *,
                  actor: str) -> ReportSettings:
    """Check ``values`` (a report file's keys, as the web report page sends them) and
    write them as the project's report file; nothing is written when one is wrong."""
    try:
        settings = ReportSettings.model_validate(values)
    except ValidationError as error:
        raise _invalid(error, None, {}, None) from None
    chosen_themes([c for c in framework_codes(session) if c.parent_id is None], settings)
    path = write_settings(settings_path(project), settings, project=database_name(project))
    log_event(session, "report.settings", actor=actor, file=path.name)
    return settings
