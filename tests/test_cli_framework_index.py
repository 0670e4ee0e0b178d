"""The phase 2 and 3 commands, as a user types them."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def study(fs, tmp_path, data_dir, framework_file):
    path = tmp_path / "study.fsdb"
    fs("init", path)
    fs("import", path, data_dir / "interview.txt", data_dir / "focus_group.txt", "--cases",
       data_dir / "cases.csv")
    assert fs("codebook", "import", path, framework_file) == (
        0, "imported 5 codes (2 top-level) into 'main'\n", "")
    return path


def offsets(data_dir, name: str, phrase: str) -> tuple[int, int]:
    text = (data_dir / name).read_text(encoding="utf-8")
    return text.index(phrase), text.index(phrase) + len(phrase)


def test_cli_codebook_list_and_code(fs, study, data_dir):
    start, end = offsets(data_dir, "interview.txt", "Fourteen weeks")
    code, out, _ = fs("code", study, "interview.txt", start, end, "Waiting lists")
    assert (code, out) == (0, f"coding 1: Access/Waiting lists on interview.txt:{start}-{end} "
                              "\u201cFourteen weeks\u201d\n")
    assert fs("codebook", "list", study)[1].splitlines() == [
        "Access (heading)  [0]",
        "  Waiting lists  [1]",
        "  Referral routes  [0]",
        "Partnership (heading)  [0]",
        "  Meeting rhythms  [0]",
    ]


def test_cli_code_errors_are_one_line(fs, study):
    assert fs("code", study, "interview.txt", 0, 5, "Nothing") == (
        1, "", "error: no code 'Nothing' in framework 'main' [FS002]\n")
    assert fs("code", study, "interview.txt", 5, 2, "Waiting lists") == (
        1, "", "error: range 5-2 is outside 'interview.txt' (0-469) or empty [FS301]\n")


def test_cli_codebook_refine_history_and_diff(fs, study):
    assert fs("codebook", "rename", study, "Waiting lists", "Waits")[1] == (
        "renamed Access/Waiting lists -> Access/Waits\n")
    assert fs("codebook", "move", study, "Meeting rhythms", "--to", "Access")[1] == (
        "moved Partnership/Meeting rhythms -> Access/Meeting rhythms\n")
    assert fs("codebook", "add", study, "Partnership/Shared data",
              "--definition", "Sharing records.")[1] == "added Partnership/Shared data\n"
    assert fs("codebook", "merge-codes", study, "Shared data", "Access/Referral routes")[1] == (
        "merged Partnership/Shared data into Access/Referral routes: 0 codings carried\n")
    assert fs("codebook", "retire", study, "Waits")[1] == "retired Access/Waits\n"
    history = json.loads(fs("codebook", "history", study, "--json")[1])
    assert [h["change"].split()[0] for h in history] == [
        "import", "rename", "move", "add", "merge", "retire"]
    diff = json.loads(fs("codebook", "diff", study, "--since", history[0]["event"],
                         "--json")[1])
    assert diff == [
        {"change": "renamed/moved", "before": "Access/Waiting lists", "after": "Access/Waits"},
        {"change": "retired", "before": "Access/Waiting lists", "after": "Access/Waits"},
        {"change": "renamed/moved", "before": "Partnership/Meeting rhythms",
         "after": "Access/Meeting rhythms"},
        {"change": "added, since retired", "before": "", "after": "Partnership/Shared data"},
    ]


def test_cli_codebook_merge_into_itself_fails_cleanly(fs, study, snapshot):
    before = snapshot(study)
    assert fs("codebook", "merge-codes", study, "Access", "Access/Waiting lists") == (
        1, "", "error: cannot merge 'Access' into its own sub-code 'Access/Waiting lists' "
               "[FS201]\n")
    assert snapshot(study) == before


def test_cli_codebook_export_and_draft_merge(fs, study, tmp_path):
    out = tmp_path / "codebook.qdc"
    assert fs("codebook", "export", study, out)[1] == f"wrote {out}\n"
    assert fs("codebook", "import", study, out, "--framework", "draft:tom")[0] == 0
    code, text, err = fs("codebook", "merge", study, "draft:tom", "--dry-run", "--json")
    assert code == 0 and err == ""
    assert {d["action"] for d in json.loads(text)} == {"matched by name"}


def test_cli_codebook_split_lists_codings_to_review(fs, study, data_dir):
    for phrase in ("Fourteen weeks", "waiting list"):
        fs("code", study, "interview.txt", *offsets(data_dir, "interview.txt", phrase),
           "Waiting lists")
    code, out, _ = fs("codebook", "split", study, "Waiting lists", "--into", "Weeks=week*",
                      "--into", "Months=month*")
    assert code == 0
    assert out.splitlines()[:3] == ["Weeks: 1 codings", "Months: 0 codings",
                                    "left for review on Waiting lists: 1"]


def test_cli_codings_import_list_export_remove(fs, study, data_dir, tmp_path):
    start, end = offsets(data_dir, "focus_group.txt", "Referrals bounce back")
    table = tmp_path / "codings.csv"
    table.write_text("source,start,end,code,coder,score,text\n"
                     f"focus_group.txt,{start},{end},Access/Referral routes,tom,,"
                     "Referrals bounce back\n", encoding="utf-8")
    assert fs("codings", "import", study, table)[1] == "imported 1 codings\n"
    listed = json.loads(fs("codings", "list", study, "--where", "sector=community",
                           "--json")[1])
    assert [(r["code"], r["coder"], r["attr:speaker"], r["attr:sector"]) for r in listed] == [
        ("Access/Referral routes", "tom", "Dawn", "community")]
    assert fs("export", "codings", study)[1] == table.read_text(encoding="utf-8")
    assert fs("codings", "remove", study, listed[0]["id"])[1] == f"removed coding {listed[0]['id']}\n"
    assert fs("export", "codings", study, "--format", "json")[1] == "[]\n"


def test_cli_autocode_review_and_agreement(fs, study, data_dir):
    code, out, _ = fs("autocode", study, "--method", "keyword")
    assert code == 0 and out.startswith("keyword: ")
    pending = json.loads(fs("review", study, "--json")[1])
    assert pending and all(p["method"] == "keyword" for p in pending)
    first, second = pending[0]["id"], pending[1]["id"]
    assert fs("review", study, "--accept", first, "--reject", second)[1] == (
        "accepted 1, rejected 1\n")
    start, end = offsets(data_dir, "interview.txt", "Fourteen weeks")
    fs("code", study, "interview.txt", start, end, "Waiting lists", "--coder", "tom")
    report = json.loads(fs("agreement", study, "--coders", "ruth", "tom",
                           "--format", "json")[1])
    assert fs("agreement", study, "--coders", "ruth", "--coders", "tom", "--format",
              "json")[1] == json.dumps(report, indent=2) + "\n"
    assert report["coders"] == ["ruth", "tom"]
    assert report["overall"]["units"] >= 1
    assert set(report["codes"]) >= {"Access/Waiting lists"}


def test_cli_autocode_unknown_method(fs, study):
    assert fs("autocode", study, "--method", "magic") == (
        1, "", "error: method 'magic' is not one of: keyword, semantic, supervised, tuned [FS003]\n")


def test_cli_themes_suggest_and_adopt(fs, study):
    code, out, _ = fs("themes", "suggest", study, "--unit", "turn", "--k", "2", "--json")
    candidates = json.loads(out)
    assert code == 0 and len(candidates) == 2
    assert all({"keywords", "members", "quotes", "size"} <= set(c) for c in candidates)
    members = [m for c in candidates for m in c["members"]]
    assert all({"source", "start", "end"} <= set(m) for m in members)
    assert fs("themes", "adopt", study, "1", "--name", "Idea", "--unit", "turn", "--k", "2",
              "--framework", "draft:ruth")[1] == "adopted candidate 1 as 'Idea' in 'draft:ruth'\n"


def test_cli_chart_quote_and_export(fs, charted_path, tmp_path):
    code, out, _ = fs("chart", "show", charted_path, "--group-by", "sector", "--counts")
    assert code == 0 and out.splitlines()[2].split() == ["community", "Dawn", "Whitlock", "2"]
    assert fs("chart", "draft", charted_path)[1].startswith("drafted 3 cells")
    assert fs("chart", "edit", charted_path, "P15", "Access", "Bounced referrals.")[1] == (
        "saved P15 x Access\n")
    history = json.loads(fs("chart", "history", charted_path, "P15", "Access", "--json")[1])
    assert [h["status"] for h in history] == ["draft", "edited"]
    cells = json.loads(fs("chart", "show", charted_path, "--format", "json")[1])
    dawn = next(c for c in cells if c["case"] == "P15")
    assert dawn["cells"]["Access"] == {"segments": 2, "status": "edited",
                                       "summary": "Bounced referrals.", "version": 2}
    out_file = tmp_path / "m.xlsx"
    assert fs("export", "matrix", charted_path, "--out", out_file)[1] == f"wrote {out_file}\n"
    quotes = json.loads(fs("quote", "list", charted_path, "--theme", "Access", "--json")[1])
    assert quotes and all(q["attribution"].startswith("– ") for q in quotes)


def test_cli_interpret_commands(fs, charted_path, tmp_path):
    rows = json.loads(fs("prevalence", charted_path, "--by", "sector", "--json")[1])
    assert {"code": "Access/Waiting lists", "group": "community", "cases": 2, "size": 2} in rows
    compared = fs("prevalence", charted_path, "--by", "sector", "--compare", "community",
                  "--compare", "statutory")[1]
    assert "exploratory" in compared.splitlines()[0]
    pairs = json.loads(fs("cooccurrence", charted_path, "--json")[1])["pairs"]
    assert pairs[0]["units"] == 1
    assert json.loads(fs("typology", charted_path, "--json")[1])[0]["key"] == "PS01"
    assert fs("network", charted_path, "--out", tmp_path / "n.svg")[0] == 0
    assert fs("plots", charted_path, "--out", tmp_path / "plots")[0] == 0
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "heatmap.png", "heatmap.svg", "network.png", "network.svg", "prevalence.png",
        "prevalence.svg"]
    for fmt in ("html", "docx", "md"):
        target = tmp_path / f"r.{fmt}"
        assert fs("report", charted_path, "--format", fmt, "--out", target)[1] == (
            f"wrote {target}\n")
    named = tmp_path / "named.md"
    assert fs("report", charted_path, "--format", "md", "--out", named, "--no-anonymise")[1] == (
        f"wrote {named} (NOT anonymised)\n")
    assert "Maureen" not in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_cli_review_counts_table_and_json(fs, study):
    fs("autocode", study, "--method", "keyword")
    pending = json.loads(fs("review", study, "--json")[1])
    rows = json.loads(fs("review", study, "--counts", "--json")[1])
    assert [r["min_score"] for r in rows] == [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    for row in rows:
        kept = [p for p in pending if p["score"] >= row["min_score"]]
        assert (row["suggestions"], row["units"]) == (
            len(kept), len({(p["source"], p["start"]) for p in kept}))
    code, out, _ = fs("review", study, "--counts")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["min", "score", "suggestions", "units"]
    assert [line.split() for line in lines[2:]] == [
        [f"{r['min_score']:.1f}", str(r["suggestions"]), str(r["units"])] for r in rows]


def test_cli_autocode_min_score_and_left_out_line(fs, study):
    code, out, _ = fs("autocode", study, "--method", "keyword", "--min-score", "0.55")
    assert (code, out.splitlines()) == (0, [
        "keyword: 0 suggestions for 7 turns (0 already coded by a person)",
        "left out 5 turns: 4 team, 1 fragment (< 5 words)",
        "3 suggestions below --min-score 0.55 not stored"])
    assert json.loads(fs("review", study, "--json")[1]) == []
    code, out, _ = fs("autocode", study, "--method", "keyword", "--min-score", "0.5")
    assert out.splitlines()[0] == "keyword: 3 suggestions for 7 turns (0 already coded by a person)"
