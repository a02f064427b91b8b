"""Reading curated YAML with the line of every key and item, for error messages.

PyYAML does the parsing; this module only keeps the marks it already computes and
narrows YAML 1.1's implicit typing, which would read `NO` (Norway) or `off` as booleans
and `2020-11-04` as a date object. Here booleans are only `true`/`false`, dates stay
strings (the loader parses them itself) and a key given twice is an error.

Curated data is plain: this reader refuses what it never needs and what could make a small file
cost a lot to read, each with the file's line: anchors and aliases (a 1 KB file of nested
aliases, "billion laughs", stands for billions of values), tags (`!!python/object`, `!!binary`,
...; only `!!str` is kept), keys that are not text, and nesting deeper than MAX_DEPTH. Nodes are
composed here, in Python, from libyaml's events, so an alias is refused before anything is
built from it; a value that cannot be constructed (`0x_`, a 5000-digit number) is an error at
its line too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass
class YamlProblem:
    line: int
    column: int
    message: str
    hint: str = ""


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that curated data does not use, refused where it is written (with a fix)."""

    def __init__(self, problem: str, mark, hint: str):
        super().__init__(None, None, problem, mark)
        self.hint = hint


MAX_DEPTH = 64  # records nest about 8 deep (file, kind, record, roles, role, entry, source)
_CORE = "tag:yaml.org,2002:"
_STR = _CORE + "str"
_ALIASES_HINT = "write the value out in full where it is needed: curated data does not use anchors (&) or aliases (*)"

# libyaml's parser when PyYAML was built with it (several times faster); same marks, same errors
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]  # the base is chosen at import time
    """libyaml's parser, this module's composer (below) and PyYAML's safe constructor."""

    def get_single_node(self):
        self.get_event()  # stream start
        document = None
        if not self.check_event(yaml.StreamEndEvent):
            self.get_event()  # document start
            document = self._compose(0)
            self.get_event()  # document end
        if not self.check_event(yaml.StreamEndEvent):
            raise Refused("a second YAML document starts here ('---')", self.get_event().start_mark,
                          "keep one document per file: remove the '---' line")
        self.get_event()
        return document

    def _compose(self, depth: int) -> yaml.Node:
        event = self.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise Refused(f"an alias (*{_short(event.anchor)}) repeats a value given elsewhere", event.start_mark,
                          _ALIASES_HINT)
        if event.anchor is not None:
            raise Refused(f"an anchor (&{_short(event.anchor)}) names this value for reuse", event.start_mark,
                          _ALIASES_HINT)
        if depth > MAX_DEPTH:
            raise Refused(f"the data nests more than {MAX_DEPTH} levels deep here", event.start_mark,
                          "records nest a few levels deep: check the brackets and the indentation")
        tag = event.tag
        if tag not in (None, "!") and not (tag == _STR and isinstance(event, yaml.ScalarEvent)):
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            raise Refused(f"a tag ({_short(shown)}) asks for a special kind of value", event.start_mark,
                          "remove the tag (the part starting with '!'): curated data is plain text, numbers, "
                          "lists and fields; quote a value to keep it text")
        if isinstance(event, yaml.ScalarEvent):
            if tag in (None, "!"):
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
            return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,  # type: ignore[arg-type]
                                   style=event.style)
        node: yaml.CollectionNode
        if isinstance(event, yaml.SequenceStartEvent):
            node = yaml.SequenceNode(self.resolve(yaml.SequenceNode, None, event.implicit), [],
                                     event.start_mark, None, flow_style=event.flow_style)  # type: ignore[arg-type]
            while not self.check_event(yaml.SequenceEndEvent):
                node.value.append(self._compose(depth + 1))
        else:
            node = yaml.MappingNode(self.resolve(yaml.MappingNode, None, event.implicit), [],
                                    event.start_mark, None, flow_style=event.flow_style)
            while not self.check_event(yaml.MappingEndEvent):
                key = self._compose(depth + 1)
                node.value.append((key, self._compose(depth + 1)))
        node.end_mark = self.get_event().end_mark
        return node

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.MarkedYAMLError, RecursionError, MemoryError):
            raise
        except Exception as exc:  # e.g. `0x_` or a 5000-digit number: int() refuses them
            raise Refused(f"this value cannot be read: {_short(str(exc))}", node.start_mark,
                          "quote the value to keep it as text") from None


# Keep only the implicit resolvers a curator would expect: null, true/false, int, float.
_Loader.yaml_implicit_resolvers = {}
for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
    kept = [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    if kept:
        _Loader.yaml_implicit_resolvers[first] = kept
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: a key that is a list or a mapping
            raise Refused("a key must be a name, not a list or a mapping", key_node.start_mark,
                          "write `name: value`; a key is a word such as `id` or `lead`")
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise Refused(f"the key '{_short(key_node.value)}' is read as {_kind(key)}, not as a name",
                          key_node.start_mark, f"quote the key (\"{_short(key_node.value)}\": ...) or use a field name")
        if key in result.key_lines:
            raise DuplicateKey(
                None,
                None,
                f"the key '{key}' is given twice in this mapping (first on line {result.key_lines[key]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _short(text, limit: int = 60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "..."


def _kind(value) -> str:
    if value is None:
        return "null (nothing)"
    return {bool: "true/false", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def read_yaml(path: Path, data: bytes | None = None) -> tuple[object, YamlProblem | None]:
    """Parse one YAML file: `data`, its bytes, when the caller has read them (and hashed them for
    the data version), else the file. Returns (document, None) or (None, problem)."""
    data = path.read_bytes() if data is None else data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, YamlProblem(data.count(b"\n", 0, exc.start) + 1, 1,
                                 f"the file is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                                 "save the file as UTF-8")
    try:
        return yaml.load(text, Loader=_Loader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        parts = [p for p in (exc.context, exc.problem) if p]
        message = "YAML syntax error: " + "; ".join(parts)
        hint = getattr(exc, "hint", "") or _syntax_hint(exc)
        opened = None if isinstance(exc, (Refused, DuplicateKey)) else _unclosed_quote(text, exc)
        if opened is not None and opened != (line, column):
            message = (f"YAML syntax error: the quoted value that starts here is not closed where it should be: it "
                       f"runs on to the next quote mark (the parser noticed only at line {line}, column {column}: "
                       f"{'; '.join(parts)})")
            line, column = opened
            hint = "end the value with the quote mark it starts with, on the same line"
        return None, YamlProblem(line, column, message, hint)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        before = text.encode("utf-8")[:exc.position].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return None, YamlProblem(line, column, f"YAML syntax error: {exc.reason}",
                                 "remove the character: save the file as plain UTF-8 text")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:  # errors without a position
        return None, YamlProblem(1, 1, f"YAML syntax error: {_short(exc, 200)}")


_KEY_LINE = re.compile(r"\n[ \t]*(?:- +)?[A-Za-z_][\w-]*:(?:[ \t]|$)", re.M)
_FLOW_KEY = re.compile(r"[,{][ \t]*[A-Za-z_][\w-]*:[ \t]")


def _unclosed_quote(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int] | None:
    """(line, column) of the quote that caused a syntax error, if one did, else None.

    A quoted value may run over several lines, so a quote left open swallows the lines after it,
    up to the next quote mark, and the parser stops only there (or at the end of the file):
    far from the cause. The cause is the last quoted value before the error that reads like
    YAML structure: one that runs over a line holding `key:`, or, on the error's own line, one
    holding `, key: ` (a flow mapping `{a: "1, b: "2"}`)."""
    if (exc.context or "").startswith("while scanning a quoted scalar") and exc.context_mark:
        return exc.context_mark.line + 1, exc.context_mark.column + 1
    error = exc.problem_mark or exc.context_mark
    if error is None:
        return None
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def offset(mark) -> int:
        return starts[min(mark.line, len(starts) - 1)] + mark.column

    found = None
    try:
        for token in yaml.scan(text, Loader=_Base):
            if (token.start_mark.line, token.start_mark.column) >= (error.line, error.column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                raw = text[offset(token.start_mark):offset(token.end_mark)]
                if (token.end_mark.line > token.start_mark.line and _KEY_LINE.search(raw)) or \
                        (token.start_mark.line == error.line and _FLOW_KEY.search(raw)):
                    found = (token.start_mark.line + 1, token.start_mark.column + 1)
    except yaml.YAMLError:
        pass
    return found


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, DuplicateKey):
        return "remove or rename one of the two keys"
    problem = exc.problem or ""
    if "expected <block end>" in problem or "expected <block end>" in (exc.context or ""):
        return "check the indentation of this line against the lines above it"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. quote: \"...\""
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each field is written `key: value`; check for a missing colon or an unclosed quote"
    if "found unexpected end of stream" in problem or "unclosed" in problem:
        return "a quote or bracket opened above is never closed"
    return "fix the YAML syntax at this position"
