"""The ``framesynth`` command line."""

from __future__ import annotations

from framesynth.cli import (
    audit,
    chart,
    demo,
    exchange,
    familiarise,
    frame,
    index,
    interpret,
    language,
    project,
    serve,
    sources,
    tune,
    vocab,
)
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
app.command("language")(language.language)
app.add_typer(familiarise.memo_app, name="memo")
app.add_typer(sources.sources_app, name="sources")
app.add_typer(vocab.vocab_app, name="vocab")
# Phase 2: the framework
app.add_typer(frame.codebook_app, name="codebook")
app.add_typer(frame.themes_app, name="themes")
# Phase 3: index
app.command("code")(index.code)
app.add_typer(index.codings_app, name="codings")
app.command("autocode")(index.autocode)
app.command("tune")(tune.tune)
app.command("review")(index.review)
app.command("agreement")(index.agreement)
app.add_typer(index.export_app, name="export")
index.export_app.command("matrix")(chart.export_matrix)
# Phase 4: chart
app.add_typer(chart.chart_app, name="chart")
app.add_typer(chart.quote_app, name="quote")
# Phase 5: map and interpret
app.command("prevalence")(interpret.prevalence)
app.command("cooccurrence")(interpret.cooccurrence)
app.command("typology")(interpret.typology)
app.command("network")(interpret.network)
app.command("plots")(interpret.plots)
app.add_typer(interpret.report_app, name="report")
app.command("audit-names")(audit.audit_names)
# Exchange with other tools (REFI-QDA)
app.command("import-qdpx")(exchange.import_qdpx_command)
app.command("export-qdpx")(exchange.export_qdpx_command)
# The web workbench
app.command("serve")(serve.serve)
app.add_typer(serve.users_app, name="users")
# The whole pipeline
app.command("demo")(demo.demo)


def main() -> None:
    app()
