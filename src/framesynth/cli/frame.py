"""Phase 2 commands: ``codebook`` (the framework and its refinement) and ``themes``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from framesynth.cli._util import (
    EmbedderOpt,
    JsonOpt,
    ProjectArg,
    new_app,
    print_json,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.embeddings import get_embedder
from framesynth.errors import InvalidArgument
from framesynth.frame.framework import (
    MAIN,
    CodeSpec,
    add_code,
    code_path,
    find_code,
    framework_codes,
)
from framesynth.frame.history import describe, diff_since, history, record_change
from framesynth.frame.merge import merge_drafts
from framesynth.frame.refine import merge_codes, move_code, rename_code, retire_code, split_code
from framesynth.frame.themes import (
    DEFAULT_ALGORITHM,
    DEFAULT_REPRESENTATION,
    DEFAULT_UNIT,
    adopt_candidate,
    source_names,
    suggest_themes,
    theme_units,
)
from framesynth.io.codebook import export_codebook, import_codebook
from framesynth.store.models import Coding

FrameworkOpt = Annotated[str, typer.Option(
    "--framework", "-f", help="The shared framework 'main' or a draft's name.")]
CodeArg = Annotated[str, typer.Argument(help="A code's path, Theme/Code (or a unique name).")]
UnitOpt = Annotated[str, typer.Option(help="turn, paragraph or sentence.")]
RepresentationOpt = Annotated[str, typer.Option(
    help="What is clustered: embedding, combined (embeddings and words) or refined "
         "(embedding clusters refined by their words).")]
AlgorithmOpt = Annotated[str, typer.Option(help="ward, kmeans, pca-kmeans or spectral.")]
ParticipantsOpt = Annotated[bool, typer.Option(
    "--participants-only/--all-units",
    help="Only participants' turns, without back-channel and fragments.")]

codebook_app = new_app("The coding framework: import, export, list, refine, merge drafts.")
themes_app = new_app("Candidate themes found in the data, to adopt into a draft framework.")


@codebook_app.command("import")
def codebook_import(project: ProjectArg, file: Annotated[Path, typer.Argument(
        help="A framework file: .yaml/.yml or REFI-QDA .qdc.")], framework: FrameworkOpt = MAIN
                    ) -> None:
    """Load a framework file into an empty framework.

    Example: framesynth codebook import study.fsdb framework.yaml
    """
    notes: list[str] = []
    with project_session(project) as session:
        codes = import_codebook(session, file, framework=framework, actor=current_user(),
                                notes=notes)
        total = len(framework_codes(session, framework))
    typer.echo(f"imported {total} codes ({len(codes)} top-level) into {framework!r}")
    for line in notes:
        typer.echo(f"note: {line}")


@codebook_app.command("export")
def codebook_export(project: ProjectArg, file: Annotated[Path, typer.Argument(
        help="Where to write: .yaml/.yml or .qdc.")], framework: FrameworkOpt = MAIN) -> None:
    """Write the framework to a YAML or REFI-QDA .qdc file.

    Example: framesynth codebook export study.fsdb codebook.qdc
    """
    with project_session(project) as session:
        export_codebook(session, file, framework=framework)
    typer.echo(f"wrote {file}")


@codebook_app.command("list")
def codebook_list(project: ProjectArg, framework: FrameworkOpt = MAIN,
                  retired: Annotated[bool, typer.Option(help="Show retired codes too.")] = False,
                  as_json: JsonOpt = False) -> None:
    """The framework as a tree, with how many codings each code has.

    Example: framesynth codebook list study.fsdb
    """
    with project_session(project) as session:
        counts = dict(session.execute(select(Coding.code_id, func.count()).where(
            Coding.status.is_(None)).group_by(Coding.code_id)).all())
        rows: list[dict[str, Any]] = [{"path": code_path(c), "codable": c.codable,
                                       "retired": c.retired,
                 "codings": counts.get(c.id, 0), "definition": c.definition}
                for c in framework_codes(session, framework, retired=retired)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        depth = row["path"].count("/")
        name = row["path"].rsplit("/", 1)[-1]
        flags = "" if row["codable"] else " (heading)"
        flags += " (retired)" if row["retired"] else ""
        typer.echo(f"{'  ' * depth}{name}{flags}  [{row['codings']}]")


@codebook_app.command("add")
def codebook_add(project: ProjectArg, path: CodeArg,
                 definition: Annotated[str, typer.Option(help="What the code means.")] = "",
                 heading: Annotated[bool, typer.Option(
                     "--heading", help="A group heading that is not applied itself.")] = False,
                 framework: FrameworkOpt = MAIN) -> None:
    """Add a code; its parent path must exist.

    Example: framesynth codebook add study.fsdb "Partnership working/Shared data" --definition "..."
    """
    parent_path, _, name = path.strip("/").rpartition("/")
    with project_session(project) as session:
        parent = find_code(session, parent_path, framework) if parent_path else None
        code = add_code(session, CodeSpec(name=name, definition=definition, codable=not heading),
                        parent=parent, framework=framework)
        record_change(session, "add", actor=current_user(), framework=framework, code=code.id,
                      path=code_path(code))
        typer.echo(f"added {code_path(code)}")


@codebook_app.command("rename")
def codebook_rename(project: ProjectArg, path: CodeArg,
                    new_name: Annotated[str, typer.Argument(help="The new name.")],
                    framework: FrameworkOpt = MAIN) -> None:
    """Rename a code; its codings stay with it.

    Example: framesynth codebook rename study.fsdb "Key individuals" "Key people"
    """
    with project_session(project) as session:
        code = find_code(session, path, framework)
        before = code_path(code)
        rename_code(session, code, new_name, actor=current_user())
        typer.echo(f"renamed {before} -> {code_path(code)}")


@codebook_app.command("move")
def codebook_move(project: ProjectArg, path: CodeArg,
                  to: Annotated[str | None, typer.Option(
                      "--to", help="The new parent's path; leave out for the top level.")] = None,
                  framework: FrameworkOpt = MAIN) -> None:
    """Move a code (and its sub-codes) under another parent.

    Example: framesynth codebook move study.fsdb "Cost of living" --to "Access and referrals"
    """
    with project_session(project) as session:
        code = find_code(session, path, framework)
        parent = find_code(session, to, framework) if to else None
        before = code_path(code)
        move_code(session, code, parent, actor=current_user())
        typer.echo(f"moved {before} -> {code_path(code)}")


@codebook_app.command("merge-codes")
def codebook_merge_codes(project: ProjectArg, path: CodeArg,
                         into: Annotated[str, typer.Argument(help="The code that remains.")],
                         framework: FrameworkOpt = MAIN) -> None:
    """Merge a code into another: codings, memos and sub-codes move; duplicates collapse.

    Example: framesynth codebook merge-codes study.fsdb Volunteers "Caseloads and capacity"
    """
    with project_session(project) as session:
        source, target = find_code(session, path, framework), find_code(session, into, framework)
        count = merge_codes(session, source, target, actor=current_user())
        typer.echo(f"merged {code_path(source)} into {code_path(target)}: {count} codings carried")


@codebook_app.command("split")
def codebook_split(project: ProjectArg, path: CodeArg,
                   into: Annotated[list[str], typer.Option(
                       "--into", metavar="NAME=RULE;RULE",
                       help="A new sub-code and the keyword rules that claim codings for it.")],
                   framework: FrameworkOpt = MAIN) -> None:
    """Split a code into sub-codes; codings go where one rule set matches, others stay for review.

    Example: framesynth codebook split study.fsdb Transport --into "Buses=bus*" --into "Taxis=taxi*"
    """
    parts: dict[str, list[str]] = {}
    for item in into:
        name, sep, rules = item.partition("=")
        if not sep or not name.strip():
            raise InvalidArgument(f"--into {item!r} must look like NAME=RULE;RULE")
        parts[name.strip()] = [r.strip() for r in rules.split(";") if r.strip()]
    with project_session(project) as session:
        result = split_code(session, find_code(session, path, framework), parts,
                            actor=current_user())
        for name, count in result.reassigned.items():
            typer.echo(f"{name}: {count} codings")
        typer.echo(f"left for review on {path}: {len(result.to_review)}")
        for coding in result.to_review:
            typer.echo(f"  {coding.id}  {coding.source.name}:{coding.start}-{coding.end}  "
                       f"{' '.join(coding.text.split())[:70]}")


@codebook_app.command("retire")
def codebook_retire(project: ProjectArg, path: CodeArg,
                    restore: Annotated[bool, typer.Option(
                        "--restore", help="Bring a retired code back.")] = False,
                    framework: FrameworkOpt = MAIN) -> None:
    """Retire a code: no new codings; its codings are kept.

    Example: framesynth codebook retire study.fsdb "Workforce and capacity/Volunteers"
    """
    with project_session(project) as session:
        code = retire_code(session, find_code(session, path, framework), actor=current_user(),
                           retired=not restore)
        typer.echo(f"{'restored' if restore else 'retired'} {code_path(code)}")


@codebook_app.command("merge")
def codebook_merge(project: ProjectArg,
                   drafts: Annotated[list[str], typer.Argument(help="Draft framework names.")],
                   into: Annotated[str, typer.Option(help="The framework to merge into.")] = MAIN,
                   similarity: Annotated[float, typer.Option(
                       help="Least cosine similarity of name+definition for two codes that are "
                            "each other's closest match to count as one.")] = 0.5,
                   dry_run: Annotated[bool, typer.Option(
                       "--dry-run", help="Report what would happen; change nothing.")] = False,
                   embedder: EmbedderOpt = None, as_json: JsonOpt = False) -> None:
    """Merge researchers' draft frameworks into the shared one; list merges and conflicts.

    Example: framesynth codebook merge study.fsdb draft:ruth draft:colin --dry-run
    """
    with project_session(project) as session:
        report = merge_drafts(session, drafts, embedder=get_embedder(embedder), into=into,
                              similarity=similarity, actor=current_user(), dry_run=dry_run)
    rows = [[d.draft, d.draft_path, d.action, d.target_path,
             "" if d.similarity is None else f"{d.similarity:.2f}", d.note]
            for d in report.decisions]
    if as_json:
        print_json([dict(zip(["draft", "code", "action", "target", "similarity", "note"], r,
                             strict=True)) for r in rows])
        return
    print_table(["draft", "code", "action", "into", "similarity", "note"], rows)
    typer.echo(f"{len(report.conflicts)} conflict(s) to settle", err=True)


@codebook_app.command("history")
def codebook_history(project: ProjectArg, framework: FrameworkOpt = MAIN,
                     as_json: JsonOpt = False) -> None:
    """Every change to the framework: when, who, what.

    Example: framesynth codebook history study.fsdb
    """
    with project_session(project) as session:
        events = [(e.id, e.at.isoformat(timespec="seconds"), e.actor, describe(e))
                  for e in history(session, framework)]
    if as_json:
        print_json([dict(zip(["event", "at", "who", "change"], e, strict=True)) for e in events])
        return
    print_table(["event", "at", "who", "change"], events)


@codebook_app.command("diff")
def codebook_diff(project: ProjectArg,
                  since: Annotated[int | None, typer.Option(
                      help="A history event id: compare the framework after it with now "
                           "(default: since it was empty).")] = None,
                  framework: FrameworkOpt = MAIN, as_json: JsonOpt = False) -> None:
    """What changed in the framework since a point in its history.

    Example: framesynth codebook diff study.fsdb --since 3
    """
    with project_session(project) as session:
        changes = diff_since(session, since, framework)
    rows = [[c.kind, c.before or "", c.after or ""] for c in changes]
    if as_json:
        print_json([dict(zip(["change", "before", "after"], r, strict=True)) for r in rows])
        return
    print_table(["change", "before", "after"], rows)


@themes_app.command("suggest")
def themes_suggest(project: ProjectArg, unit: UnitOpt = DEFAULT_UNIT,
                   participants_only: ParticipantsOpt = True,
                   k: Annotated[str, typer.Option(help="Number of candidates, or auto.")] = "auto",
                   seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
                   representation: RepresentationOpt = DEFAULT_REPRESENTATION,
                   algorithm: AlgorithmOpt = DEFAULT_ALGORITHM,
                   embedder: EmbedderOpt = None, as_json: JsonOpt = False) -> None:
    """Cluster the units into candidate themes with keywords, quotes and spread.

    Example: framesynth themes suggest study.fsdb --k 12 --algorithm kmeans --json
    """
    with project_session(project) as session:
        found = suggest_themes(session, theme_units(session, unit,
                                                    participants_only=participants_only),
                               embedder=get_embedder(embedder),
                               k=_k(k), seed=seed, representation=representation,
                               algorithm=algorithm)
        names = source_names(session)
        data = [candidate.as_dict(names) for candidate in found]
    if as_json:
        print_json(data)
        return
    for item in data:
        typer.echo(f"{item['candidate']:>3}. {', '.join(item['keywords'])}")
        typer.echo(f"     {item['size']} units, {item['sources']} sources, "
                   f"{item['participants']} participants")
        for quote in item["quotes"][:2]:
            typer.echo(f"     \u201c{' '.join(quote['text'].split())[:110]}\u201d "
                       f"({quote['source']})")


@themes_app.command("adopt")
def themes_adopt(project: ProjectArg,
                 candidate: Annotated[int, typer.Argument(help="The candidate's number.")],
                 name: Annotated[str, typer.Option(help="The theme's name in the framework.")],
                 framework: Annotated[str, typer.Option(
                     "--framework", "-f", help="The draft to adopt into.")] = "draft",
                 unit: UnitOpt = DEFAULT_UNIT, participants_only: ParticipantsOpt = True,
                 k: Annotated[str, typer.Option(help="As given to suggest.")] = "auto",
                 seed: Annotated[int, typer.Option(help="As given to suggest.")] = 0,
                 representation: RepresentationOpt = DEFAULT_REPRESENTATION,
                 algorithm: AlgorithmOpt = DEFAULT_ALGORITHM,
                 embedder: EmbedderOpt = None) -> None:
    """Adopt a suggested candidate (same options as suggest) into a draft framework.

    Example: framesynth themes adopt study.fsdb 3 --name "Waiting for help" --framework draft:ruth
    """
    with project_session(project) as session:
        found = suggest_themes(session, theme_units(session, unit,
                                                    participants_only=participants_only),
                               embedder=get_embedder(embedder),
                               k=_k(k), seed=seed, representation=representation,
                               algorithm=algorithm)
        if not 1 <= candidate <= len(found):
            raise InvalidArgument(f"candidate {candidate} does not exist (1-{len(found)})")
        code = adopt_candidate(session, found[candidate - 1], name=name, framework=framework,
                               actor=current_user())
        typer.echo(f"adopted candidate {candidate} as {code_path(code)!r} in {framework!r}")


def _k(value: str) -> int | str:
    if value == "auto":
        return value
    if not value.isdigit():
        raise InvalidArgument(f"--k must be a number or auto, not {value!r}")
    return int(value)
