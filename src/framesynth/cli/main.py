"""The ``framesynth`` command line.

Commands load on demand: ``framesynth --help`` lists them from :data:`COMMANDS` (name,
module, attribute, summary) without importing any of them, and ``framesynth info``
imports only the ``info`` command's module, so neither waits for numpy, SQLAlchemy's
ORM, torch and the rest (``tests/test_cli_startup.py`` checks both). The summaries are
the first paragraph of each command's help; the same test compares them.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand

from framesynth.cli._util import FramesynthGroup

# name: (module in framesynth.cli, attribute: a command function or a sub-app, summary)
COMMANDS: dict[str, tuple[str, str, str]] = {
    # Phase 1: familiarise
    "init": ("project", "init",
             "Create a new, empty project: a file, or an empty PostgreSQL database."),
    "info": ("project", "info", "Count what the project holds: sources, participants, "
             "organisations, partnerships."),
    "copy": ("copy", "copy", "Copy a whole project to a new file or an empty database, "
             "SQLite or PostgreSQL."),
    "import": ("familiarise", "import_", "Import transcripts and case data, all or nothing."),
    "transcribe": ("transcribe", "transcribe", "Transcribe a source's recording into timed "
                   "turns, offline (nothing leaves the\nmachine)."),
    "search": ("familiarise", "search", "Keyword in context: every place PATTERN is said, "
               "with the words around it."),
    "words": ("familiarise", "words", "Most frequent words (stop-words of each source's "
              "language removed) per source or per\ngroup of cases."),
    "language": ("language", "language", "Each source's language (detected at import), or "
                 "set one by hand."),
    # Phase 3: index
    "code": ("index", "code", "Apply a code to a span of a source."),
    "autocode": ("index", "autocode", "Suggest codes for units; suggestions wait for review "
                 "and never change codings."),
    "tune": ("tune", "tune", "Fine-tune the sentence model on the project's codings "
             "(few-shot, as SetFit does)\nand store it as a new version for `autocode "
             "--method tuned`."),
    "review": ("index", "review", "List pending suggestions, or accept/reject them "
               "(accepted ones become your codings)."),
    "agreement": ("index", "agreement", "Inter-coder agreement per code and overall: percent, "
                  "Cohen's kappa, Krippendorff's alpha."),
    # Phase 5: map and interpret
    "prevalence": ("interpret", "prevalence", "How many cases in each group mention each "
                   "code (cases, not codings)."),
    "cooccurrence": ("interpret", "cooccurrence", "Codes applied to the same units: ranked "
                     "pairs (and the matrix with --json)."),
    "typology": ("interpret", "typology", "Each partnership's depth and levels: recorded, "
                 "and as the coded evidence describes."),
    "network": ("interpret", "network", "Draw the partnership network map (organisations by "
                "sector, partnerships by depth)."),
    "plots": ("interpret", "plots", "Write the matrix heatmap, prevalence by group and the "
              "network map as PNG and SVG\n(a plot with nothing to show, such as the network "
              "of a study without partnerships,\nis left out)."),
    "audit-names": ("audit", "audit_names", "Look for every known name (every form of every "
                    "participant, organisation and place\nin the cases table, e-mails, "
                    "phones, postcodes) in output files; exit 1 if any remains."),
    # Exchange with other tools (REFI-QDA)
    "import-qdpx": ("exchange", "import_qdpx_command", "Import a REFI-QDA project: codebook, "
                    "sources, codings, notes, cases, sets, vocabularies."),
    "export-qdpx": ("exchange", "export_qdpx_command", "Export the project as a REFI-QDA "
                    ".qdpx that other tools (and framesynth) read."),
    # The web workbench, the whole pipeline
    "serve": ("serve", "serve", "Start the web workbench over a project (FastAPI + uvicorn)."),
    "demo": ("demo", "demo", "Build the demo project from the bundled corpus and run the "
             "pipeline on it."),
    # Groups of commands
    "memo": ("familiarise", "memo_app", "Memos on the project, a source or a span of a "
             "source."),
    "sources": ("sources", "sources_app", "Manage imported sources: list, remove, replace, "
                "re-split, attach a recording."),
    "vocab": ("vocab", "vocab_app", "The study's vocabularies: the terms sectors, depth, "
              "levels ... may take."),
    "codebook": ("frame", "codebook_app", "The coding framework: import, export, list, "
                 "refine, merge drafts."),
    "themes": ("frame", "themes_app", "Candidate themes found in the data, to adopt into a "
               "draft framework."),
    "codings": ("index", "codings_app", "Codings: import them in bulk, list the segments of "
                "a code."),
    "export": ("index", "export_app", "Export project data as files."),
    "chart": ("chart", "chart_app", "The framework matrix: cases by themes, with summaries "
              "and quotes."),
    "quote": ("chart", "quote_app", "Quotes picked to illustrate themes in the report."),
    "report": ("interpret", "report_app", "The learning report: build it (the default "
               "command) or write the team's report file."),
    "users": ("serve", "users_app", "Accounts for the web workbench, with a role each: "
              "owner, coder, viewer."),
}

_loaded: dict[str, Any] = {}  # name -> its click command, once imported


def load_command(name: str) -> Any:
    """The click command (or group) ``name``, importing its module on first use."""
    if name not in _loaded:
        module, attribute, _ = COMMANDS[name]
        target = getattr(importlib.import_module(f"framesynth.cli.{module}"), attribute)
        if name == "export":
            _add_export_matrix(target)
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name)
        else:
            holder.command(name)(target)
        holder.command("_")(lambda: None)  # two entries, so Typer builds a group
        _loaded[name] = typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    return _loaded[name]


def _add_export_matrix(export_app: typer.Typer) -> None:
    from framesynth.cli import chart

    if not any(c.name == "matrix" for c in export_app.registered_commands):
        export_app.command("matrix")(chart.export_matrix)


class LazyGroup(FramesynthGroup):
    """The top-level group: lists :data:`COMMANDS` and imports one when it runs."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in COMMANDS:
            return None
        if self.listing and name not in _loaded:
            return TyperCommand(name, help=COMMANDS[name][2])
        return load_command(name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(cls=LazyGroup, no_args_is_help=True, pretty_exceptions_enable=False,
                  add_completion=False,
                  help="framesynth: qualitative framework synthesis, local-first.\n\n"
                       "Familiarise with transcripts, build a framework, code, chart and "
                       "report.")


@app.callback()
def _top() -> None:
    pass


def main() -> None:
    app()


if __name__ == "__main__":
    main()
