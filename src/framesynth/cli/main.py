"""The ``framesynth`` command line."""

from __future__ import annotations

from framesynth.cli import demo, familiarise, frame, index, project
from framesynth.cli._util import new_app

app = new_app(
    "framesynth: qualitative framework synthesis, local-first.\n\n"
    "Familiarise with transcripts, build a framework, code, chart and report."
)
# Phase 1: familiarise
app.command("init")(project.init)
app.command("info")(project.info)
app.command("import")(familiarise.import_)
app.command("search")(familiarise.search)
app.command("words")(familiarise.words)
app.add_typer(familiarise.memo_app, name="memo")
# Phase 2: the framework
app.add_typer(frame.codebook_app, name="codebook")
app.add_typer(frame.themes_app, name="themes")
# Phase 3: index
app.command("code")(index.code)
app.add_typer(index.codings_app, name="codings")
app.command("autocode")(index.autocode)
app.command("review")(index.review)
app.command("agreement")(index.agreement)
app.add_typer(index.export_app, name="export")
# The whole pipeline
app.command("demo")(demo.demo)


def main() -> None:
    app()
