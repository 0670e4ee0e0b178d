"""``sources``: list, remove, replace and re-split imported sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framesynth.cli._util import (
    JsonOpt,
    ProjectArg,
    format_duration,
    new_app,
    print_json,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.familiarise.recordings import attach_recording
from framesynth.familiarise.source_admin import (
    Moved,
    Replacement,
    list_sources,
    remove_source,
    replace_source,
    resplit_source,
)
from framesynth.io.importers import read_source

sources_app = new_app("Manage imported sources: list, remove, replace, re-split, attach a "
                      "recording.")
NameArg = Annotated[str, typer.Argument(help="The source's name (its file name).")]


@sources_app.command("list")
def list_(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Every source with its turns, speakers ((team) marks the research team), human
    codings, pending suggestions and memos; the duration of its recording once any
    source has one.

    Example: framesynth sources list study.fsdb
    """
    with project_session(project) as session:
        rows = list_sources(session)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    timed = any(r.duration is not None for r in rows)  # a duration column once recordings exist
    print_table(["name", "kind", "format", *(["duration"] if timed else []), "language",
                 "turns", "speakers", "codings", "pending", "memos", "imported"],
                [[r.name, r.kind.replace("_", " "), r.format,
                  *([format_duration(r.duration)] if timed else []), r.language, r.turns,
                  r.speakers_text, r.codings, r.suggestions, r.memos,
                  f"{r.imported_at:%Y-%m-%d}"] for r in rows])


@sources_app.command("remove")
def remove(
    project: ProjectArg,
    name: NameArg,
    with_codings: Annotated[bool, typer.Option(
        "--with-codings", help="Also remove the source's human codings and memos "
                               "(without it such a source is refused).")] = False,
) -> None:
    """Remove a source with its turns and speakers; the event log keeps what went.

    Example: framesynth sources remove study.fsdb int01.txt --with-codings
    """
    with project_session(project) as session:
        removal = remove_source(session, name, actor=current_user(), with_codings=with_codings)
    typer.echo(removal.summary())


@sources_app.command("replace")
def replace(
    project: ProjectArg,
    name: NameArg,
    file: Annotated[Path, typer.Argument(help="The corrected transcript.", show_default=False)],
    force: Annotated[bool, typer.Option(
        "--force", help="Drop codings the corrected text has no place for (they are "
                        "recorded in the event log) instead of refusing.")] = False,
) -> None:
    """Replace a source's text with a corrected transcript, carrying codings and memo
    spans to the same words; lists those whose words changed, for review.

    Example: framesynth sources replace study.fsdb int01.txt corrected/int01.txt
    """
    imported = read_source(file)
    with project_session(project) as session:
        result = replace_source(session, name, imported, actor=current_user(), force=force)
    _report_revision(f"replaced {result.source}", result, f"{result.turns} turns, ")


def _report_revision(what: str, result: Replacement, turns: str = "") -> None:
    """What a new revision of a source did with its codings and memo spans."""
    typer.echo(f"{what} (old text kept as revision {result.revision}): {turns}"
               f"{result.carried} codings and memo spans carried, "
               f"{len(result.review)} to review, {len(result.dropped)} dropped")
    for moved in result.review:
        typer.echo(f"review: {_describe(moved)}")
    for moved in result.dropped:
        typer.echo(f"dropped: {_describe(moved)}")


def _describe(moved: Moved) -> str:
    where = f"{moved.start}-{moved.end}" if moved.start is not None else "-"
    now = f" -> {moved.text!r}" if moved.text is not None else ""
    return (f"{moved.kind} {moved.id} {moved.label} at {where} ({moved.reason}): "
            f"{moved.old_text!r}{now}")


@sources_app.command("resplit")
def resplit(
    project: ProjectArg,
    name: NameArg,
    speaker_pattern: Annotated[str | None, typer.Option(
        help="A regular expression for speaker labels (where detect_turns supports it).")
    ] = None,
) -> None:
    """Find a source's speaker turns again from its stored text; codings stay put and
    speakers keep their links.

    Example: framesynth sources resplit study.fsdb int01.txt
    """
    with project_session(project) as session:
        result = resplit_source(session, name, actor=current_user(),
                                speaker_pattern=speaker_pattern)
    typer.echo(f"{result.source}: {result.turns_before} turns before, {result.turns} now; "
               f"speakers {', '.join(result.speakers) or '(none)'}")


TurnOpt = Annotated[int, typer.Option(
    "--turn", min=0, help="The turn's position (0 is the first turn, as in the web API).")]


@sources_app.command("correct")
def correct(
    project: ProjectArg,
    name: NameArg,
    turn: TurnOpt,
    text: Annotated[str, typer.Option("--text", help="The turn's corrected words.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Drop codings the new words have no place for (recorded in the "
                        "event log) instead of refusing.")] = False,
) -> None:
    """Correct the words of one turn, carrying codings as a replace does; the old text
    is kept as a revision and turn times and speakers stay.

    Example: framesynth sources correct study.fsdb int03.vtt --turn 1 --text "With one chest freezer."
    """
    from framesynth.familiarise.transcript_edits import correct_turn

    with project_session(project) as session:
        result = correct_turn(session, name, turn, text, actor=current_user(), force=force)
    _report_revision(f"corrected turn {turn} of {result.source}", result)


@sources_app.command("speaker")
def speaker(
    project: ProjectArg,
    name: NameArg,
    turn: TurnOpt,
    label: Annotated[str, typer.Argument(help="The speaker's label; a new one is added.",
                                         show_default=False)],
) -> None:
    """Set the speaker of one turn; a label the source does not have becomes a new
    speaker, linked to a participant where the cases data allows.

    Example: framesynth sources speaker study.fsdb int03.vtt --turn 4 Maureen
    """
    from framesynth.familiarise.transcript_edits import assign_turn_speaker

    with project_session(project) as session:
        found = assign_turn_speaker(session, name, turn, label, actor=current_user())
        team = " (research team)" if found.is_interviewer else ""
        typer.echo(f"turn {turn} of {name}: {found.label}{team}")


@sources_app.command("attach")
def attach(
    project: ProjectArg,
    name: NameArg,
    recording: Annotated[Path, typer.Argument(help="The audio or video file.",
                                              show_default=False)],
    times: Annotated[Path | None, typer.Option(
        "--times", help="A .vtt or .srt file whose cues are the source's turns, in order: "
                        "each turn gets its cue's start and end.")] = None,
) -> None:
    """Attach a recording to a source imported without one, optionally timing its turns
    from the same transcript's captions.

    Example: framesynth sources attach study.fsdb int01.txt int01.m4a --times int01.vtt
    """
    with project_session(project) as session:
        attachment = attach_recording(session, name, recording, times=times,
                                      actor=current_user())
    typer.echo(attachment.summary())
