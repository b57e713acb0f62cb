"""YAML with line numbers: every value remembers the line it came from and its field path.

``load_yaml(text, source)`` composes the document with PyYAML's SafeLoader (``compose``, so the
node marks survive), then turns it into a tree of :class:`Node` whose ``value`` is a plain Python
scalar, a ``dict[str, Node]`` or a ``list[Node]``. Every problem (bad syntax, duplicate or non-string
keys, recursive aliases) is a :class:`~suite.errors.UsageError` whose message starts with
``source:line:``. Merge keys (``<<: *defaults``) are honoured; explicit keys win over merged ones.

Only plain data is read (the rules, for every user-written YAML file: profiles, suite.yaml): the tags
are str, int, float, bool, null, seq and map (any other tag, explicit or not, is an error naming it);
a date is a string (``seed: 2024-02-30`` is "not an integer", never a date); a number is at most
``MAX_NUMBER_CHARS`` characters; nesting is at most ``MAX_DEPTH`` levels; a document is at most
``MAX_NODES`` values after aliases are expanded (alias bombs); control characters are refused with
their line. Error messages never quote more than a bounded excerpt of a value (:func:`brief`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from suite.errors import UsageError

# A small config file never needs more; the cap stops alias bombs ("billion laughs").
MAX_NODES = 100_000
MAX_DEPTH = 64  # nesting levels (PyYAML's composer recurses: 1,000 levels is a RecursionError)
MAX_NUMBER_CHARS = 100  # a number written longer is a mistake (int() of 4,300+ digits is a ValueError)
MAX_KEY_CHARS = 100  # field names appear in error messages: printable and bounded
BRIEF_CHARS = 60  # the longest excerpt of a value an error message quotes

_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG + "merge"
_SCALAR_TAGS = {_TAG + t: t for t in ("str", "int", "float", "bool", "null")}
_NUMBER_TAGS = (_TAG + "int", _TAG + "float")
_DROPPED_RESOLVERS = {_TAG + "timestamp", _TAG + "value", _TAG + "yaml"}


def brief(value: Any, limit: int = BRIEF_CHARS) -> str:
    """``repr(value)``, cut to ``limit`` characters: what an error message may quote of a value."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class PlainLoader(yaml.SafeLoader):
    """SafeLoader reading plain data only: no dates (a date-like scalar is a string), no other tags,
    bounded nesting (see the module docstring)."""

    yaml_implicit_resolvers = {  # noqa: RUF012  # PyYAML's class-level table, a copy without dates
        first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_RESOLVERS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels; flatten it", mark
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass(frozen=True)
class Node:
    """A YAML value with where it came from.

    ``line`` is 1-based: for a mapping entry it is the line of the key (so a nested mapping points at
    ``pattern:`` rather than at its first child), otherwise the line where the value starts; 0 when
    the value did not come from a file (see :func:`from_data`). ``path`` is the dotted field path,
    e.g. ``pattern.stages[1].duration_s``; the root's path is ``""``.
    """

    value: Any
    line: int
    path: str

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def child_path(self, key: str | int) -> str:
        return child_path(self.path, key)


# YAML 1.2 reads 1e3 and 5e-324 as numbers; PyYAML's 1.1 rules read them as strings ("must be a number,
# got '5e-324'" would puzzle anyone): an exponent without a sign or a dot makes a float here too.
PlainLoader.add_implicit_resolver(
    _TAG + "float", re.compile(r"^[-+]?[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def where(source: str, line: int) -> str:
    """``source:line`` (just ``source`` when the line is unknown)."""
    return f"{source}:{line}" if line > 0 else source


def _fail(source: str, line: int, message: str) -> NoReturn:
    raise UsageError(f"{where(source, line)}: {message}")


def _line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


def decode(data: bytes, source: str) -> str:
    """Decode a config file as UTF-8 (a BOM is allowed), naming the line of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        _fail(source, 1, "UTF-16 or UTF-32 text; save the file as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        _fail(source, line, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})")


def load_yaml(text: str, source: str) -> Node | None:
    """Parse one YAML document into a :class:`Node` tree; ``None`` for an empty document."""
    try:
        loader = PlainLoader(text)  # the reader refuses control characters here, before any parsing
    except yaml.reader.ReaderError as exc:
        _fail(source, _line_of_offset(text, exc.position), _reader_problem(exc))
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        return _Converter(loader, source).convert(root, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid syntax"
        if exc.context and exc.problem and exc.problem.startswith("but "):
            problem = f"{exc.context}, {exc.problem}"  # "expected a single document..., but found another"
        elif exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        _fail(source, line, f"invalid YAML: {_one_line(problem)}")
    except yaml.reader.ReaderError as exc:
        _fail(source, _line_of_offset(text, exc.position), _reader_problem(exc))
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a position
        _fail(source, 0, f"invalid YAML: {_one_line(str(exc))}")
    finally:
        loader.dispose()


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    char = exc.character if isinstance(exc.character, int) else 0
    return (
        f"control character U+{char:04X} is not allowed in YAML text; remove it "
        "(tabs, line breaks and printable characters are)"
    )


def _one_line(text: str, limit: int = 200) -> str:
    """PyYAML's problem text on one bounded line (it can quote a tag or an alias name)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 3]}..."


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.count = 0
        self.active: set[int] = set()

    def convert(self, node: yaml.Node, path: str, line: int | None = None) -> Node:
        self.count += 1
        here = line if line is not None else node.start_mark.line + 1
        if self.count > MAX_NODES:
            _fail(
                self.source,
                here,
                f"document too large (more than {MAX_NODES} values after aliases are expanded): write "
                "fewer values, or fewer aliases",
            )
        if id(node) in self.active:
            _fail(self.source, here, f"{path or 'document'}: recursive alias")
        if isinstance(node, yaml.ScalarNode):
            return Node(self._scalar(node, path, here), here, path)
        expected = _TAG + ("seq" if isinstance(node, yaml.SequenceNode) else "map")
        if node.tag != expected:
            self._bad_tag(node, path, here)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                items = [self.convert(child, child_path(path, i)) for i, child in enumerate(node.value)]
                return Node(items, here, path)
            assert isinstance(node, yaml.MappingNode)
            return Node(self._mapping(node, path), here, path)
        finally:
            self.active.discard(id(node))

    def _bad_tag(self, node: yaml.Node, path: str, line: int) -> NoReturn:
        tag = str(node.tag)
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        _fail(
            self.source,
            line,
            f"{path or 'document'}: the tag {_one_line(shown, BRIEF_CHARS)} is not allowed; only plain "
            "data is read (strings, numbers, true/false, null, lists, mappings): remove the tag",
        )

    def _scalar(self, node: yaml.ScalarNode, path: str, line: int) -> Any:
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            self._bad_tag(node, path, line)
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            _fail(
                self.source,
                line,
                f"{path or 'document'}: a number of {len(node.value)} characters; at most "
                f"{MAX_NUMBER_CHARS} are allowed",
            )
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, LookupError, ArithmeticError):  # !!float abc, !!bool maybe, !!float ""
            _fail(
                self.source,
                line,
                f"{path or 'document'}: {brief(node.value)} is not a valid {kind}; fix the value or "
                "remove its tag",
            )

    def _key(self, key_node: yaml.Node, path: str) -> str:
        key_line = key_node.start_mark.line + 1
        key = self._scalar(key_node, path, key_line) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            shown = brief(key) if isinstance(key_node, yaml.ScalarNode) else "a mapping or list"
            _fail(self.source, key_line, f"{path or 'document'}: keys must be strings, got {shown}")
        if len(key) > MAX_KEY_CHARS or not key.isprintable():
            _fail(
                self.source,
                key_line,
                f"{path or 'document'}: the key {brief(key)} is not a field name (at most {MAX_KEY_CHARS} "
                "printable characters): rename it",
            )
        return key

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Node]:
        out: dict[str, Node] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = self._key(key_node, path)
            key_line = key_node.start_mark.line + 1
            if key in out:
                first = out[key].line
                _fail(
                    self.source,
                    key_line,
                    f"{child_path(path, key)}: duplicate key (first given at line {first})",
                )
            out[key] = self.convert(value_node, child_path(path, key), key_line)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    _fail(self.source, src.start_mark.line + 1, f"{path or 'document'}: '<<' needs a mapping")
                for key, value in self.convert(src, path).value.items():
                    out.setdefault(key, value)
        return out


def from_data(data: Any, path: str = "") -> Node:
    """A :class:`Node` tree for plain Python data (JSON from a manifest, say): every line is 0."""
    if isinstance(data, dict):
        return Node({str(k): from_data(v, child_path(path, str(k))) for k, v in data.items()}, 0, path)
    if isinstance(data, list | tuple):
        return Node([from_data(v, child_path(path, i)) for i, v in enumerate(data)], 0, path)
    return Node(data, 0, path)


def to_data(node: Node) -> Any:
    """The plain Python value of a :class:`Node` tree (positions dropped)."""
    if isinstance(node.value, dict):
        return {k: to_data(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [to_data(v) for v in node.value]
    return node.value
