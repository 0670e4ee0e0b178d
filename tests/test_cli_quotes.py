"""`framesynth quote pick|edit|move|list`: the analyst's quotes as the report prints them."""

from __future__ import annotations

import json


def test_cli_quote_edit_move_and_list(fs, charted_path):
    assert fs("quote", "pick", charted_path, "2", "--theme", "Access")[1] == (
        "picked coding 2 for Access\n")
    assert fs("quote", "pick", charted_path, "4", "--theme", "Access")[0] == 0
    assert fs("quote", "edit", charted_path, "4", "--theme", "Access", "--text",
              "[The council's view:] the threshold is [...] problem")[1] == (
        "coding 4 prints as \u201c[The council's view:] the threshold is […] problem\u201d\n")
    assert fs("quote", "move", charted_path, "4", "--theme", "Access", "--to", "1")[1] == (
        "coding 4 is quote 1 for Access\n")
    code, out, _ = fs("quote", "list", charted_path, "--theme", "Access")
    assert (code, out) == (0, (
        "\u201c[The council's view:] the threshold is […] problem\u201d\n"
        "    – Project worker on statutory sector partner (focus group) "
        "[coding 4: focus_group.txt 213-241, picked, edited]\n"
        "\u201cReferrals bounce back without a reason.\u201d\n"
        "    – Project worker on community sector partner (focus group) "
        "[coding 2: focus_group.txt 291-329, picked]\n"))
    listed = json.loads(fs("quote", "list", charted_path, "--theme", "Access", "--json")[1])
    assert [(q["coding_id"], q["edited"], q["text"], q["coded"]) for q in listed] == [
        (4, True, "[The council's view:] the threshold is […] problem",
         "the threshold is the problem"),
        (2, False, "Referrals bounce back without a reason.",
         "Referrals bounce back without a reason")]
    assert fs("quote", "edit", charted_path, "4", "--theme", "Access", "--clear")[1] == (
        "coding 4 prints as coded\n")
    assert json.loads(fs("quote", "list", charted_path, "--theme", "Access", "--json")[1])[0][
        "text"] == "From the council side, the threshold is the problem."


def test_cli_quote_edit_refuses_words_not_said_and_changes_nothing(fs, charted_path):
    fs("quote", "pick", charted_path, "4", "--theme", "Access")
    code, out, err = fs("quote", "edit", charted_path, "4", "--theme", "Access", "--text",
                        "the threshold is the whole problem")
    assert (code, out, err) == (1, "", "error: \u201cthe threshold is the whole problem\u201d is "
                                       "not in the coded text; only […] cuts and [bracketed] "
                                       "insertions may differ [FS003]\n")
    assert fs("quote", "edit", charted_path, "4", "--theme", "Access")[0] != 0
    listed = json.loads(fs("quote", "list", charted_path, "--theme", "Access", "--json")[1])
    assert [(q["coding_id"], q["edited"]) for q in listed] == [(4, False)]
