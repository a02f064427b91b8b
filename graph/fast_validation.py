"""The `shacl` engine (Rust, PyPI `shacl`) for the shapes it has been proven on, pySHACL for the
rest, merged into the set of results pySHACL alone gives.

What it takes to be the same set (tests/test_shacl_engines.py checks each on a graph that breaks
every shape in ontology/shapes.ttl, and on the curated data):

- Only shapes built from the SHACL features in SUPPORTED (the ones the equivalence test covers)
  go to the engine. A targeted shape that reaches anything else (another constraint component,
  a path that is not one IRI, a second sh:message, ...) is validated by pySHACL alone, and the
  two sets are merged.
- A shape whose results are reported as they are (a targeted shape and its sh:property shapes)
  must carry one sh:message: pySHACL makes up a message of its own where there is none, and
  the engine does not make up the same one.
- pySHACL also reports why a value failed an sh:node shape, nested under sh:detail: the place
  or concept that is not in its scheme, the date that is not a date; those results point at
  the place's own record in data/, not only at the measure that names it. The engine reports
  the sh:node failure alone, so for each value that failed an sh:node shape pySHACL validates
  that value against that shape, which is exactly what it nests (nothing to do on valid data).
- A result about a blank node cannot be compared (each engine labels blank nodes its own way)
  nor traced to a record: when the engine reports one, pySHACL does the whole graph instead.
"""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, cast

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS, SH, XSD
from rdflib.util import from_n3

from .validation import TARGETS, Result, pyshacl_results, read_graph, run_pyshacl, targeted_shapes

# What the engine is trusted with: the SHACL terms a shape may use to be validated by it.
CONSTRAINTS = {SH.minCount, SH.maxCount, SH.datatype, SH.minLength, SH["class"], SH.hasValue, SH.pattern,
               SH.node, SH["or"], SH.xone}
STRUCTURE = {SH.path, SH.property, SH.message, SH.severity}
SUPPORTED = CONSTRAINTS | STRUCTURE | {SH.targetClass, SH.targetSubjectsOf, SH.target}
# sh:target is trusted with a SPARQL target that names its query in full IRIs (no sh:prefixes)
SPARQL_TARGET = {SH.select}
SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}
SKOLEM = "urn:x-rkg:shape:"  # blank property shapes get an IRI in the engine's copy: its results name them


def available() -> bool:
    try:
        import shacl  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Plan:
    """How one shapes graph is validated: the engine's compiled copy (without the targets of the
    shapes left to pySHACL; None when pySHACL does it all) and the shapes left to pySHACL, with why."""

    compiled: Any
    slow: dict[URIRef, str] = field(default_factory=dict)


def _reachable(shapes: Graph, top: URIRef):
    """Every shape node a targeted shape reaches, with whether its results are reported as they
    are (the shape and its sh:property shapes) or nested (through sh:node) or never (sh:or and
    sh:xone members, whose results only make their owner fail)."""
    seen: dict[Any, bool] = {}
    todo: list[tuple[Any, bool]] = [(top, True)]
    while todo:
        node, reported = todo.pop()
        if node in seen and (seen[node] or not reported):
            continue
        seen[node] = reported
        for prop in shapes.objects(node, SH.property):
            todo.append((prop, reported))
        for other in shapes.objects(node, SH.node):
            todo.append((other, False))
        for kind in (SH["or"], SH.xone, SH["and"]):
            for head in shapes.objects(node, kind):
                todo.extend((member, False) for member in Collection(shapes, head))
    return seen


def _why_not(shapes: Graph, top: URIRef) -> str:
    """Why the engine is not trusted with a targeted shape, or "" when it is."""
    for node, reported in _reachable(shapes, top).items():
        for p, o in shapes.predicate_objects(node):
            if p == RDF.type and o not in SHAPE_TYPES and str(o).startswith(str(SH)):
                return f"{node.n3(shapes.namespace_manager)} is a {o.n3(shapes.namespace_manager)}"
            if not str(p).startswith(str(SH)):
                continue
            if p not in SUPPORTED or (p == SH.target and node != top):
                return f"{node.n3(shapes.namespace_manager)} uses {p.n3(shapes.namespace_manager)}"
            if p == SH.path and not isinstance(o, URIRef):
                return f"{node.n3(shapes.namespace_manager)} has a path that is not one IRI"
            if p == SH.node and not isinstance(o, URIRef):
                return f"{node.n3(shapes.namespace_manager)} names a blank sh:node shape"
            if p == SH.target:
                kinds = set(shapes.objects(o, RDF.type))
                terms = {q for q in shapes.predicates(o) if str(q).startswith(str(SH))}
                if kinds != {SH.SPARQLTarget} or terms != SPARQL_TARGET:
                    return f"{node.n3(shapes.namespace_manager)} has a target other than a SPARQL select"
        messages = list(shapes.objects(node, SH.message))
        constrained = any((node, p, None) in shapes for p in CONSTRAINTS)
        if len(messages) > 1 or (reported and constrained and len(messages) != 1):
            return f"{node.n3(shapes.namespace_manager)} does not have exactly one sh:message"
    return ""


def _plan(shapes: Graph) -> Plan:
    import shacl
    if any(not isinstance(s, URIRef) for t in TARGETS for s in shapes.subjects(t, None)):
        return Plan(None)  # a blank shape with targets: pySHACL's use_shapes cannot name it
    if any((s, RDF.type, cls) in shapes for s in shapes.subjects(RDF.type, SH.NodeShape)
           for cls in (RDFS.Class, OWL.Class)):
        return Plan(None)  # a shape that is also a class targets its instances implicitly: untested
    slow = {shape: why for shape in targeted_shapes(shapes) if (why := _why_not(shapes, shape))}
    if len(slow) == len(targeted_shapes(shapes)):
        return Plan(None, slow)
    copy = Graph()
    skolem: dict[Any, Any] = {prop: URIRef(SKOLEM + str(prop)) for prop in shapes.objects(None, SH.property)
                              if isinstance(prop, BNode)}
    for s, p, o in shapes:
        if s in slow and p in TARGETS:
            continue  # pySHACL validates it
        copy.add((skolem.get(s, s), p, skolem.get(o, o)))
    return Plan(shacl.Shapes.from_text(copy.serialize(format="nt"), format="ntriples"), slow)


_plans: dict[int, tuple[weakref.ref, int, Plan]] = {}
_lock = threading.Lock()


def plan(shapes: Graph) -> Plan:
    """The plan for a shapes graph, made once (a shapes graph is not changed once in use)."""
    with _lock:
        known = _plans.get(id(shapes))
        if known is None or known[0]() is not shapes or known[1] != len(shapes):
            known = _plans[id(shapes)] = (weakref.ref(shapes), len(shapes), _plan(shapes))
        return known[2]


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = f'"{str(term).translate(_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    return f"{text}^^<{term.datatype}>" if term.datatype else text


def ntriples(graph: Graph) -> str:
    """The graph as N-Triples, about three times quicker than rdflib's serializer."""
    cache: dict = {}

    def term(t):
        text = cache.get(t)
        if text is None:
            text = cache[t] = _nt(t)
        return text
    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in graph)


def _term(text: str):
    """An N-Triples term as the engine gives it, as rdflib's term."""
    if text.startswith("<") and text.endswith(">") and "\\" not in text:
        return URIRef(text[1:-1])
    return from_n3(text)


def _shape(node: str):
    shape = _term(node)
    return BNode(str(shape)[len(SKOLEM):]) if str(shape).startswith(SKOLEM) else shape


def details(graph: Graph, shapes: Graph, failed: set[tuple]) -> set[Result]:
    """pySHACL's results for each (sh:node shape, value) that failed: what it nests under sh:detail.
    The shapes graph is given no targets but these values, so nothing else is validated."""
    targeted = Graph()
    targeted.namespace_manager = shapes.namespace_manager  # its messages write names as the shapes graph does
    for triple in shapes:
        if triple[1] not in TARGETS:
            targeted.add(triple)
    for shape, value in failed:
        targeted.add((shape, SH.targetNode, value))
    return set(run_pyshacl(graph, targeted, None))


def reach(shapes: Graph, shape, seen: frozenset = frozenset()) -> int | None:
    """How many steps out from a node validating it against `shape` reads: 0 for nothing but the
    node itself, 1 for its own triples, 2 for its values' too, ...; None if the shape is recursive."""
    if shape in seen:
        return None
    seen = seen | {shape}
    reached = [reach(shapes, child, seen) for p in (SH.node, SH.property) for child in shapes.objects(shape, p)]
    reached += [reach(shapes, member, seen) for kind in (SH["or"], SH.xone, SH["and"])
                for head in shapes.objects(shape, kind) for member in Collection(shapes, head)]
    inner = [steps for steps in reached if steps is not None]
    if len(inner) < len(reached):
        return None
    on_node = max([1 if (shape, SH["class"], None) in shapes else 0] + inner)  # sh:class reads rdf:type
    if (shape, SH.path, None) in shapes:
        return 1 + on_node  # the focus's own triples, then the same on each value
    return on_node


def _rdflib(term):
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def around(path: str | os.PathLike, shapes: Graph, failed: set[tuple]) -> Graph:
    """From an N-Triples file, the triples that validating the failed values against their sh:node
    shapes reads (a pass over the file for each step out, with every rdfs:subClassOf), not the
    whole graph as rdflib: a million triples take rdflib half a minute and a pass one second.
    pySHACL writes the nodes in its own messages with the data graph's prefixes: N-Triples has
    none, so this graph, like rdflib's of the whole file, has rdflib's own; other formats are read
    whole."""
    import pyoxigraph as ox
    depths = [reach(shapes, shape) for shape, _ in failed]
    steps = [s for s in depths if s is not None]
    if len(steps) < len(depths) or ox.RdfFormat.from_extension(str(path).rsplit(".", 1)[-1]) != ox.RdfFormat.N_TRIPLES:
        return read_graph(path)
    kind = ox.RdfFormat.N_TRIPLES
    graph, seen, sub_class = Graph(), set(), ox.NamedNode(str(RDFS.subClassOf))
    frontier = {ox.NamedNode(str(value)) for _, value in failed if isinstance(value, URIRef)}
    for _ in range(max(steps)):
        if not frontier:
            break
        seen |= frontier
        reached = set()
        for triple in ox.parse(path=str(path), format=kind):
            if triple.subject in frontier or triple.predicate == sub_class:
                if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                    return read_graph(path)  # blank nodes are labelled anew on each pass
                graph.add((_rdflib(triple.subject), _rdflib(triple.predicate), _rdflib(triple.object)))
                if triple.subject in frontier and isinstance(triple.object, ox.NamedNode):
                    reached.add(triple.object)
        frontier = reached - seen
    return graph


def fast_results(graph: Graph | str | os.PathLike, shapes: Graph, workers: int | None = None) -> set[Result]:
    """The results pySHACL gives for `graph` (an rdflib graph or an RDF file) against `shapes`."""
    planned = plan(shapes)
    if planned.compiled is None:
        return pyshacl_results(read_graph(graph), shapes, workers)
    if isinstance(graph, Graph):
        report = planned.compiled.validate_text(ntriples(graph), format="ntriples", allow_warnings=True)
    else:
        report = planned.compiled.validate_file(str(graph), allow_warnings=True)
    found: set[Result] = set()
    failed: set[tuple[Any, Any]] = set()
    for r in report.results:
        if r.focus_node.startswith("_:") or (r.value or "").startswith("_:") or r.message is None:
            return pyshacl_results(read_graph(graph), shapes, workers)
        path = _term(r.path) if r.path and r.path.startswith("<") else None
        found.add(Result(str(_term(r.focus_node)), str(path) if isinstance(path, URIRef) else "", r.message,
                         r.severity_iri))
        if r.component_iri == str(SH.NodeConstraintComponent):
            value = _term(r.value)
            failed.update((shape, value) for shape in shapes.objects(_shape(r.source_shape), SH.node))
    data = graph if isinstance(graph, Graph) else None
    if planned.slow:
        data = read_graph(graph)
        found |= pyshacl_results(data, shapes, workers, only=sorted(planned.slow))
    if failed:
        found |= details(data if data is not None else around(cast(os.PathLike, graph), shapes, failed), shapes, failed)
    return found
