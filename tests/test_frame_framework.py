"""The framework: YAML in and out, the code tree, finding codes, bad files."""

from __future__ import annotations

import pytest

from framesynth.errors import CorruptFile, InvalidArgument, NotFound, UnsupportedFormat
from framesynth.frame.framework import (
    CodeSpec,
    FrameworkError,
    add_code,
    code_path,
    find_code,
    framework_codes,
    to_specs,
)
from framesynth.io.codebook import export_codebook, import_codebook
from framesynth.io.codebook_yaml import read_yaml
from framesynth.project import Project


def test_framework_yaml_builds_the_tree_in_order(coded):
    assert [(code_path(c), c.codable) for c in framework_codes(coded)] == [
        ("Access", False),
        ("Access/Waiting lists", True),
        ("Access/Referral routes", True),
        ("Partnership", False),
        ("Partnership/Meeting rhythms", True),
    ]
    waiting = find_code(coded, "Access/Waiting lists")
    assert (waiting.definition, waiting.inclusion, waiting.exclusion, waiting.examples,
            waiting.keywords) == (
        "Waiting for a service after referral.", ["length of waits for counselling"],
        ["delays caused by thresholds"], ["Fourteen weeks for counselling."],
        ["waiting list*", "weeks"])


def test_framework_find_code_by_path_or_unique_name(coded):
    assert code_path(find_code(coded, "Meeting rhythms")) == "Partnership/Meeting rhythms"
    with pytest.raises(NotFound, match="no code 'Access/Nothing'"):
        find_code(coded, "Access/Nothing")


def test_framework_ambiguous_names_must_be_paths(coded):
    add_code(coded, CodeSpec(name="Waiting lists"), parent=find_code(coded, "Partnership"))
    with pytest.raises(InvalidArgument, match="ambiguous: Access/Waiting lists, "
                                              "Partnership/Waiting lists"):
        find_code(coded, "Waiting lists")


def test_framework_sibling_names_are_unique(coded):
    with pytest.raises(FrameworkError, match="a code 'waiting lists' already exists under Access"):
        add_code(coded, CodeSpec(name="waiting lists"), parent=find_code(coded, "Access"))


def test_framework_yaml_round_trip(coded, tmp_path):
    path = tmp_path / "out.yaml"
    export_codebook(coded, path)
    _title, specs = read_yaml(path)
    assert specs == to_specs(coded)


def test_framework_import_refuses_a_framework_that_has_codes(coded, framework_file):
    with pytest.raises(FrameworkError, match="framework 'main' already has codes"):
        import_codebook(coded, framework_file, actor="ruth")
    import_codebook(coded, framework_file, framework="draft:tom", actor="tom")
    assert len(framework_codes(coded, "draft:tom")) == 5


@pytest.mark.parametrize(("content", "message"), [
    ("codes: [\n  - name: A\n  - name: [unclosed\n", r"^bad.yaml, line \d+: not valid YAML"),
    ("just: text\n", r"^bad.yaml: expected a mapping with a 'codes' list"),
    ("codes:\n  - definition: no name\n", r"^bad.yaml, codes\[0\]: each code needs a 'name'"),
    ("codes:\n  - name: A\n    colour_of_sky: blue\n",
     r"^bad.yaml, codes\[0\]: unknown field 'colour_of_sky' in code 'A'"),
    ("codes:\n  - name: A\n    children:\n      - name: B\n        include: 3\n",
     r"^bad.yaml, codes\[0\].children\[0\]: 'include' of 'B' must be a list of texts"),
])
def test_framework_bad_yaml_changes_nothing(project_path, tmp_path, snapshot, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    before = snapshot(project_path)
    with pytest.raises(CorruptFile, match=message):
        with Project.open(project_path) as project, project.session() as session:
            import_codebook(session, path, actor="ruth")
    assert snapshot(project_path) == before


def test_framework_file_suffix_must_be_known(session, tmp_path):
    path = tmp_path / "codes.txt"
    path.write_text("codes: []", encoding="utf-8")
    with pytest.raises(UnsupportedFormat, match="must be .yaml, .yml or .qdc"):
        import_codebook(session, path, actor="ruth")


def test_framework_names_cannot_contain_slashes(session):
    with pytest.raises(InvalidArgument, match="without '/'"):
        add_code(session, CodeSpec(name="a/b"))


def test_framework_demo_framework_loads(demo_session):
    codes = framework_codes(demo_session)
    assert len([c for c in codes if c.parent_id is None]) == 6
    assert all(c.definition and (c.keywords or not c.codable) for c in codes)
