"""``transcribe``: a source's recording into a timed transcript, on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.cli._util import ProjectArg, print_table, progress_printer, project_session
from framesynth.config import current_user


def _list_engines(value: bool) -> None:
    if not value:
        return
    from framesynth.familiarise.transcription.transcribe import engine_statuses

    print_table(["engine", "runs here", "what it is"],
                [[s.name, s.note, s.summary] for s in engine_statuses()])
    raise typer.Exit()


def transcribe(
    project: ProjectArg,
    source: Annotated[str, typer.Argument(help="The source's name; it must have a recording.",
                                          show_default=False)],
    engine: Annotated[str, typer.Option(help="The engine (see --engines).")] = "pocketsphinx",
    model_dir: Annotated[Path | None, typer.Option(
        help="A local model folder (faster-whisper needs one; pocketsphinx has its own).")
    ] = None,
    language: Annotated[str | None, typer.Option(
        help="The language spoken (en, de ...), where the engine can use it.")] = None,
    speakers: Annotated[int | None, typer.Option(
        help="2: the two-person rule, turns alternate and the first is the interviewer's. "
             "Without it turns have no speaker until assigned in the reader.")] = None,
    pause: Annotated[float, typer.Option(
        help="Seconds of silence that start a new turn.")] = 0.8,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the source's existing text (codings carried, the old "
                          "text kept as a revision).")] = False,
    restart: Annotated[bool, typer.Option(
        "--restart", help="Forget pieces finished by an earlier, interrupted run.")] = False,
    engines: Annotated[bool, typer.Option(
        "--engines", is_eager=True, callback=_list_engines,
        help="List the engines and whether each can run here, then stop.")] = False,
) -> None:
    """Transcribe a source's recording into timed turns, offline (nothing leaves the
    machine).

    The recording is transcribed in pieces of about 30 seconds; a run that is stopped
    resumes where it left off (--restart forgets). The project is written once, at the end.

    Example: framesynth transcribe study.fsdb int03.wav --speakers 2
    """
    from framesynth.familiarise.transcription.engines import load_engine
    from framesynth.familiarise.transcription.transcribe import transcribe_source

    chosen = load_engine(engine, model_dir=model_dir)
    with project_session(project) as session:
        result = transcribe_source(session, source, chosen, pause=pause, speakers=speakers,
                                   replace=replace, restart=restart, language=language,
                                   progress=progress_printer("transcribing"),
                                   actor=current_user())
    resumed = f", {result.resumed} resumed" if result.resumed else ""
    kept = f"; old text kept as revision {result.revision}" if result.revision else ""
    typer.echo(f"transcribed {result.source} with {result.engine} ({result.model}): "
               f"{result.seconds:.1f} s of audio in {result.pieces} pieces{resumed}, "
               f"{result.words} words in {result.turns} turns{kept}")
