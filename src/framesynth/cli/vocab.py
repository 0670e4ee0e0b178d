"""``vocab``: the study's vocabularies (sectors, depth scale, levels ...) as data."""

from __future__ import annotations

from typing import Annotated

import typer

from framesynth.cli._util import (
    JsonOpt,
    ProjectArg,
    new_app,
    print_json,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.familiarise.vocabulary import (
    add_term,
    list_vocabularies,
    need_vocabulary,
    remove_term,
    rename_term,
    set_vocabulary,
    term_uses,
    vocabulary_dict,
)

NameArg = Annotated[str, typer.Argument(help="The vocabulary: sector, depth, level, formality "
                                              "or any other list the study keeps.")]
TermArg = Annotated[str, typer.Argument(help="A term of the vocabulary.")]

vocab_app = new_app("The study's vocabularies: the terms sectors, depth, levels ... may take.")


def _kind(ordered: bool, closed: bool) -> str:
    return f"{'ordered' if ordered else 'unordered'}, {'closed' if closed else 'open'}"


@vocab_app.command("list")
def vocab_list(project: ProjectArg, as_json: JsonOpt = False) -> None:
    """Every vocabulary with its terms, in order.

    Example: framesynth vocab list study.fsdb --json
    """
    with project_session(project) as session:
        data = [vocabulary_dict(v) for v in list_vocabularies(session)]
    if as_json:
        print_json(data)
        return
    print_table(["vocabulary", "kind", "terms"],
                [[v["name"], _kind(v["ordered"], v["closed"]),
                  "; ".join(t["term"] for t in v["terms"])] for v in data])


@vocab_app.command("show")
def vocab_show(project: ProjectArg, name: NameArg, as_json: JsonOpt = False) -> None:
    """One vocabulary's terms with their labels, aliases and how often each is used.

    Example: framesynth vocab show study.fsdb depth
    """
    with project_session(project) as session:
        data = vocabulary_dict(need_vocabulary(session, name))
        for term in data["terms"]:
            term["uses"] = sum(term_uses(session, name, term["term"]).values())
    if as_json:
        print_json(data)
        return
    typer.echo(f"{data['label']} ({data['name']}): {_kind(data['ordered'], data['closed'])}")
    print_table(["#", "term", "label", "aliases", "uses"],
                [[i, t["term"], t["label"], "; ".join(t["aliases"]), t["uses"]]
                 for i, t in enumerate(data["terms"], start=1)])


@vocab_app.command("set")
def vocab_set(
    project: ProjectArg, name: NameArg,
    terms: Annotated[list[str], typer.Argument(help="The terms, in scale order if ordered.")],
    ordered: Annotated[bool | None, typer.Option(
        "--ordered/--unordered", help="The terms form a scale (depth 1-5).",
        show_default=False)] = None,
    closed: Annotated[bool | None, typer.Option(
        "--closed/--open", help="Refuse other values (open: new values become terms).",
        show_default=False)] = None,
    label: Annotated[list[str] | None, typer.Option(
        "--label", help="Labels for display, one per term in order (repeat).")] = None,
) -> None:
    """Create or replace a vocabulary; a term still in use cannot be left out.

    Example: framesynth vocab set study.fsdb depth 1 2 3 4 5 --ordered --closed
    """
    with project_session(project) as session:
        vocabulary = set_vocabulary(session, name, terms, ordered=ordered, closed=closed,
                                    labels=label or [], actor=current_user())
        kind = _kind(vocabulary.ordered, vocabulary.closed)
        listed = "; ".join(t.term for t in vocabulary.terms)
    typer.echo(f"{name} ({kind}): {listed}")


@vocab_app.command("add")
def vocab_add(
    project: ProjectArg, name: NameArg, term: TermArg,
    label: Annotated[str | None, typer.Option(help="How the term is written for readers.")
                     ] = None,
    alias: Annotated[list[str] | None, typer.Option(
        help="Another spelling that means the term (repeat).")] = None,
) -> None:
    """Add a term at the end of a vocabulary (a new vocabulary is created open).

    Example: framesynth vocab add study.fsdb sector "health board" --alias NHS
    """
    with project_session(project) as session:
        row = add_term(session, name, term, label=label, aliases=alias or [],
                       actor=current_user())
        typer.echo(f"added {row.term!r} ({row.label}) to {name}")


@vocab_app.command("rename")
def vocab_rename(project: ProjectArg, name: NameArg, old: TermArg,
                 new: Annotated[str, typer.Argument(help="The term's new value.")]) -> None:
    """Rename a term, and every organisation, partnership and attribute that uses it.

    Example: framesynth vocab rename study.fsdb sector statutory public
    """
    with project_session(project) as session:
        row = rename_term(session, name, old, new, actor=current_user())
        uses = sum(term_uses(session, name, row.term).values())
    typer.echo(f"renamed {old!r} to {row.term!r} in {name} ({uses} stored values)")


@vocab_app.command("remove")
def vocab_remove(project: ProjectArg, name: NameArg, term: TermArg) -> None:
    """Remove a term nothing uses.

    Example: framesynth vocab remove study.fsdb sector funder
    """
    with project_session(project) as session:
        remove_term(session, name, term, actor=current_user())
    typer.echo(f"removed {term!r} from {name}")
