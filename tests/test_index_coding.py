"""Manual coding, retrieval of segments, and codings as CSV/JSON."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from framesynth.errors import CorruptFile, NotFound
from framesynth.familiarise.context import parse_where
from framesynth.frame.framework import CodeSpec, add_code
from framesynth.index.coding import CodingError, code_span, remove_coding, segments
from framesynth.io.codings_table import (
    CodingRowError,
    coding_rows,
    import_codings,
    write_codings,
)
from framesynth.project import Project
from framesynth.store.models import Coding, Event


def test_coding_stores_offsets_and_the_snippet(coded, at):
    start, end = at(coded, "interview.txt", "Fourteen weeks")
    coding = code_span(coded, "interview.txt", start, end, "Access/Waiting lists", coder="ruth",
                       memo="the wait")
    assert (coding.text, coding.coder, coding.memo, coding.status) == (
        "Fourteen weeks", "ruth", "the wait", None)
    event = coded.scalar(select(Event).where(Event.action == "code"))
    assert event.payload["code"] == "Access/Waiting lists"


def test_coding_overlaps_and_nesting_are_allowed_and_repeats_are_one(coded, at):
    outer = at(coded, "interview.txt", "Fourteen weeks for counselling")
    inner = at(coded, "interview.txt", "weeks for")
    first = code_span(coded, "interview.txt", *outer, "Waiting lists", coder="ruth")
    code_span(coded, "interview.txt", *inner, "Waiting lists", coder="ruth")
    code_span(coded, "interview.txt", *outer, "Referral routes", coder="ruth")
    again = code_span(coded, "interview.txt", *outer, "Waiting lists", coder="ruth")
    assert again.id == first.id
    assert len(list(coded.scalars(select(Coding)))) == 3


@pytest.mark.parametrize(("start", "end", "code", "message"), [
    (10, 10, "Waiting lists", "range 10-10 is outside 'interview.txt'"),
    (5, 100_000, "Waiting lists", "range 5-100000 is outside"),
    (0, 5, "Access", "'Access' is a heading, not a codable code"),
])
def test_coding_bad_ranges_and_headings(coded, start, end, code, message):
    with pytest.raises(CodingError, match=message):
        code_span(coded, "interview.txt", start, end, code, coder="ruth")


def test_coding_with_a_draft_code_is_refused(coded):
    add_code(coded, CodeSpec(name="Draft idea"), framework="draft:tom")
    with pytest.raises(NotFound):
        code_span(coded, "interview.txt", 0, 5, "Draft idea", coder="tom")


def test_coding_remove_is_logged(coded):
    coding = code_span(coded, "interview.txt", 0, 5, "Waiting lists", coder="ruth")
    remove_coding(coded, coding.id, actor="ruth")
    assert coded.scalar(select(Coding)) is None
    assert coded.scalar(select(Event).where(Event.action == "uncode")).payload["coder"] == "ruth"


def test_segments_for_a_theme_include_sub_codes_and_attributes(coded, at):
    code_span(coded, "interview.txt", *at(coded, "interview.txt", "Fourteen weeks"),
              "Waiting lists", coder="ruth")
    code_span(coded, "focus_group.txt", *at(coded, "focus_group.txt", "Referrals bounce back"),
              "Referral routes", coder="ruth")
    code_span(coded, "focus_group.txt", *at(coded, "focus_group.txt", "the threshold"),
              "Referral routes", coder="colin")
    found = segments(coded, code="Access")
    assert [(s.source, s.code, s.text, s.attributes.get("speaker")) for s in found] == [
        ("focus_group.txt", "Access/Referral routes", "the threshold", "Claire"),
        ("focus_group.txt", "Access/Referral routes", "Referrals bounce back", "Dawn"),
        ("interview.txt", "Access/Waiting lists", "Fourteen weeks", "Maureen"),
    ]
    community = segments(coded, code="Access", where=parse_where(["sector=community"]))
    assert [s.attributes["speaker"] for s in community] == ["Dawn", "Maureen"]
    assert [s.coder for s in segments(coded, coder="colin")] == ["colin"]


def test_codings_export_import_round_trip(coded, project_path, tmp_path, at):
    code_span(coded, "interview.txt", *at(coded, "interview.txt", "Fourteen weeks"),
              "Waiting lists", coder="ruth")
    code_span(coded, "focus_group.txt", *at(coded, "focus_group.txt", "Referrals bounce back"),
              "Referral routes", coder="colin")
    rows = coding_rows(coded)
    for fmt in ("csv", "json"):
        buffer = io.StringIO()
        write_codings(rows, buffer, fmt)
        path = tmp_path / f"codings.{fmt}"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        for coding in list(coded.scalars(select(Coding))):
            coded.delete(coding)
        coded.flush()
        assert import_codings(coded, path, actor="ruth") == 2
        again = coding_rows(coded)
        assert [{**r, "score": None} for r in again] == [{**r, "score": None} for r in rows]


def test_codings_csv_columns(coded, at):
    code_span(coded, "interview.txt", *at(coded, "interview.txt", "Fourteen weeks"),
              "Waiting lists", coder="ruth")
    buffer = io.StringIO()
    write_codings(coding_rows(coded), buffer, "csv")
    start, end = at(coded, "interview.txt", "Fourteen weeks")
    assert buffer.getvalue() == (
        "source,start,end,code,coder,score,text\n"
        f"interview.txt,{start},{end},Access/Waiting lists,ruth,,Fourteen weeks\n")


BAD_ROWS = {
    "unknown code": ("interview.txt,0,5,Access/Nothing,ruth,,",
                     "row 3: no code 'Access/Nothing' in framework 'main'"),
    "unknown source": ("nowhere.txt,0,5,Waiting lists,ruth,,", "row 3: no source named"),
    "out of range": ("interview.txt,0,99999,Waiting lists,ruth,,", "row 3: range 0-99999"),
    "not a number": ("interview.txt,zero,5,Waiting lists,ruth,,", "row 3: start 'zero' is not"),
    "text mismatch": ("interview.txt,0,4,Waiting lists,ruth,,Nope",
                      "row 3: text does not match 'interview.txt' at 0-4"),
    "heading": ("interview.txt,0,4,Access,ruth,,", "row 3: 'Access' is a heading"),
    "no coder": ("interview.txt,0,4,Waiting lists,,,", "row 3: column 'coder' is empty"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_codings_import_bad_row_changes_nothing(project_path, data_dir, framework_file,
                                                tmp_path, snapshot, case):
    from framesynth.io.codebook import import_codebook
    from framesynth.io.importers import import_files

    with Project.open(project_path) as project, project.session() as session:
        import_files(session, [data_dir / "interview.txt"])
        import_codebook(session, framework_file, actor="ruth")
    row, message = BAD_ROWS[case]
    path = tmp_path / "codings.csv"
    path.write_text("source,start,end,code,coder,score,text\n"
                    "interview.txt,0,4,Waiting lists,ruth,,Test\n" + row + "\n", encoding="utf-8")
    before = snapshot(project_path)
    with pytest.raises(CodingRowError, match=f"^codings.csv, {message}"):
        with Project.open(project_path) as project, project.session() as session:
            import_codings(session, path, actor="ruth")
    assert snapshot(project_path) == before


def test_codings_json_must_be_a_list(coded, tmp_path):
    path = tmp_path / "codings.json"
    path.write_text(json.dumps({"source": "x"}), encoding="utf-8")
    with pytest.raises(CorruptFile) as raised:
        import_codings(coded, path, actor="ruth")
    assert str(raised.value) == "codings.json: expected a list of objects [FS102]"


def test_codings_import_keeps_repeats_once_and_logs_each_new_coding(coded, tmp_path, at):
    stored = code_span(coded, "interview.txt", *at(coded, "interview.txt", "Fourteen weeks"),
                       "Waiting lists", coder="ruth")
    start, end = at(coded, "focus_group.txt", "Referrals bounce back")
    path = tmp_path / "codings.csv"
    path.write_text("source,start,end,code,coder,score,text\n"
                    f"interview.txt,{stored.start},{stored.end},Waiting lists,ruth,,\n"
                    f"focus_group.txt,{start},{end},Access/Referral routes,colin,0.5,\n"
                    f"focus_group.txt,{start},{end},Referral routes,colin,,\n"
                    f"focus_group.txt,{start},{end},Referral routes,ruth,,\n", encoding="utf-8")
    before = coded.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    assert import_codings(coded, path, actor="ruth") == 4
    rows = [(r["source"], r["code"], r["coder"], r["score"], r["text"]) for r in coding_rows(coded)]
    assert sorted(rows) == [
        ("focus_group.txt", "Access/Referral routes", "colin", 0.5, "Referrals bounce back"),
        ("focus_group.txt", "Access/Referral routes", "ruth", None, "Referrals bounce back"),
        ("interview.txt", "Access/Waiting lists", "ruth", None, "Fourteen weeks")]
    events = list(coded.scalars(select(Event).where(Event.id > before).order_by(Event.id)))
    new = {c.coder: c.id for c in coded.scalars(select(Coding).where(Coding.id != stored.id))}
    assert [(e.action, e.actor, e.payload) for e in events] == [
        ("code", "colin", {"coding": new["colin"], "source": "focus_group.txt", "start": start,
                           "end": end, "code": "Access/Referral routes"}),
        ("code", "ruth", {"coding": new["ruth"], "source": "focus_group.txt", "start": start,
                          "end": end, "code": "Access/Referral routes"}),
        ("import_codings", "ruth", {"file": "codings.csv", "codings": 4})]
