"""Code colours are only ever #rrggbb: refused when typed, dropped with a note from files."""

from __future__ import annotations

import pytest

from framesynth.errors import CorruptFile, InvalidArgument
from framesynth.frame.colours import check_colour, safe_colour
from framesynth.frame.framework import CodeSpec, add_code, framework_codes
from framesynth.frame.refine import update_code
from framesynth.io.codebook import import_codebook

ODD = "red;background:url(x)"
QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="another tool">
  <Codes>
    <Code guid="a1b2c3d4-0000-4000-8000-000000000001" name="Access" color="#ABC">
      <Code guid="a1b2c3d4-0000-4000-8000-000000000002" name="Waiting lists" color="red;background:url(x)"/>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000003" name="Referral routes"
            isCodable="true" color="#2F855A"/>
    </Code>
  </Codes>
</CodeBook>
"""


@pytest.mark.parametrize(("given", "stored"), [
    ("#ABC", "#aabbcc"), ("#2F855A", "#2f855a"), (" #2f855a ", "#2f855a"), ("", None),
    (None, None)])
def test_colours_valid_ones_are_normalised(given, stored):
    assert check_colour(given) == stored


@pytest.mark.parametrize("given", [ODD, "red", "#12345", "#1234567", "#ggg", "#abc;x",
                                   "rgb(0,0,0)", "#2f855aff"])
def test_colours_anything_else_is_refused(given):
    with pytest.raises(InvalidArgument) as raised:
        check_colour(given)
    assert str(raised.value) == f"colour {given!r} is not #rrggbb or #rgb [FS003]"
    assert safe_colour(given) == "#718096"


def test_colours_typed_into_the_framework_are_checked(session):
    with pytest.raises(InvalidArgument):
        add_code(session, CodeSpec(name="Trust", colour=ODD))
    code = add_code(session, CodeSpec(name="Trust", colour="#F00"))
    assert code.colour == "#ff0000"
    with pytest.raises(InvalidArgument):
        update_code(session, code, actor="ruth", colour=ODD)
    assert update_code(session, code, actor="ruth", colour="#00FF00").colour == "#00ff00"


def test_colours_odd_ones_in_a_qdc_are_dropped_with_a_note(session, tmp_path):
    path = tmp_path / "other.qdc"
    path.write_text(QDC, encoding="utf-8")
    notes: list[str] = []
    import_codebook(session, path, actor="ruth", notes=notes)
    assert [(c.name, c.colour) for c in framework_codes(session)] == [
        ("Access", "#aabbcc"), ("Waiting lists", None), ("Referral routes", "#2f855a")]
    assert notes == [f"code 'Waiting lists' (line 5): colour {ODD!r} is not #rrggbb; "
                     "the default is used"]


def test_colours_odd_ones_in_framework_yaml_are_refused(session, tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text(f"codes:\n  - name: Access\n    colour: '{ODD}'\n", encoding="utf-8")
    with pytest.raises(CorruptFile) as raised:
        import_codebook(session, path, actor="ruth")
    assert str(raised.value) == (f"framework.yaml, codes[0]: colour {ODD!r} of 'Access' is "
                                 "not '#rrggbb' or '#rgb' [FS102]")
    assert framework_codes(session) == []
