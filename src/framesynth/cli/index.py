"""Phase 3 commands: ``code``, ``codings``, ``export codings``, ``autocode``, ``review``
and ``agreement``."""

from __future__ import annotations

import io
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from framesynth.cli._util import (
    EmbedderOpt,
    JsonOpt,
    ProjectArg,
    WhereOpt,
    new_app,
    print_json,
    print_table,
    progress_printer,
    project_session,
)
from framesynth.cli.evaluation import evaluate_or_next
from framesynth.config import current_user
from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import parse_where
from framesynth.frame.framework import code_path
from framesynth.index.agreement import AgreementReport
from framesynth.index.agreement import agreement as compute_agreement
from framesynth.index.coding import code_span, code_time_range, remove_coding, segments
from framesynth.index.eligible import left_out_message
from framesynth.index.review import (
    accept_suggestions,
    needs_embedder,
    pending_suggestions,
    reject_suggestions,
    run_autocode,
    suggestion_counts,
)
from framesynth.index.timecodes import format_range, parse_time
from framesynth.interpret.audit import known_identifiers, refuse_leaks
from framesynth.interpret.exports import anonymise_coding_rows

UnitOpt = Annotated[str, typer.Option(help="turn, paragraph or sentence.")]

codings_app = new_app("Codings: import them in bulk, list the segments of a code.")
export_app = new_app("Export project data as files.")


def code(project: ProjectArg,
         source: Annotated[str, typer.Argument(help="The source's file name.")],
         start_end_code: Annotated[list[str], typer.Argument(
             metavar="[START END] CODE",
             help="Start and end offsets (code points, end exclusive) and the code's path; "
                  "or only the code's path with --from and --to.")],
         start_time: Annotated[str | None, typer.Option(
             "--from", help="Start of a time range of the recording (seconds, m:ss or "
                            "h:mm:ss), instead of START.")] = None,
         end_time: Annotated[str | None, typer.Option(
             "--to", help="End of the time range.")] = None,
         coder: Annotated[str | None, typer.Option(help="Defaults to FRAMESYNTH_USER.")] = None,
         memo: Annotated[str | None, typer.Option(help="A note on this coding.")] = None) -> None:
    """Apply a code to a span of a source.

    With --from and --to, code a time range of the source's recording instead: the
    coding covers the transcript words spoken in it.

    Example: framesynth code study.fsdb int01.txt 120 245 "Access and referrals/Waiting lists"

    Example: framesynth code study.fsdb int03.vtt "Access and referrals" --from 12:04 --to 12:31
    """
    timed = start_time is not None or end_time is not None
    if timed and (start_time is None or end_time is None or len(start_end_code) != 1):
        raise InvalidArgument("a time range needs --from, --to and only the CODE argument")
    if not timed and len(start_end_code) != 3:
        raise InvalidArgument("give START END CODE, or CODE with --from and --to")
    with project_session(project) as session:
        if start_time is not None and end_time is not None:
            coding = code_time_range(session, source, parse_time(start_time),
                                     parse_time(end_time), start_end_code[0],
                                     coder=coder or current_user(), memo=memo)
            place = format_range(coding.media_start or 0.0, coding.media_end or 0.0)
        else:
            start, end = (_offset(start_end_code[0]), _offset(start_end_code[1]))
            coding = code_span(session, source, start, end, start_end_code[2],
                               coder=coder or current_user(), memo=memo)
            place = f"{coding.start}-{coding.end}"
        typer.echo(f"coding {coding.id}: {code_path(coding.code)} on {source}:{place} "
                   f"\u201c{' '.join(coding.text.split())[:60]}\u201d")


def _offset(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidArgument(f"offset {text!r} is not a whole number") from None


@codings_app.command("import")
def codings_import(project: ProjectArg, file: Annotated[Path, typer.Argument(
        help="CSV or JSON with source,start,end,code,coder[,score,text].")]) -> None:
    """Import codings in bulk, all or nothing.

    Example: framesynth codings import study.fsdb codings.csv
    """
    from framesynth.io.codings_table import import_codings  # loads every importer

    with project_session(project) as session:
        count = import_codings(session, file, actor=current_user())
    typer.echo(f"imported {count} codings")


@codings_app.command("list")
def codings_list(project: ProjectArg,
                 code_name: Annotated[str | None, typer.Option(
                     "--code", help="Only this code and its sub-codes.")] = None,
                 coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
                 where: WhereOpt = None, as_json: JsonOpt = False) -> None:
    """The coded segments, with who said them; filter by code, coder and attributes.

    Example: framesynth codings list study.fsdb --code "Access and referrals" --where sector=statutory
    """
    with project_session(project) as session:
        found = segments(session, code=code_name, coder=coder, where=parse_where(where or []))
    if as_json:
        print_json([segment.as_dict() for segment in found])
        return
    print_table(["id", "source", "start", "end", "code", "coder", "speaker", "text"],
                [[s.coding_id, s.source, s.start, s.end, s.code, s.coder,
                  s.attributes.get("speaker", ""), " ".join(s.text.split())[:60]]
                 for s in found])


@codings_app.command("remove")
def codings_remove(project: ProjectArg,
                   coding_id: Annotated[int, typer.Argument(help="The coding's id.")]) -> None:
    """Remove one coding (logged).

    Example: framesynth codings remove study.fsdb 42
    """
    with project_session(project) as session:
        remove_coding(session, coding_id, actor=current_user())
    typer.echo(f"removed coding {coding_id}")


@export_app.command("codings")
def export_codings(project: ProjectArg,
                   fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
                   out: Annotated[Path | None, typer.Option(help="File to write (default: "
                                                                  "standard output).")] = None,
                   suggestions: Annotated[bool, typer.Option(
                       "--suggestions", help="Include pending auto-coding suggestions.")] = False,
                   anonymise: Annotated[bool, typer.Option(
                       "--anonymise", help="Sources by number and the coded text anonymised "
                                           "as in the report, then audited.")] = False
                   ) -> None:
    """Write every coding as source,start,end,code,coder,score,text. With --anonymise the
    output is audited as by audit-names: exit 1, and nothing written, if a name remains.

    Example: framesynth export codings study.fsdb --format csv --out codings.csv --anonymise
    """
    from framesynth.io.codings_table import coding_rows, write_codings  # loads every importer

    with project_session(project) as session:
        rows = coding_rows(session, suggestions=suggestions)
        if anonymise:
            rows = anonymise_coding_rows(session, rows)
        identifiers = known_identifiers(session) if anonymise else []
    buffer = io.StringIO()
    write_codings(rows, buffer, fmt)
    if anonymise:
        refuse_leaks({(str(out) if out else f"codings.{fmt}"): buffer.getvalue().encode()},
                     identifiers)
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    out.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    typer.echo(f"wrote {len(rows)} codings to {out}", err=True)


def autocode(project: ProjectArg,
             method: Annotated[str | None, typer.Option(
                 help="keyword, semantic, supervised or tuned (a model from `framesynth tune`)."
             )] = None,
             unit: UnitOpt = "turn",
             codes: Annotated[list[str] | None, typer.Option(
                 "--codes", help="Only these codes (repeat); default: every codable code.")
             ] = None,
             threshold: Annotated[float | None, typer.Option(
                 help="Score cut-off; default: calibrated per code on human codings.")
             ] = None,
             top_k: Annotated[int, typer.Option(help="At most this many codes per unit.")] = 3,
             train_coder: Annotated[str | None, typer.Option(
                 help="Supervised: learn from this coder's codings.")] = None,
             min_score: Annotated[float | None, typer.Option(
                 help="Store only suggestions scoring at least this (semantic: a "
                      "confidence in [0, 1]); default: every unit's top-k.")] = None,
             embedder: EmbedderOpt = None,
             evaluate: Annotated[bool, typer.Option(
                 "--evaluate", help="Cross-validate every method (by source) against the "
                                    "coder named by --against; writes no codings.")] = False,
             against: Annotated[str | None, typer.Option(
                 help="--evaluate: the coder whose codings are the truth.")] = None,
             methods: Annotated[list[str] | None, typer.Option(
                 "--methods", help="--evaluate: only these methods (repeat, or a,b); default: "
                                   "keyword, semantic, supervised. tuned (fine-tuning the "
                                   "model on every fold: minutes each) only when named.")
             ] = None,
             folds: Annotated[int, typer.Option(help="--evaluate: folds of sources.")] = 5,
             next_n: Annotated[int | None, typer.Option(
                 "--next", metavar="N", help="List the N uncoded units whose coding would "
                                             "teach the model most.")] = None,
             coder: Annotated[str | None, typer.Option(
                 help="--next: learn from this coder's codings (default: everyone's).")] = None,
             seed: Annotated[int, typer.Option(help="--next: the seed for ties.")] = 0,
             model_version: Annotated[int | None, typer.Option(
                 help="Tuned: this stored version (default: the newest).", show_default=False)
             ] = None,
             workers: Annotated[int | None, typer.Option(
                 help="Embed and score on a local Dask cluster of N worker processes "
                      "(one thread each).", metavar="N", show_default=False)] = None,
             scheduler: Annotated[str | None, typer.Option(
                 help="Embed and score on the workers of the running Dask scheduler at "
                      "this address (see docs/dask.md).", metavar="tcp://HOST:PORT",
                 show_default=False)] = None,
             as_json: JsonOpt = False) -> None:
    """Suggest codes for units; suggestions wait for review and never change codings.

    --evaluate --against CODER measures each method against a coder first; --next N
    lists what to code next. Team turns, back-channel turns and fragments are left out
    (setting autocode.min_words). --workers N or --scheduler ADDRESS computes embeddings
    and scores on Dask workers; the project is only opened here, and the suggestions are
    the same.

    Example: framesynth autocode study.fsdb --method semantic --unit turn --top-k 2
    """
    distributed = workers is not None or scheduler is not None
    if distributed and (evaluate or next_n is not None):
        raise InvalidArgument("--workers/--scheduler run a coding run, not --evaluate or --next")
    if evaluate or next_n is not None:
        evaluate_or_next(project, unit=unit, embedder=embedder, against=against,
                          methods=methods, folds=folds, next_n=None if evaluate else next_n,
                          coder=coder, seed=seed, as_json=as_json)
        return
    if method is None:
        raise InvalidArgument("name a --method (keyword, semantic, supervised or tuned), or use "
                              "--evaluate or --next")
    model = get_embedder(embedder) if needs_embedder(method) else None
    with ExitStack() as stack:
        runner = None
        if distributed:  # dask loads only here: `framesynth --help` stays quick
            from framesynth.index.distributed import (
                DaskRunner,
                check_distributed_method,
                dask_client,
            )

            check_distributed_method(method)
            client = stack.enter_context(dask_client(workers=workers, scheduler=scheduler))
            runner = DaskRunner(client, progress=progress_printer("autocode"))
        session = stack.enter_context(project_session(project))
        result = run_autocode(session, method, unit=unit, codes=codes, threshold=threshold,
                              top_k=top_k, train_coder=train_coder, embedder=model,
                              model_version=model_version, min_score=min_score,
                              actor=current_user(), runner=runner)
    if runner is not None and runner.parts_done:
        many = "s" if runner.parts_done != 1 else ""
        typer.echo(f"computed on Dask workers in {runner.parts_done} partition{many}", err=True)
    typer.echo(f"{method}: {result.stored} suggestions for {result.units} {unit}s "
               f"({result.skipped_human} already coded by a person)")
    if result.left_out:
        typer.echo(left_out_message(result.left_out, result.min_words, unit))
    if result.below_min_score:
        typer.echo(f"{result.below_min_score} suggestions below --min-score {min_score} "
                   "not stored")
    if result.recalibrated_on:
        typer.echo(f"confidence recalibrated on {result.recalibrated_on} {unit}s a person coded")
    if result.untrained_codes:
        typer.echo(f"too few examples to learn: {', '.join(result.untrained_codes)}")
    if result.uncovered:
        typer.echo(result.uncovered.message)


def print_counts(session: Any, method: str | None, code_name: str | None,
                 as_json: bool) -> None:
    counts = suggestion_counts(session, method=method, code=code_name)
    if as_json:
        print_json([vars(c) for c in counts])
        return
    print_table(["min score", "suggestions", "units"],
                [[f"{c.min_score:.1f}", c.suggestions, c.units] for c in counts])


def review(project: ProjectArg,
           method: Annotated[str | None, typer.Option(help="Only this method's suggestions.")
                             ] = None,
           code_name: Annotated[str | None, typer.Option("--code", help="Only this code.")] = None,
           min_score: Annotated[float | None, typer.Option(help="Only scores at least this.")
                                ] = None,
           accept: Annotated[list[int] | None, typer.Option(help="Accept these ids.")] = None,
           reject: Annotated[list[int] | None, typer.Option(help="Reject these ids.")] = None,
           accept_all: Annotated[bool, typer.Option(
               "--accept-all", help="Accept every suggestion the filters select.")] = False,
           reject_all: Annotated[bool, typer.Option(
               "--reject-all", help="Reject every suggestion the filters select.")] = False,
           counts: Annotated[bool, typer.Option(
               "--counts", help="How many suggestions and units each cut-off 0.9 ... 0.1 "
                                "keeps.")] = False,
           as_json: JsonOpt = False) -> None:
    """List pending suggestions, or accept/reject them (accepted ones become your codings).

    Example: framesynth review study.fsdb --method semantic --min-score 0.6 --accept-all
    """
    with project_session(project) as session:
        if counts:
            print_counts(session, method, code_name, as_json)
            return
        selected = pending_suggestions(session, method=method, code=code_name,
                                       min_score=min_score)
        to_accept = [s.id for s in selected] if accept_all else list(accept or [])
        to_reject = [s.id for s in selected] if reject_all else list(reject or [])
        if to_accept or to_reject:
            accepted = accept_suggestions(session, to_accept, reviewer=current_user())
            rejected = reject_suggestions(session, to_reject, reviewer=current_user())
            typer.echo(f"accepted {len(accepted)}, rejected {rejected}")
            return
        rows: list[dict[str, Any]] = [
                {"id": s.id, "method": s.coder.removeprefix("auto:"), "score": s.score,
                 "code": code_path(s.code), "source": s.source.name, "start": s.start,
                 "end": s.end, "text": s.text} for s in selected]
    if as_json:
        print_json(rows)
        return
    print_table(["id", "method", "score", "code", "source", "text"],
                [[r["id"], r["method"], f"{r['score']:.2f}", r["code"], r["source"],
                  " ".join(r["text"].split())[:60]] for r in rows])


def agreement(project: ProjectArg,
              coders: Annotated[list[str], typer.Option(
                  "--coders", help="Two or more coders: --coders A B C (or repeat --coders).")],
              more: Annotated[list[str] | None, typer.Argument(
                  metavar="[CODER]...", help="The rest of the --coders list.",
                  show_default=False)] = None,
              unit: UnitOpt = "turn",
              fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
              disagreements: Annotated[int, typer.Option(
                  help="How many disagreements to list in the table.")] = 10) -> None:
    """Inter-coder agreement per code and overall: percent, Cohen's kappa, Krippendorff's alpha.

    Example: framesynth agreement study.fsdb --coders amira tom --unit sentence
    """
    names = [name for item in [*coders, *(more or [])] for name in item.replace(",", " ").split()]
    with project_session(project) as session:
        report = compute_agreement(session, names, unit=unit)
    if fmt == "json":
        print_json(report_dict(report))
    elif fmt == "table":
        print_agreement(report, disagreements)
    else:
        raise InvalidArgument("--format must be table or json")


def report_dict(report: AgreementReport) -> dict:  # type: ignore[type-arg]
    def figures(f):  # type: ignore[no-untyped-def]
        return {"units": f.units, "percent": round(f.percent, 4),
                "kappa": None if f.kappa is None else round(f.kappa, 4),
                "alpha": None if f.alpha is None else round(f.alpha, 4)}

    return {"coders": report.coders, "unit": report.unit, "sources": report.sources,
            "overall": figures(report.overall),
            "codes": {path: figures(f) for path, f in report.per_code.items()},
            "disagreements": [vars(d) for d in report.disagreements]}


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_agreement(report: AgreementReport, limit: int = 10) -> None:
    typer.echo(f"coders {', '.join(report.coders)}; {report.overall.units} {report.unit}s in "
               f"{len(report.sources)} sources coded by all")
    rows = [[path, f.units, f"{100 * f.percent:.1f}%", _fmt(f.kappa), _fmt(f.alpha)]
            for path, f in report.per_code.items()]
    o = report.overall
    rows.append(["overall (all codes pooled)", o.units, f"{100 * o.percent:.1f}%", _fmt(o.kappa),
                 _fmt(o.alpha)])
    print_table(["code", "units", "agree", "kappa", "alpha"], rows)
    if report.disagreements and limit:
        typer.echo(f"\n{len(report.disagreements)} disagreements; the first {limit}:")
        for d in report.disagreements[:limit]:
            typer.echo(f"- {d.source}:{d.start}-{d.end} {d.code}: applied by "
                       f"{', '.join(d.applied_by)}, not by {', '.join(d.not_by)}")
            typer.echo(f"  \u201c{' '.join(d.text.split())[:100]}\u201d")
