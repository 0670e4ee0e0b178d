"""The ``framesynth`` command line."""

from __future__ import annotations

from framesynth.cli import demo, familiarise, project
from framesynth.cli._util import new_app

app = new_app(
    "framesynth: qualitative framework synthesis, local-first.\n\n"
    "Familiarise with transcripts, build a framework, code, chart and report."
)
app.command("init")(project.init)
app.command("info")(project.info)
app.command("import")(familiarise.import_)
app.command("search")(familiarise.search)
app.command("words")(familiarise.words)
app.add_typer(familiarise.memo_app, name="memo")
app.command("demo")(demo.demo)


def main() -> None:
    app()
