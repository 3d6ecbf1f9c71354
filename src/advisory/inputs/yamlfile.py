"""YAML (and JSON) files that remember where every value came from.

The file is composed once into libyaml's node tree, which keeps line and column marks, and then
constructed with `safe_load` semantics. pydantic reports a field path (`regions[0].floor`); the
node tree turns that path back into `path:line:col`.
"""

from __future__ import annotations

import difflib
import os
import stat
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


#: Limits on every YAML or JSON file a user gives: bigger or deeper files are refused with the
#: place where the limit was passed, before anything is built from them.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
#: Values that aliases may add to a file beyond the values written in it (PyYAML writes an
#: alias for a value that is used twice; an "alias bomb" multiplies a few lines into billions).
ALIAS_ALLOWANCE = 10_000
#: Digits of a whole number (a longer one is no count, date or weight anybody means).
MAX_DIGITS = 30
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def present(path: Path) -> bool:
    """Whether a file is there at all, of whatever kind (a FIFO, a device, a dangling link):
    an optional file that is there is read, and refused if it is not a regular file."""
    return os.path.lexists(path)


def read_bounded(path: Path, shown: str, limit: int) -> tuple[bytes | None, list[Problem]]:
    """A user's file, at most `limit` bytes. Only a regular file (or a link to one) is opened:
    a FIFO, a device or a socket is refused without being read, so that it can neither hang the
    run nor feed it without end."""
    where = Location(shown)
    refused = not_regular(path, shown)
    if refused:
        return None, refused
    info = path.stat()
    if info.st_size > limit:
        return None, [too_large(shown, limit)]
    try:
        # Not blocking: a FIFO swapped in after the check is not waited on.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None, [Problem(where, "", "is not a regular file: not read")]
            data = f.read(limit + 1)
    except OSError as e:
        return None, [Problem(where, "", f"cannot read: {e.strerror}")]
    if len(data) > limit:
        return None, [too_large(shown, limit)]
    return data, []


def not_regular(path: Path, shown: str) -> list[Problem]:
    """Why `path` is not a file to read (missing, a folder, a FIFO, a device, a socket, also
    through a link), as a located problem; nothing for a regular file."""
    where = Location(shown)
    try:
        info = path.stat()
    except FileNotFoundError:
        return [Problem(where, "", "file not found")]
    except OSError as e:
        return [Problem(where, "", f"cannot read: {e.strerror}")]
    if stat.S_ISDIR(info.st_mode):
        return [Problem(where, "", "is a folder, not a file")]
    if not stat.S_ISREG(info.st_mode):
        return [Problem(where, "", f"is {_kind(info.st_mode)}, not a regular file: not read")]
    return []


def too_large(shown: str, limit: int) -> Problem:
    return Problem(Location(shown), "", f"file is larger than the limit of {limit // 2**20} MB")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_text(path: Path, shown: str, limit: int) -> tuple[str | None, list[Problem]]:
    """A user's text file (`read_bounded`): UTF-8 with or without a byte-order mark, or UTF-16
    or UTF-32 with one; at most `limit` bytes."""
    data, problems = read_bounded(path, shown, limit)
    if data is None:
        return None, problems
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1 if encoding == "utf-8" else None
        shown_encoding = "UTF-8" if encoding == "utf-8" else encoding.upper()
        return None, [
            Problem(
                Location(shown, line),
                "",
                f"not {shown_encoding} text (byte {e.start + 1}): save the file as UTF-8",
            )
        ]


def load_yaml(path: Path, *, construct: bool = True) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse a YAML or JSON file: the document, or None with the problems that stopped it.
    Without `construct`, the document holds the node tree only (its `data` is None).

    Refused with the place where a limit was passed: files over `MAX_FILE_BYTES`, values nested
    deeper than `MAX_DEPTH`, whole numbers of more than `MAX_DIGITS` digits, and aliases that
    refer to themselves or expand the file (see `_compose`).
    """
    shown = display_path(path)
    text, problems = read_text(path, shown, MAX_FILE_BYTES)
    if text is None:
        return None, problems
    loader = _Loader(text)
    try:
        root = _compose(loader, shown)
    except _Refused as e:
        return None, [e.problem]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)
        return None, [Problem(loc, "", f"YAML syntax: {e.problem or e.context}")]
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, e.g. NUL
        line = text[: e.position].count("\n") + 1
        column = e.position - text.rfind("\n", 0, e.position)
        message = (
            f"YAML syntax: character U+{e.character:04X} is not allowed"
            if isinstance(e.character, int)
            else f"YAML syntax: {e.reason}"
        )
        return None, [Problem(Location(shown, line, column), "", message)]
    except yaml.YAMLError as e:
        return None, [Problem(Location(shown), "", f"YAML syntax: {e}")]
    finally:
        loader.dispose()
    if root is None:
        return YamlDocument(shown, None, None), []
    problems = list(_duplicate_keys(shown, root))
    if not construct:
        return YamlDocument(shown, None, root), problems
    try:
        data = loader.construct_document(root)
    except yaml.YAMLError as e:  # e.g. an unhashable key, an unknown tag
        mark = getattr(e, "problem_mark", None) or root.start_mark
        where = Location(shown, mark.line + 1, mark.column + 1)
        return None, [Problem(where, "", str(getattr(e, "problem", None) or e))]
    return YamlDocument(shown, data, root), problems


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _refuse(shown: str, mark: Any, message: str) -> _Refused:
    return _Refused(Problem(Location(shown, mark.line + 1, mark.column + 1), "", message))


_INT_TAG = "tag:yaml.org,2002:int"


def _compose(loader: Any, shown: str) -> yaml.Node | None:
    """The document's node tree, built from the parser's events without recursion, so that
    nesting, aliases and numbers are checked before they can cost anything.

    An alias shares its anchor's node, as PyYAML does; what aliases add to the document, counted
    as if written out, may not exceed the values written plus `ALIAS_ALLOWANCE`, and an alias
    inside its own anchor's value is refused.
    """
    get = loader.get_event
    get()  # stream start
    if isinstance(loader.peek_event(), yaml.StreamEndEvent):
        return None
    get()  # document start
    root: yaml.Node | None = None
    # The collections being built, with the key awaiting its value (mappings), the values they
    # hold counted as written out, their height, and their anchor.
    open_nodes: list[yaml.Node] = []
    keys: list[yaml.Node | None] = []
    sizes: list[int] = []
    heights: list[int] = []
    names: list[str | None] = []
    anchors: dict[str, tuple[yaml.Node, int, int]] = {}  # name -> (node, size, height)
    written = added = 0
    while True:
        event: Any = get()
        if isinstance(event, yaml.DocumentEndEvent):
            break
        node: yaml.Node
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in names:
                raise _refuse(
                    shown,
                    event.start_mark,
                    f"alias *{event.anchor} is inside the value of its own anchor &{event.anchor}",
                )
            if event.anchor not in anchors:
                raise _refuse(
                    shown,
                    event.start_mark,
                    f"alias *{event.anchor} names no anchor given before it",
                )
            node, size, height = anchors[event.anchor]
            added += size
            if added > written + ALIAS_ALLOWANCE:
                raise _refuse(
                    shown,
                    event.start_mark,
                    f"aliases expand the file past "
                    f"{written + ALIAS_ALLOWANCE:,} values: write the values out",
                )
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag == _INT_TAG and len(event.value) > MAX_DIGITS:
                raise _refuse(
                    shown,
                    event.start_mark,
                    f"a number of {len(event.value)} digits (at most {MAX_DIGITS})",
                )
            marks: Any = (event.start_mark, event.end_mark)
            node = yaml.ScalarNode(tag, event.value, marks[0], marks[1], event.style)
            size, height = 1, 1
            written += 1
            if event.anchor is not None:
                anchors[event.anchor] = (node, size, height)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(open_nodes) >= MAX_DEPTH:
                raise _refuse(shown, event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
            node_class: Any = (
                yaml.SequenceNode
                if isinstance(event, yaml.SequenceStartEvent)
                else yaml.MappingNode
            )
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(node_class, None, event.implicit)
            open_nodes.append(node_class(tag, [], event.start_mark, None, event.flow_style))
            keys.append(None)
            sizes.append(1)
            heights.append(1)
            names.append(event.anchor)
            written += 1
            continue
        else:  # the end of a sequence or a mapping
            node = open_nodes.pop()
            keys.pop()
            size, height, name = sizes.pop(), heights.pop(), names.pop()
            node.end_mark = event.end_mark
            if name is not None:
                anchors[name] = (node, size, height)
        if len(open_nodes) + height > MAX_DEPTH:
            raise _refuse(shown, event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        if not open_nodes:
            root = node
            continue
        sizes[-1] += size
        heights[-1] = max(heights[-1], height + 1)
        parent = open_nodes[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            parent.value.append((keys[-1], node))
            keys[-1] = None
    following: Any = get()
    if not isinstance(following, yaml.StreamEndEvent):
        raise _refuse(shown, following.start_mark, "expected one document, found another")
    return root


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
