"""The bundled demo corpus and the ``demo`` command."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from typer.testing import CliRunner

from framesynth.cli.main import app
from framesynth.demo import corpus_files, demo_file
from framesynth.familiarise.vocabulary import terms
from framesynth.io.codings_table import read_coding_rows
from framesynth.io.importers import supported_suffixes
from framesynth.store.models import Organisation, Partnership, Source


def test_demo_corpus_uses_every_supported_format():
    suffixes = {path.suffix for path in corpus_files()}
    assert suffixes == {".txt", ".md", ".docx", ".pdf", ".vtt", ".srt"}
    assert suffixes <= set(supported_suffixes())


def test_demo_has_interviews_and_focus_groups_of_realistic_length(demo_session):
    sources = list(demo_session.scalars(select(Source)))
    kinds = Counter(source.kind for source in sources)
    assert kinds["interview"] >= 12 and kinds["focus_group"] == 3
    lengths = {source.name: len(source.text.split()) for source in sources}
    assert all(800 <= words <= 2500 for words in lengths.values()), lengths


def test_demo_focus_groups_have_many_linked_speakers_and_a_theme(demo_session):
    groups = demo_session.scalars(select(Source).where(Source.kind == "focus_group"))
    for group in groups:
        respondents = [s for s in group.speakers if not s.is_interviewer]
        assert len(respondents) >= 5
        assert all(s.participant is not None for s in respondents), group.name
        assert group.meta["theme"]


def test_demo_every_speaker_is_linked_or_the_interviewer(demo_session):
    for source in demo_session.scalars(select(Source)):
        for speaker in source.speakers:
            assert speaker.is_interviewer or speaker.participant is not None, (
                source.name, speaker.label)


def test_demo_interviewees_are_leads_staff_and_funding_officers(demo_session):
    roles = Counter()
    for source in demo_session.scalars(select(Source).where(Source.kind == "interview")):
        [person] = [s.participant for s in source.speakers if not s.is_interviewer]
        roles[person.role] += 1
    assert set(roles) == {"project lead", "project worker", "funding officer"}


def test_demo_organisations_and_partnerships_cover_every_sector_depth_and_level(demo_session):
    organisations = list(demo_session.scalars(select(Organisation)))
    partnerships = list(demo_session.scalars(select(Partnership)))
    sectors = {o.sector for o in organisations}
    assert len(organisations) >= 8 and sectors == set(terms(demo_session, "sector")) == {
        "community", "voluntary", "statutory", "funder"}
    assert len(partnerships) >= 6
    assert {p.depth for p in partnerships} == set(terms(demo_session, "depth"))
    assert {level for p in partnerships for level in p.levels} == set(
        terms(demo_session, "level"))
    assert {p.formality for p in partnerships} == {"formal", "informal"}


def test_demo_text_names_people_organisations_and_places(demo_session):
    text = " ".join(demo_session.scalars(select(Source.text)))
    for name in ("Maureen", "Pellwick Family Hub", "Wrenmouth", "Stanmere", "Quayside Centre",
                 "Early Help", "Tidewater"):
        assert name in text


def test_demo_command_writes_the_project_and_shows_info_and_a_search(tmp_path,
                                                                    demo_name_leaks):
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "demo.fsdb").is_file()
    lines = result.stdout.splitlines()
    assert lines[0] == f"== demo project written to {tmp_path / 'out' / 'demo.fsdb'}"
    assert lines[1].startswith("recording: attached ") and lines[1].endswith(
        "to int09-colin-fairweather.pdf; 8 of 24 turns timed (spoken by espeak-ng; "
        "`framesynth serve` plays it in the reader)")
    assert "sources                     17" in lines
    assert '== search "waiting list" --where sector=community' in lines
    assert sum("waiting list" in line.casefold() for line in lines) >= 3
    assert "== agreement --coders amira tom --unit turn" in lines
    assert any(line.startswith("overall (all codes pooled)") for line in lines)
    for method in ("keyword", "semantic", "supervised"):
        assert any(line.startswith(method) and "suggestions for" in line for line in lines)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "demo.fsdb", "demo.fsdb-media", "demo.report.yaml", "matrix.xlsx", "plots", "report.docx",
        "report.html", "report.md", "report.pdf", "report_files"]
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "heatmap.png", "heatmap.svg", "network.png", "network.svg", "prevalence.png",
        "prevalence.svg"]
    from openpyxl import load_workbook

    assert len(load_workbook(out / "matrix.xlsx").sheetnames) == 6
    report = (out / "report.md").read_text(encoding="utf-8")
    assert demo_name_leaks(report) == [] and "St Aidan's" not in report
    # the demo team's report file shapes it: their title, authors, summary, key findings
    assert report.startswith("# Stronger Starts: what two years of partnership working "
                             "taught us\n")
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Summary", "## How we did it", "## The partnerships"]
    assert "Rosa Lindqvist, Tom Reilly" in report and "### Key findings" in report


def test_demo_command_twice_rebuilds_from_scratch(tmp_path):
    for _ in range(2):
        result = CliRunner().invoke(app, ["demo", str(tmp_path), "--embedder", "hashing.v1"])
        assert result.exit_code == 0, result.output
    assert "sources                     17" in result.stdout.splitlines()


def test_demo_codings_of_both_coders_resolve_to_their_quotes(demo_session):
    """Every row of the coders' CSVs is a coding of that code, by that coder, on that
    source, over exactly the quoted words (not another place, code or coder)."""
    from framesynth.frame.framework import code_path
    from framesynth.store.models import Coding

    def words(text: str) -> str:
        return " ".join(text.split())

    written = Counter()
    for coder in ("amira", "tom"):
        for row in read_coding_rows(demo_file(f"codings/{coder}.csv")):
            written[(coder, row["source"], row["code"], words(row["quote"]))] += 1
    codings = demo_session.scalars(select(Coding).where(Coding.status.is_(None)))
    stored = Counter((c.coder, c.source.name, code_path(c.code),
                      words(c.source.text[c.start:c.end])) for c in codings)
    assert sum(written.values()) > 900
    assert stored == written


def test_demo_interview_has_a_spoken_recording_with_timed_turns(demo_session):
    from framesynth.demo import DEMO_RECORDED_TURNS, DEMO_RECORDING
    from framesynth.familiarise.sources import get_source

    source = get_source(demo_session, DEMO_RECORDING)
    assert (source.media_format, source.media_kind) == ("wav", "audio")
    turns = sorted(source.turns, key=lambda t: t.position)
    timed = [(t.started_at, t.ended_at) for t in turns[:DEMO_RECORDED_TURNS]]
    assert all(start is not None and end is not None and start < end for start, end in timed)
    assert timed == sorted(timed) and timed[-1][1] <= source.media_duration
    assert [(t.started_at, t.ended_at) for t in turns[DEMO_RECORDED_TURNS:]] == [
        (None, None)] * (len(turns) - DEMO_RECORDED_TURNS)
