"""Phase 1 commands: ``import``, ``search``, ``words`` and ``memo``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer

from framesynth.cli._util import (
    JsonOpt,
    ProjectArg,
    WhereOpt,
    format_duration,
    new_app,
    print_json,
    print_table,
    progress_printer,
    project_session,
    stream_json_list,
    stream_table,
)
from framesynth.config import current_user
from framesynth.errors import InvalidArgument
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.familiarise.memos import add_memo, get_memo, list_memos, memo_anchor
from framesynth.familiarise.search import Hit, count_hits, iter_hits
from framesynth.familiarise.sources import count_turns
from framesynth.familiarise.speaker_links import known_labels, team_participant_labels
from framesynth.frame.framework import find_code
from framesynth.io.importers import import_files, supported_suffixes
from framesynth.io.importers.case_table import import_case_table
from framesynth.io.importers.preview import FilePreview, preview_files


def import_(
    project: ProjectArg,
    files: Annotated[list[Path] | None, typer.Argument(
        help="Transcript files, recordings or folders (txt, md, docx, odt, rtf, pdf, vtt, "
             "srt; wav, mp3, m4a, ogg, flac, mp4, webm, mov); a recording and a transcript "
             "with the same stem are one source.",
        show_default=False)] = None,
    kind: Annotated[str | None, typer.Option(
        help="interview, focus_group or document for all files (default: from the cases "
             "table, else from the number of speakers).")] = None,
    cases: Annotated[Path | None, typer.Option(
        help="A cases table (CSV or XLSX) to import first.")] = None,
    speaker_pattern: Annotated[str | None, typer.Option(
        help="A regex for speaker headers at line starts, with a named group label "
             "(optional ts), for a layout framesynth does not know.")] = None,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Show each file's layout, speakers and first turns; store nothing."
    )] = False,
    as_json: JsonOpt = False,
    interviewer: Annotated[list[str] | None, typer.Option(
        "--interviewer", help="A speaker label of the research team in these files (Sam); "
        "repeat for each. Interviewer, Facilitator ... are guessed anyway.")] = None,
) -> None:
    """Import transcripts and case data, all or nothing.

    Every file is read and checked before anything is stored; if one is bad, each bad
    file is named on its own line and the project is left as it was.

    Example: framesynth import study.fsdb transcripts/ --cases cases.csv --interviewer Sam
    """
    paths = expand_paths(files or [])
    if preview:
        show_preview(project, paths, speaker_pattern=speaker_pattern,
                     interviewers=interviewer or [], as_json=as_json)
        return
    if not paths and cases is None:
        raise InvalidArgument("give transcript files, a folder or --cases")
    with project_session(project) as session:
        if cases is not None:
            summary = import_case_table(session, cases, actor=current_user())
            counts = ", ".join(f"{n} {kind_}" for kind_, n in sorted(summary.counts.items()))
            typer.echo(f"cases: {counts} from {cases.name}")
            for change in summary.changes:
                typer.echo(f"  {change}")
        sources = import_files(session, paths, kind=kind, actor=current_user(),
                               progress=progress_printer("reading"),
                               speaker_pattern=speaker_pattern, interviewers=interviewer or [])
        if sources:
            kinds = Counter(source.kind for source in sources)
            turns = count_turns(session, sources)  # len(source.turns) would load every turn
            speakers = [s for source in sources for s in source.speakers if not s.is_interviewer]
            linked = sum(1 for s in speakers if s.participant is not None)
            kinds_text = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items()))
            typer.echo(f"imported {len(sources)} sources ({kinds_text}), {turns} turns; "
                       f"{linked} of {len(speakers)} speakers linked to participants")


def show_preview(project: str | Path, paths: list[Path], *, speaker_pattern: str | None,
                 interviewers: list[str], as_json: bool) -> None:
    """Print what importing ``paths`` would find; the project is only read."""
    if not paths:
        raise InvalidArgument("give transcript files or a folder to preview")
    with project_session(project) as session:
        labels = known_labels(session)
        team = [*interviewers, *team_participant_labels(session)]
    previews = preview_files(paths, speaker_pattern=speaker_pattern, known_labels=labels,
                             team_labels=team)
    if as_json:
        print_json([p.as_dict() for p in previews])
        return
    for number, item in enumerate(previews):
        if number:
            typer.echo("")
        typer.echo("\n".join(preview_lines(item)))


def preview_lines(item: FilePreview) -> list[str]:
    """One file's preview as text lines."""
    speakers = ", ".join(f"{s.label} {s.turns}" + (" (research team)" if s.team else "")
                         for s in item.speakers) or "none"
    lines = [f"{item.name} ({item.format}): layout {item.layout}, {item.turns} turns, "
             f"{item.unattributed} without a speaker", f"  speakers: {speakers}"]
    if item.recording:
        lines.insert(1, f"  recording: {item.recording} ({format_duration(item.duration)})")
    if item.preamble:
        lines.append(f"  preamble: {item.preamble}")
    lines += [f"  {n}. {label or '(no speaker)'}: {words}"
              for n, (label, words) in enumerate(item.first_turns, start=1)]
    return lines


def expand_paths(items: list[Path]) -> list[Path]:
    """Files as given; folders replaced by the supported files inside them, sorted."""
    paths: list[Path] = []
    for item in items:
        if item.is_dir():
            paths += sorted(p for p in item.iterdir()
                            if p.is_file() and p.suffix.lower() in supported_suffixes())
        else:
            paths.append(item)
    return paths


def search(
    project: ProjectArg,
    pattern: Annotated[str, typer.Argument(help="Words to find (or a regex with --regex).")],
    regex: Annotated[bool, typer.Option("--regex", help="PATTERN is a regular expression.")
                     ] = False,
    case_sensitive: Annotated[bool, typer.Option(
        "--case-sensitive", "-s", help="Match upper and lower case exactly.")] = False,
    where: WhereOpt = None,
    memos: Annotated[bool, typer.Option("--memos", help="Search memos too.")] = False,
    width: Annotated[int, typer.Option(help="Characters of context each side.")] = 40,
    limit: Annotated[int | None, typer.Option(help="Show at most this many hits (a page).")
                     ] = None,
    offset: Annotated[int, typer.Option(help="Skip this many hits first.")] = 0,
    count: Annotated[bool, typer.Option("--count", help="Print the number of hits only.")
                     ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keyword in context: every place PATTERN is said, with the words around it.

    Hits print as they are found, ordered by source and offset; --limit and --offset
    show one page of them.

    Example: framesynth search study.fsdb "waiting list" --where sector=community
    """
    if (limit is not None and limit < 0) or offset < 0:
        raise InvalidArgument("--limit and --offset must not be negative")
    options: dict[str, Any] = {"regex": regex, "case_sensitive": case_sensitive,
               "where": parse_where(where or []), "memos": memos}
    with project_session(project) as session:
        if count:
            total = count_hits(session, pattern, **options)
            print_json({"total": total}) if as_json else typer.echo(total)
            return
        hits = islice(iter_hits(session, pattern, width=width, offset=offset,
                                **options), limit)
        shown = _print_hits(hits, width, as_json)
    if not as_json:
        typer.echo(f"{shown} hit(s)", err=True)


def _print_hits(hits: Iterator[Hit], width: int, as_json: bool) -> int:
    if as_json:
        return stream_json_list(hit.as_dict() for hit in hits)
    return stream_table(["source", "speaker", "offset", "left", "match", "right"],
                        ([h.source, h.speaker, h.offset, h.left.rjust(width), h.match, h.right]
                         for h in hits))


def words(
    project: ProjectArg,
    by: Annotated[str, typer.Option(help="source, all, or an attribute such as sector or role.")
                  ] = "source",
    top: Annotated[int, typer.Option(help="Words per group.")] = 10,
    where: WhereOpt = None,
    include_interviewer: Annotated[bool, typer.Option(
        "--include-interviewer", help="Count the interviewer's words too.")] = False,
    language: Annotated[str | None, typer.Option(
        help="Remove this language's stop-words (ISO 639-1: en, fr, nl ...); default: "
             "each source's own language.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Most frequent words (stop-words of each source's language removed) per source or per
    group of cases.

    Example: framesynth words study.fsdb --by sector --top 8
    """
    with project_session(project) as session:
        groups = word_frequencies(session, by=by, top=top, where=parse_where(where or []),
                                  include_interviewer=include_interviewer, language=language)
    if as_json:
        print_json({group: dict(pairs) for group, pairs in groups.items()})
        return
    print_table([by, "words"], [[group, ", ".join(f"{w} {n}" for w, n in pairs)]
                                for group, pairs in groups.items()])


memo_app = new_app("Memos on the project, a source or a span of a source.")


@memo_app.command("add")
def memo_add(
    project: ProjectArg,
    text: Annotated[str, typer.Argument(help="The memo's text.")],
    title: Annotated[str | None, typer.Option(help="Defaults to the text's start.")] = None,
    source: Annotated[str | None, typer.Option(help="Attach to this source (file name).")
                      ] = None,
    start: Annotated[int | None, typer.Option(help="Span start (code points).")] = None,
    end: Annotated[int | None, typer.Option(help="Span end (exclusive).")] = None,
    author: Annotated[str | None, typer.Option(help="Defaults to FRAMESYNTH_USER.")] = None,
    code: Annotated[str | None, typer.Option(help="Attach to this code (its path).")] = None,
) -> None:
    """Write a memo.

    Example: framesynth memo add study.fsdb "Trust comes up unprompted" --source int01.txt
    """
    with project_session(project) as session:
        code_id = find_code(session, code).id if code else None
        memo = add_memo(session, text, author=author or current_user(), title=title,
                        source=source, start=start, end=end, code_id=code_id)
        typer.echo(f"memo {memo.id} added to {memo_anchor(memo)}")


@memo_app.command("list")
def memo_list(
    project: ProjectArg,
    source: Annotated[str | None, typer.Option(help="Only memos on this source.")] = None,
    search: Annotated[str | None, typer.Option(help="Only memos containing these words.")
                      ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List memos, oldest first.

    Example: framesynth memo list study.fsdb --search trust
    """
    with project_session(project) as session:
        memos = list_memos(session, source=source, containing=search)
        rows = [{"id": m.id, "title": m.title, "author": m.author, "on": memo_anchor(m),
                 "created": m.created_at.isoformat(timespec="seconds"), "text": m.body}
                for m in memos]
    if as_json:
        print_json(rows)
        return
    print_table(["id", "title", "author", "on", "created"],
                [[r["id"], r["title"], r["author"], r["on"], r["created"]] for r in rows])


@memo_app.command("show")
def memo_show(project: ProjectArg, memo_id: Annotated[int, typer.Argument(help="Memo id.")]
              ) -> None:
    """Print one memo in full, with the text of its span if it has one.

    Example: framesynth memo show study.fsdb 3
    """
    with project_session(project) as session:
        memo = get_memo(session, memo_id)
        typer.echo(f"# {memo.title}")
        typer.echo(f"by {memo.author}, {memo.created_at:%Y-%m-%d %H:%M}, on {memo_anchor(memo)}")
        if memo.source is not None and memo.start is not None:
            typer.echo(f"> {memo.source.text[memo.start:memo.end]}")
        typer.echo("")
        typer.echo(memo.body)
