"""SHACL validation: two engines, one answer.

pySHACL is the reference: it evaluates shapes one by one in pure Python, so a graph of a few
hundred thousand triples takes minutes on one core. The shapes with targets are independent of
each other: they are dealt out to worker processes (forked, so each starts with the graph
already in memory, nothing is copied or parsed again), each worker validates its share with
`use_shapes`, and the results are merged. The answer is the same as one pySHACL run over all
shapes (tests/test_shapes.py checks it on a graph full of violations).

`shacl` (PyPI `shacl`, a Rust engine; graph/fast_validation.py) validates a million triples in
about a second. It does the shapes it has been proven on and pySHACL does the rest, so that the
set of results is pySHACL's (tests/test_shacl_engines.py checks it on a graph that breaks every
shape). It is the default; `engine="pyshacl"` (the setting `shacl_engine`, RKG_SHACL_ENGINE=pyshacl)
selects pySHACL alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.util import guess_format

# below this many triples one process is quicker than forking
PARALLEL_FROM = 5_000

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

ENGINES = ("shacl", "pyshacl")
DEFAULT_ENGINE = "shacl"


@dataclass(frozen=True, order=True)
class Result:
    """One SHACL validation result: the node, the property path (when it is one IRI), the
    shape's message and its severity."""

    focus: str
    path: str  # "" when the path is not one IRI
    message: str
    severity: str

    @property
    def is_violation(self) -> bool:
        return self.severity not in (str(SH.Warning), str(SH.Info))


def chosen_engine(engine: str | None = None) -> str:
    """The engine to run: the one asked for (the settings' `shacl_engine`, RKG_SHACL_ENGINE), else
    the default (pySHACL when the `shacl` package is not installed and nobody asked for it by name)."""
    asked = engine.strip().lower() if engine else None
    name = asked or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ValueError(f"unknown SHACL engine {name!r}: choose one of {', '.join(ENGINES)}")
    if name == "shacl" and not asked:
        from .fast_validation import available
        if not available():
            return "pyshacl"
    return name


def default_workers(triples: int) -> int:
    """Processes to validate a graph of `triples` on, when the settings do not say."""
    if triples < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1  # forking a process with other threads running (a server reloading) can deadlock the child
    return min(os.cpu_count() or 1, 4)


def targeted_shapes(shapes: Graph) -> list[URIRef]:
    """The shapes that select their own focus nodes (the others are reached through these)."""
    return sorted({s for t in TARGETS for s in shapes.subjects(t, None) if isinstance(s, URIRef)})


def referenced_shapes(shapes: Graph) -> list[URIRef]:
    """The named shapes without targets (scheme membership, shared property shapes): pySHACL's
    `use_shapes` loads only the shapes it is given, and a reference to a shape it did not load
    is silently skipped, so every worker is given all of these besides its share."""
    named = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)
             if isinstance(s, URIRef)}
    return sorted(named - set(targeted_shapes(shapes)))


def _cost(graph: Graph, shapes: Graph, shape: URIRef) -> int:
    """Roughly how many focus nodes a shape has: what the workers' shares are balanced on."""
    cost = 1
    for cls in shapes.objects(shape, SH.targetClass):
        cost += sum(1 for _ in graph.subjects(RDF.type, cls))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        cost += sum(1 for _ in graph.subject_objects(prop))
    return cost * (1 + sum(1 for _ in shapes.objects(shape, SH.property)))


def shares(graph: Graph, shapes: Graph, workers: int, only: list[URIRef] | None = None) -> list[list[URIRef]]:
    """The targeted shapes (or `only` these) dealt into `workers` shares of about equal cost
    (largest first)."""
    costs = {shape: _cost(graph, shapes, shape) for shape in (targeted_shapes(shapes) if only is None else only)}
    buckets: list[tuple[int, list[URIRef]]] = [(0, []) for _ in range(max(1, workers))]
    for shape in sorted(costs, key=lambda s: -costs[s]):
        index = min(range(len(buckets)), key=lambda i: buckets[i][0])
        load, members = buckets[index]
        buckets[index] = (load + costs[shape], members + [shape])
    return [members for _, members in buckets if members]


def _results(report: Graph) -> list[Result]:
    """Every result in a pySHACL report, with those it nests under another by sh:detail (the
    nodes an sh:node value failed on: a place or concept has a line in data/ too)."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        found.append(Result(str(report.value(result, SH.focusNode)),
                            str(path) if isinstance(path, URIRef) else "",
                            str(report.value(result, SH.resultMessage) or "violates a shape"),
                            str(report.value(result, SH.resultSeverity) or SH.Violation)))
    return found


def run_pyshacl(graph: Graph, shapes: Graph, use_shapes: list | None) -> list[Result]:
    from pyshacl import validate  # imported when used: a fifth of a second the fast engine need not pay
    # inplace: with no inference pySHACL does not change the data graph, so it need not copy it
    _, report, _ = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True,
                                   advanced=True, inplace=True, use_shapes=use_shapes)
    return _results(report)


_shared: tuple[Graph, Graph] | None = None  # the graph a forked worker inherits


def _worker(share: list[URIRef]) -> list[Result]:
    assert _shared is not None, "a validation worker starts with the graph its parent shares"
    graph, shapes = _shared
    return run_pyshacl(graph, shapes, share + referenced_shapes(shapes))


def pyshacl_results(graph: Graph, shapes: Graph, workers: int | None = None,
                    only: list[URIRef] | None = None) -> set[Result]:
    """pySHACL's results for every targeted shape, or `only` these, over `workers` processes."""
    global _shared
    if only is not None and not only:
        return set()
    workers = default_workers(len(graph)) if workers is None else workers
    if workers <= 1:
        return set(run_pyshacl(graph, shapes, None if only is None else only + referenced_shapes(shapes)))
    dealt = shares(graph, shapes, workers, only)
    if len(dealt) == 1:
        return set(run_pyshacl(graph, shapes, dealt[0] + referenced_shapes(shapes)))
    _shared = (graph, shapes)
    try:
        with mp.get_context("fork").Pool(len(dealt) - 1) as pool:
            pending = pool.map_async(_worker, dealt[1:])
            found = set(run_pyshacl(graph, shapes, dealt[0] + referenced_shapes(shapes)))  # this process's share
            for share in pending.get():
                found.update(share)
    finally:
        _shared = None
    return found


def read_graph(source: Graph | str | os.PathLike) -> Graph:
    """The data graph as rdflib holds it: the graph itself, or the file parsed."""
    if isinstance(source, Graph):
        return source
    return Graph().parse(str(source), format=guess_format(str(source)) or "nt")


def shacl_results(graph: Graph | str | os.PathLike, shapes: Graph, workers: int | None = None,
                  engine: str | None = None) -> list[Result]:
    """Every validation result of `graph` (an rdflib graph, or an RDF file: N-Triples, Turtle)
    against `shapes` (violations, warnings and infos), by `engine` ("shacl" or "pyshacl"; by
    default "shacl"). `workers` is pySHACL's number of processes."""
    if chosen_engine(engine) == "shacl":
        from .fast_validation import fast_results
        return sorted(fast_results(graph, shapes, workers))
    return sorted(pyshacl_results(read_graph(graph), shapes, workers))
