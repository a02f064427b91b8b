"""What the public SPARQL endpoint refuses before a query runs.

The endpoint is read-only and never talks to other servers. Oxigraph, the engine, would
follow a `SERVICE <http://...>` clause out to the network, so every query is checked twice
before it reaches the engine:

1. a lexical scan that skips comments, strings and IRIs and refuses any word or prefixed name
   that starts with SERVICE (Oxigraph reads `SERVICEx:y` as `SERVICE x:y`), whatever a parser
   would make of the rest;
2. rdflib's SPARQL 1.1 parser: a query that does not parse is refused with the parser's
   message (an update, LOAD included, with its own message), the parse tree is searched for
   SERVICE patterns, and the dataset (FROM, FROM NAMED and the protocol's default-graph-uri /
   named-graph-uri) may name only the graph this endpoint holds.

Updates cannot run in any case: the worker only ever calls the engine's query method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..settings import GRAPH_IRI

_TOKENS = re.compile(r'''
      (?P<comment>\#[^\n\r]*)
    | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""
                | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                | "(?:[^"\\\n\r]|\\.)*"
                | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w.:%-]|\\.)*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>\\.|\S)
''', re.VERBOSE | re.DOTALL)

FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}


class Refused(Exception):
    """The query is not run: status, code and message say why."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Plan:
    """A query that may run: its form, the graphs the protocol asked for (None: as the query says),
    and whether the query names its own dataset (FROM, FROM NAMED)."""

    form: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    dataset: bool = False


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_line(query: str) -> int | None:
    """The line of the first word or prefixed name that starts with SERVICE, outside comments,
    strings and IRIs; None if there is none.

    The text is scanned as Oxigraph reads it and, to be safe, also with its \\u escapes expanded
    first (as rdflib reads it): a word found by either reading counts. Oxigraph matches keywords
    without a word boundary (`SERVICEx:y` is `SERVICE x:y` to it), hence "starts with".
    """
    expanded = _CODEPOINT.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), query)
    for text in dict.fromkeys((query, expanded)):
        for match in _TOKENS.finditer(text):
            if match.lastgroup in ("word", "pname") and match.group().upper().startswith("SERVICE"):
                return text.count("\n", 0, match.start()) + 1
    return None


def _walk(node):
    """Every parse-tree node below `node` (rdflib's CompValue, ParseResults, lists)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


@lru_cache(maxsize=256)
def _parse(query: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return parseQuery(query)
    except ParseException as error:
        try:
            parseUpdate(query)
        except Exception:
            raise Refused(400, "malformed-query", f"the query does not parse: {error}") from None
        raise Refused(403, "read-only", "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, "
                                        "CLEAR, DROP, ...) is refused") from None
    except RecursionError:
        raise Refused(400, "malformed-query", "the query is nested too deeply to parse") from None


def check(query: str, default_graphs=(), named_graphs=(), allowed_graphs=(GRAPH_IRI,)) -> Plan:
    """The plan for `query`, or Refused: anything the parser or the checks raise is a refusal (400),
    so a query that is not understood is never run (`FROM x:y` with an undeclared prefix, a string
    escape past U+10FFFF)."""
    try:
        return _check(query, default_graphs, named_graphs, allowed_graphs)
    except Refused:
        raise
    except RecursionError:
        raise Refused(400, "malformed-query", "the query is nested too deeply to parse") from None
    except Exception as error:
        raise Refused(400, "malformed-query", f"the query does not parse: {str(error)[:500]}") from None


def _check(query: str, default_graphs, named_graphs, allowed_graphs) -> Plan:
    line = service_line(query)
    if line is not None:
        raise Refused(403, "service-not-allowed",
                      f"SERVICE (federated query, line {line}) is not allowed: this endpoint never "
                      "contacts other servers (a prefix may not start with 'service' either)")
    tree = _parse(query)
    if any(type(node).__name__ == "CompValue" and node.name == "ServiceGraphPattern" for node in _walk(tree)):
        raise Refused(403, "service-not-allowed",
                      "SERVICE (federated query) is not allowed: this endpoint never contacts other servers")
    from rdflib.plugins.sparql.algebra import translatePrologue

    prologue = translatePrologue(tree[0], None)
    # rdflib's CompValue.get returns the key itself for a missing key: read it as a plain dict
    clauses = dict.get(tree[1], "datasetClause") or []
    for clause in clauses:
        named = dict.get(clause, "named")
        target = named if named is not None else dict.get(clause, "default")
        iri = str(prologue.absolutize(target))
        _allowed(iri, "FROM NAMED" if named is not None else "FROM", allowed_graphs)
    for iri in list(default_graphs) + list(named_graphs):
        _allowed(iri, "default-graph-uri" if iri in default_graphs else "named-graph-uri", allowed_graphs)
    return Plan(FORMS.get(tree[1].name, "select"),
                tuple(default_graphs) or None, tuple(named_graphs) or None, bool(clauses))


def _allowed(iri: str, where: str, allowed_graphs) -> None:
    if iri not in allowed_graphs:
        raise Refused(403, "graph-not-allowed",
                      f"{where} <{iri}>: this endpoint holds one graph, <{GRAPH_IRI}> (also its default graph), "
                      "and never fetches others")
