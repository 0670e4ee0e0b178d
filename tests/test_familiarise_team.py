"""The research team: marked through the cases table, at import or in the reader, and left
out of units, auto-coding, prevalence, quotes and word counts; the kind from the rest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from framesynth.errors import InvalidArgument, NotFound
from framesynth.familiarise.context import parse_where
from framesynth.familiarise.frequencies import word_frequencies
from framesynth.familiarise.search import search
from framesynth.familiarise.sources import get_source
from framesynth.familiarise.speaker_links import set_speaker_team
from framesynth.familiarise.units import units
from framesynth.frame.framework import find_code
from framesynth.index.coding import code_span
from framesynth.index.review import run_autocode
from framesynth.interpret.prevalence import prevalence
from framesynth.interpret.quotes import theme_quotes
from framesynth.io.codebook import import_codebook
from framesynth.io.importers import import_files
from framesynth.io.importers.case_table import import_case_table
from framesynth.project import Project
from framesynth.store.models import Coding, Event, Source, Speaker

TRANSCRIPT = """Kestrel Food Bank - volunteer interview

Sam: How do families find out about the food bank, and is there a waiting list for vouchers?

Priya: Mostly the school tells them. No waiting list here, we see everyone the same week.

Sam: And the referrals from the council, how do those reach you?

Priya: The referral form comes by email, and sometimes it never comes at all.
"""
ORGS = "organisation,ORG09,Kestrel Food Bank,voluntary,,,,,\n"
HEADER = "type,id,name,sector,role,organisation,team,participants,interviewers\n"
# Sam is marked through the source row's `interviewers` ...
BY_SOURCE = (HEADER + ORGS + "participant,P20,Priya Lakhani,,volunteer,ORG09,,,\n"
             "participant,P16,Sam Okonjo,,project worker,ORG09,,,\n"
             "source,,kestrel.txt,,,,,P20,Sam\n")
# ... or as a participant of the team (the label Sam links to Sam Reed by first name).
BY_PARTICIPANT = (HEADER + ORGS + "participant,P20,Priya Lakhani,,volunteer,ORG09,,,\n"
                  "participant,T01,Sam Reed,,researcher,,yes,,\n")
SAM_ASKS = "is there a waiting list for vouchers?"
PRIYA_SAYS = "No waiting list here, we see everyone the same week."


@pytest.fixture
def transcript(tmp_path):
    path = tmp_path / "kestrel.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    return path


def write_cases(tmp_path, body: str):
    path = tmp_path / "cases.csv"
    path.write_text(body, encoding="utf-8")
    return path


def speakers(session) -> list[tuple[str, bool, str | None]]:
    found = session.scalars(select(Speaker).order_by(Speaker.id))
    return [(s.label, s.is_interviewer, s.participant.key if s.participant else None)
            for s in found]


@pytest.mark.parametrize("cases_first", [True, False])
def test_team_source_interviewers_column_marks_sam(session, tmp_path, transcript, cases_first):
    cases = write_cases(tmp_path, BY_SOURCE)
    if cases_first:
        import_case_table(session, cases)
    import_files(session, [transcript])
    if not cases_first:
        assert get_source(session, "kestrel.txt").kind == "focus_group"  # Sam and Priya
        import_case_table(session, cases)
    source = get_source(session, "kestrel.txt")
    assert speakers(session) == [("Sam", True, None), ("Priya", False, "P20")]
    assert (source.kind, source.meta["kind_from"]) == ("interview", "speakers")


def test_team_participant_team_column_marks_the_speakers_linked_to_them(session, tmp_path,
                                                                        transcript):
    import_case_table(session, write_cases(tmp_path, BY_PARTICIPANT))
    import_files(session, [transcript])
    assert speakers(session) == [("Sam", True, "T01"), ("Priya", False, "P20")]
    assert get_source(session, "kestrel.txt").kind == "interview"


def test_team_import_interviewer_option_marks_the_label(session, transcript):
    import_files(session, [transcript], interviewers=["sam"])
    source = get_source(session, "kestrel.txt")
    assert speakers(session) == [("Sam", True, None), ("Priya", False, None)]
    assert (source.kind, source.meta["team_marks"]) == ("interview", {"sam": True})


def test_team_import_interviewer_who_never_speaks_is_an_error(project_path, snapshot,
                                                              transcript):
    before = snapshot(project_path)
    with pytest.raises(InvalidArgument) as raised:
        with Project.open(project_path) as project, project.session() as session:
            import_files(session, [transcript], interviewers=["Sam", "Okafor"])
    assert str(raised.value) == ("--interviewer 'Okafor' speaks in none of the imported "
                                 "files [FS003]")
    assert snapshot(project_path) == before


def test_team_set_speaker_team_marks_logs_and_infers_the_kind_again(session, transcript):
    import_files(session, [transcript])
    source = get_source(session, "kestrel.txt")
    assert source.kind == "focus_group"
    set_speaker_team(session, source, "SAM", True, actor="ruth")
    assert (speakers(session), source.kind) == ([("Sam", True, None), ("Priya", False, None)],
                                                "interview")
    set_speaker_team(session, source, "Priya", True, actor="ruth")
    assert source.kind == "document"
    set_speaker_team(session, source, "Priya", False, actor="ruth")
    set_speaker_team(session, source, "Sam", False, actor="ruth")
    assert source.kind == "focus_group"
    events = session.scalars(select(Event).where(Event.action == "speaker.team")
                             .order_by(Event.id))
    assert [(e.actor, e.payload["speaker"], e.payload["team"]) for e in events] == [
        ("ruth", "Sam", True), ("ruth", "Priya", True), ("ruth", "Priya", False),
        ("ruth", "Sam", False)]


def test_team_marks_win_over_the_cases_table_and_unmarking_links_again(session, tmp_path,
                                                                       transcript):
    import_case_table(session, write_cases(tmp_path, BY_SOURCE))
    import_files(session, [transcript])
    set_speaker_team(session, get_source(session, "kestrel.txt"), "Sam", False, actor="ruth")
    assert speakers(session) == [("Sam", False, "P16"), ("Priya", False, "P20")]
    import_case_table(session, write_cases(tmp_path, BY_SOURCE))
    assert speakers(session) == [("Sam", False, "P16"), ("Priya", False, "P20")]
    assert get_source(session, "kestrel.txt").kind == "focus_group"


def test_team_kind_stated_by_option_or_cases_table_is_not_inferred_again(session, tmp_path,
                                                                         transcript):
    import_files(session, [transcript], kind="focus_group")
    source = get_source(session, "kestrel.txt")
    set_speaker_team(session, source, "Sam", True, actor="ruth")
    assert (source.kind, source.meta["kind_from"]) == ("focus_group", "option")


def test_team_unknown_speaker_is_not_found(session, transcript):
    import_files(session, [transcript])
    with pytest.raises(NotFound, match=r"^kestrel.txt has no speaker 'Okafor' \[FS002\]$"):
        set_speaker_team(session, get_source(session, "kestrel.txt"), "Okafor", True,
                         actor="ruth")


@pytest.fixture(params=["interviewers", "participant team"])
def marked(request, session, tmp_path, transcript, framework_file, at):
    """kestrel.txt with Sam marked as the team one way or the other, the test framework,
    and Waiting lists coded by hand on a question of Sam's and an answer of Priya's."""
    body = BY_SOURCE if request.param == "interviewers" else BY_PARTICIPANT
    import_case_table(session, write_cases(tmp_path, body))
    import_files(session, [transcript])
    import_codebook(session, framework_file, actor="ruth")
    for phrase in ("How do families find out about the food bank, and " + SAM_ASKS, PRIYA_SAYS):
        code_span(session, "kestrel.txt", *at(session, "kestrel.txt", phrase), "Waiting lists",
                  coder="ruth")
    return session


def sam_turns(session) -> list[tuple[int, int]]:
    source = get_source(session, "kestrel.txt")
    return [(t.start, t.end) for t in source.turns if t.speaker and t.speaker.label == "Sam"]


def on_sam(session, start: int) -> bool:
    return any(a <= start < b for a, b in sam_turns(session))


def test_team_turns_are_not_units_and_get_no_suggestions(marked):
    assert [u.text for u in units(marked)] == [
        "Mostly the school tells them. " + PRIYA_SAYS,
        "The referral form comes by email, and sometimes it never comes at all."]
    result = run_autocode(marked, "keyword", actor="ruth")
    pending = marked.scalars(select(Coding).where(Coding.status == "pending")).all()
    assert result.stored == len(pending) == 1  # Referral routes on Priya's second answer
    assert not any(on_sam(marked, c.start) for c in pending)


PREVALENCE = {"interviewers": [("project worker", 0, 1), ("volunteer", 1, 1)],
              "participant team": [("volunteer", 1, 1)]}


def test_team_codings_count_for_no_case_in_prevalence(marked, request):
    way = request.node.callspec.params["marked"]
    figures = [(p.group, p.cases, p.size) for p in prevalence(marked, by="role")
               if p.code == "Access/Waiting lists"]
    assert figures == PREVALENCE[way]  # the team member is no case, Sam's coding no one's


def test_team_turns_give_no_quotes(marked, hashing):
    theme = find_code(marked, "Access")
    quotes = theme_quotes(marked, theme, hashing, count=3)
    assert [(q.text, q.attribution) for q in quotes] == [
        (PRIYA_SAYS, "– Volunteer on voluntary sector partner")]


def test_team_words_and_where_leave_out_the_team(marked):
    top = dict(word_frequencies(marked, top=50))["kestrel.txt"]
    assert "families" not in {word for word, _ in top}  # only Sam says it
    hits = search(marked, "waiting list", where=parse_where(["organisation=Kestrel Food Bank"]))
    assert [h.speaker for h in hits] == ["Priya"]
    assert search(marked, "waiting list", where=parse_where(["role=researcher"])) == []
    asked = search(marked, "waiting list", where=parse_where(["interviewer=true"]))
    assert [h.speaker for h in asked] == ["Sam"]
    assert [h.speaker for h in search(marked, "waiting list")] == ["Sam", "Priya"]


def test_team_marking_after_import_takes_effect_in_the_next_analysis(session, transcript,
                                                                     framework_file):
    import_files(session, [transcript])
    import_codebook(session, framework_file, actor="ruth")
    run_autocode(session, "keyword", actor="ruth")
    pending = session.scalars(select(Coding).where(Coding.status == "pending")).all()
    assert any(on_sam(session, c.start) for c in pending)
    set_speaker_team(session, get_source(session, "kestrel.txt"), "Sam", True, actor="ruth")
    run_autocode(session, "keyword", actor="ruth")
    pending = session.scalars(select(Coding).where(Coding.status == "pending")).all()
    assert pending and not any(on_sam(session, c.start) for c in pending)
    assert session.scalar(select(Source.kind)) == "interview"


@pytest.mark.parametrize(("interviewers", "expected"), [
    ((), [("Priya", False, None)]),
    (("Okafor",), [("Okafor", True, None), ("Priya", False, None)]),
])
def test_team_interviewer_labels_count_as_labels_even_when_said_once(session, tmp_path,
                                                                     interviewers, expected):
    path = tmp_path / "short.txt"
    path.write_text("Okafor: How do referrals reach you?\n\nPriya: Through the school.\n\n"
                    "Priya: And the health visitors.\n", encoding="utf-8")
    import_files(session, [path], interviewers=interviewers)
    assert (speakers(session), get_source(session, "short.txt").kind) == (expected, "interview")
