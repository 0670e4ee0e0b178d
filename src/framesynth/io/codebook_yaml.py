"""The framework as YAML (docs/framework-yaml.md), read and written."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

from framesynth.errors import CorruptFile
from framesynth.frame.colours import normalise_colour
from framesynth.frame.framework import CodeSpec

FIELDS = {"name", "colour", "color", "definition", "include", "exclude", "examples",
          "keywords", "codable", "guid", "children"}


def yaml_error(error: yaml.YAMLError, path: str | Path | None) -> CorruptFile:
    """One line for a YAML file that does not parse: the file, the line, the problem."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark is not None else None
    problem = getattr(error, "problem", None) or "malformed YAML"
    return CorruptFile(f"not valid YAML ({problem})", path=path, where=where)


def read_yaml(path: str | Path) -> tuple[str | None, list[CodeSpec]]:
    """``(framework title, code trees)`` from a framework YAML file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise yaml_error(error, path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptFile(f"cannot read the file ({error})", path=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CorruptFile("expected a mapping with a 'codes' list", path=path)
    title = data.get("framework")
    return (str(title) if title else None,
            [_spec(item, path, f"codes[{n}]") for n, item in enumerate(data["codes"])])


def _spec(item: Any, path: str | Path, where: str) -> CodeSpec:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise CorruptFile("each code needs a 'name'", path=path, where=where)
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise CorruptFile(f"unknown field {unknown[0]!r} in code {item['name']!r}", path=path,
                          where=where)
    lists = {}
    for key in ("include", "exclude", "examples", "keywords"):
        value = item.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CorruptFile(f"{key!r} of {item['name']!r} must be a list of texts", path=path,
                              where=where)
        lists[key] = value
    children = item.get("children") or []
    if not isinstance(children, list):
        raise CorruptFile(f"'children' of {item['name']!r} must be a list", path=path, where=where)
    colour = item.get("colour") or item.get("color")
    if colour is not None and (not isinstance(colour, str) or not normalise_colour(colour)):
        raise CorruptFile(f"colour {colour!r} of {item['name']!r} is not '#rrggbb' or '#rgb'",
                          path=path, where=where)
    return CodeSpec(
        name=item["name"], colour=colour,
        definition=str(item.get("definition") or ""), inclusion=lists["include"],
        exclusion=lists["exclude"], examples=lists["examples"], keywords=lists["keywords"],
        codable=bool(item.get("codable", True)), guid=item.get("guid"),
        children=[_spec(child, path, f"{where}.children[{n}]")
                  for n, child in enumerate(children)],
    )


def write_yaml(specs: list[CodeSpec], target: str | Path | IO[str], *,
               title: str | None = None) -> None:
    """Write the code trees as framework YAML to a path or a text file object."""
    data: dict[str, Any] = {"framework": title} if title else {}
    data["codes"] = [_as_dict(spec) for spec in specs]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if isinstance(target, (str, Path)):
        Path(target).write_text(text, encoding="utf-8")
    else:
        target.write(text)


def _as_dict(spec: CodeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"name": spec.name}
    if spec.colour:
        data["colour"] = spec.colour
    if not spec.codable:
        data["codable"] = False
    if spec.definition:
        data["definition"] = spec.definition
    for key, value in (("include", spec.inclusion), ("exclude", spec.exclusion),
                       ("examples", spec.examples), ("keywords", spec.keywords)):
        if value:
            data[key] = list(value)
    if spec.guid:
        data["guid"] = spec.guid
    if spec.children:
        data["children"] = [_as_dict(child) for child in spec.children]
    return data
