"""YAML (and JSON) files that remember where every value came from.

The file is composed once into libyaml's node tree, which keeps line and column marks, and then
constructed with `safe_load` semantics. pydantic reports a field path (`regions[0].floor`); the
node tree turns that path back into `path:line:col`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from advisory.errors import Location, Problem, display_path

try:  # libyaml's C parser: line marks at a fraction of the pure-Python cost
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose bad dates stay text, so that validation names them instead of crashing."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data, and the node tree to find where a value stands."""

    path: str
    data: Any
    root: yaml.Node | None

    def locate(self, loc: Sequence[str | int]) -> Location:
        """The position of the value at `loc`; for a missing key, the position of its parent."""
        node = self.root
        if node is None:
            return Location(self.path, 1, 1)
        for key in loc:
            child = _child(node, key)
            if child is None:
                break
            node = child
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def locate_key(self, loc: Sequence[str | int]) -> Location:
        """The position of the key itself (for a mapping entry), else of the value."""
        if not loc or self.root is None:
            return self.locate(loc)
        parent = self.root
        for key in loc[:-1]:
            child = _child(parent, key)
            if child is None:
                return self.locate(loc)
            parent = child
        if isinstance(parent, yaml.MappingNode):
            for k, _ in parent.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(loc[-1]):
                    return Location(self.path, k.start_mark.line + 1, k.start_mark.column + 1)
        return self.locate(loc)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return Problem(self.locate(loc), field_name(loc), message)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                return v  # type: ignore[no-any-return]
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None


def field_name(loc: Iterable[str | int]) -> str:
    """`('regions', 0, 'floor')` -> `regions[0].floor`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_yaml(path: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse a YAML or JSON file: the document, or None with the problems that stopped it."""
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(Location(shown), "", "file not found")]
    except UnicodeDecodeError as e:
        return None, [Problem(Location(shown), "", f"not UTF-8 text (byte {e.start})")]
    except OSError as e:
        return None, [Problem(Location(shown), "", f"cannot read: {e.strerror}")]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)
        return None, [Problem(loc, "", f"YAML syntax: {e.problem or e.context}")]
    except yaml.YAMLError as e:
        return None, [Problem(Location(shown), "", f"YAML syntax: {e}")]
    finally:
        loader.dispose()
    if root is None:
        return YamlDocument(shown, None, None), []
    problems = list(_duplicate_keys(shown, root))
    try:
        data = loader.construct_document(root)
    except yaml.YAMLError as e:  # e.g. an unhashable key
        mark = getattr(e, "problem_mark", None) or root.start_mark
        return None, [Problem(Location(shown, mark.line + 1, mark.column + 1), "", str(e))]
    return YamlDocument(shown, data, root), problems


def _duplicate_keys(path: str, root: yaml.Node) -> Iterable[Problem]:
    """Every key given twice in one mapping: the second would silently win in plain YAML."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                if key is not None and key in seen:
                    where = Location(path, k.start_mark.line + 1, k.start_mark.column + 1)
                    yield Problem(
                        where,
                        field_name((*loc, key)),
                        f"duplicate key (first given on line {seen[key]})",
                    )
                elif key is not None:
                    seen[key] = k.start_mark.line + 1
                stack.append((v, (*loc, key) if key is not None else loc))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*loc, i)) for i, v in enumerate(node.value))


def validate_model(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate the document's data against `model`, with every error located in the file."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as err:
        return None, problems_from(err, doc, model)


def describe(e: Any, model: type[BaseModel]) -> tuple[Loc, str]:
    """One pydantic error as (field path, message a person can act on)."""
    loc: Loc = tuple(e["loc"])
    return loc, _message(e, model, loc)


def problems_from(err: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[Location, str, str]] = set()
    for e in err.errors(include_url=False):
        loc, message = describe(e, model)
        where = doc.locate_key(loc) if e["type"] == "extra_forbidden" else doc.locate(loc)
        key = (where, field_name(loc), message)
        if key not in seen:
            seen.add(key)
            out.append(Problem(where, field_name(loc), message))
    return out


def unknown_field(name: str, allowed: Sequence[str]) -> str:
    """`unknown field (did you mean 'threshold'?)`, or the fields allowed when none is close."""
    hint = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.7)
    if hint:
        return f"unknown field (did you mean '{hint[0]}'?)"
    return f"unknown field (allowed: {', '.join(allowed)})" if allowed else "unknown field"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _message(e: Any, model: type[BaseModel], loc: Loc) -> str:
    kind: str = e["type"]
    value = e.get("input")
    ctx = e.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return unknown_field(str(loc[-1]), _allowed_keys(model, loc[:-1]))
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"{_show(value)} is not a whole number"
    if kind in {"float_type", "float_parsing"}:
        return f"{_show(value)} is not a number"
    if kind in {"string_type"}:
        return f"expected text, got {_show(value)}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"{_show(value)} is not true or false"
    if kind in {
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }:
        return f"{_show(value)} is not a date (YYYY-MM-DD)"
    if kind in {"list_type", "tuple_type"}:
        return f"expected a list, got {_show(value)}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping, got {_show(value)}"
    if kind == "literal_error":
        return f"{_show(value)} is not one of {ctx.get('expected', '')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {_show(value)}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}, got {_show(value)}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}, got {_show(value)}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {_show(value)}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else str(e["msg"])
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} does not match the pattern {ctx.get('pattern')}"
    if kind == "value_error":
        return str(ctx.get("error", e["msg"]))
    return str(e["msg"])


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names allowed at `loc` inside `model`, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The model class inside `list[X]`, `tuple[X, ...]`, `dict[str, X]` or `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple, dict, typing.Union, types.UnionType, typing.Annotated):
        for arg in reversed(args) if origin is dict else args:
            inner = _inner_model(arg)
            if inner is not None:
                return inner
    return None
