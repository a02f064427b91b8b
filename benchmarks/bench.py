"""Benchmarks: load, validation and every named query on synthetic graphs shaped like the curated
data (countries, dimensions, levels, actors with roles, places, target groups, findings, figures),
at about 10k, 100k and 1M triples, on the embedded store (in memory and on disk) and on rdflib;
build, validation and every named query on the curated data; `rkg query run` cold and warm and
`make run` to its first answer; and the API and /sparql under 32 connections, one and several
worker processes, beside Oxigraph's server and rdflib-endpoint (benchmarks/api_bench.py). The
figures are set against the targets of issue 19 at the top of results.md.

    python benchmarks/bench.py [--sizes 10000 100000 1000000] [--runs 5] [--no-api] [--out benchmarks]
    python benchmarks/bench.py --validation-only [--engines shacl pyshacl] [--validation-limit 300]

`rkg query run coverage-matrix` is timed as a new process each time: cold (an empty cache folder:
the curated data read, validated and kept on disk, then the query) and warm (the cache there), the
median of --cli-runs runs each. `make run` is timed from its start to the first 200 of /health,
with the virtual environment and the cache in place (one unmeasured run first), the median of 3.

Validation is measured per SHACL engine (`shacl`, then pySHACL), end to end from the N-Triples
file, each in a child process of its own; an engine without an answer within --validation-limit
seconds is stopped and said so (pySHACL at 1M triples may be). On the curated data each engine
builds and validates in this process and as `rkg validate`.

Each (backend, size) runs in a child process so that its peak memory is its own. Times are
medians of --runs runs (3 above 100k; a query slower than 5 s is run once); the ratio column
compares with rdflib measured in the same run. Each rdflib query is stopped after
--rdflib-limit seconds and said so; rdflib's queries are run at 10k triples only (--rdflib-queries-up-to). Prints a
Markdown table and writes results.json and results.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ID = "https://w3id.org/reintegration-kg/id/"
C = "https://w3id.org/reintegration-kg/concept/"
RKG = "https://w3id.org/reintegration-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV = "http://www.w3.org/ns/prov#"
COUNTRIES = ["BGD", "IND", "NPL", "PAK", "LKA"]
DIMENSIONS, LEVELS = ["economic", "social", "psychosocial"], ["individual", "community", "structural"]
STATUSES = ["ongoing", "ongoing", "ongoing", "planned", "completed", "unknown"]
ROLES = ["lead", "funder", "implementer", "implementer", "partner", "supported_by"]
ROLE_PROPERTY = {"lead": "ledBy", "funder": "fundedBy", "implementer": "implementedBy", "partner": "partner",
                 "supported_by": "supportedBy"}
NATIONAL_TYPES = ["national-government", "ngo", "private-sector", "local-government"]
INTERNATIONAL_TYPES = ["un-agency", "donor-government"]
GROUPS = ["women", "irregular-returnees", "covid-19-returnees", "older-returnees", "children-and-families"]
PHASES = ["pre-departure", "in-service", "return", "post-return"]


def country_codes(n: int) -> list[str]:
    """The five focus countries, then user-assigned ISO 3166 alpha-3 codes (XAA, XAB, ...) for the
    other countries of origin a larger graph holds."""
    extra = [f"X{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    return (COUNTRIES + extra)[:n]


def synthetic(triples: int, seed: int = 7) -> str:
    """N-Triples of about `triples` triples, with the IRIs and shapes the loader produces.

    Shaped like the curated data, which has about 47 measures and 30 actors per country: the
    number of countries grows with the graph (up to 200, about the number of countries IATI
    reports activities in), each country has its own government bodies, NGOs and districts, and
    a pool of international actors (UN agencies, donors) works across countries and takes a
    quarter of the roles. Each measure has three actors in distinct roles, one or two dimensions
    and levels, a target group, a district, sometimes a phase, a source; every fifth has a finding.
    """
    rng = random.Random(seed)
    measures = max(10, triples // 47)
    countries = country_codes(max(5, min(200, round(measures / 47))))
    national = {c: [f"{c.lower()}-a{i}" for i in range(max(6, round(measures / len(countries) * 0.6)))]
                for c in countries}
    international = [f"int-a{i}" for i in range(max(3, sum(map(len, national.values())) // 20))]
    lines = []
    t = lines.append

    def iri(x): return f"<{x}>"

    def lit(x): return '"' + str(x).replace('"', "'") + '"'

    skos, dct = "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"
    document = iri(f"{ID}document/synthetic")
    t(f"{document} {iri(RDF_TYPE)} {iri(RKG + 'SourceDocument')} .")
    t(f"{document} {iri(dct + 'title')} {lit('A synthetic report')} .")
    t(f"{document} {iri(dct + 'publisher')} {lit('Benchmarks')} .")

    def cite(subject: str, key: str) -> None:
        passage = iri(f"{key}#source-1")
        t(f"{subject} {iri(PROV + 'wasDerivedFrom')} {passage} .")
        t(f"{passage} {iri(RDF_TYPE)} {iri(RKG + 'SourcePassage')} .")
        t(f"{passage} {iri(RKG + 'inDocument')} {document} .")
        t(f"{passage} {iri(RKG + 'section')} {lit('3.2.1')} .")
        t(f"{passage} {iri(RKG + 'quote')} {lit('a verbatim quote of some length about ' + key[-12:])} .")

    def actor(name: str, kinds: list[str], active: list[str]) -> None:
        s = iri(f"{ID}actor/{name}")
        t(f"{s} {iri(RDF_TYPE)} {iri(RKG + 'Actor')} .")
        t(f"{s} {iri(LABEL)} {lit('Actor ' + name)} .")
        t(f"{s} {iri(RKG + 'actorType')} {iri(C + 'actor-type/' + rng.choice(kinds))} .")
        for c in active:
            t(f"{s} {iri(RKG + 'activeIn')} {iri(C + 'country/' + c)} .")
        cite(s, f"{ID}actor/{name}")

    for code in countries[len(COUNTRIES):]:
        country = iri(C + "country/" + code)
        t(f"{country} {iri(RDF_TYPE)} {iri(RKG + 'Country')} .")
        t(f"{country} {iri(skos + 'inScheme')} {iri(RKG + 'countryScheme')} .")
        t(f"{country} {iri(skos + 'notation')} {lit(code)} .")
        t(f"{country} {iri(LABEL)} {lit('Country ' + code)} .")
        t(f"{country} {iri(RKG + 'focusCountry')} \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .")
    for code in countries:
        for p in range(12):
            place = iri(f"{C}place/{code.lower()}-p{p}")
            t(f"{place} {iri(RDF_TYPE)} {iri(RKG + 'Place')} .")
            t(f"{place} {iri(skos + 'inScheme')} {iri(RKG + 'placeScheme')} .")
            t(f"{place} {iri(LABEL)} {lit(f'District {p} of {code}')} .")
            t(f"{place} {iri(RKG + 'placeType')} {lit('district')} .")
            t(f"{place} {iri(RKG + 'country')} {iri(C + 'country/' + code)} .")
            t(f"{place} {iri(skos + 'broader')} {iri(C + 'country/' + code)} .")
        for name in national[code]:
            actor(name, NATIONAL_TYPES, [code])
    for name in international:
        actor(name, INTERNATIONAL_TYPES, rng.sample(countries, min(len(countries), 3)))
    for m in range(measures):
        s = iri(f"{ID}measure/m{m}")
        country = rng.choice(countries)
        t(f"{s} {iri(RDF_TYPE)} {iri(RKG + 'SupportMeasure')} .")
        t(f"{s} {iri(LABEL)} {lit(f'Measure {m}')} .")
        t(f"{s} {iri(RKG + 'measureType')} {iri(C + 'measure-type/programme')} .")
        t(f"{s} {iri(RKG + 'measureKind')} {iri(C + 'measure-kind/dedicated')} .")  # what the build derives
        for unit in ("dedicated", "with-components", "with-general", "all"):
            t(f"{s} {iri(RKG + 'countingUnit')} {iri(C + 'counting-unit/' + unit)} .")
        t(f"{s} {iri(RKG + 'country')} {iri(C + 'country/' + country)} .")
        t(f"{s} {iri(RKG + 'status')} {iri(C + 'measure-status/' + rng.choice(STATUSES))} .")
        for d in rng.sample(DIMENSIONS, rng.choice([1, 1, 2])):
            t(f"{s} {iri(RKG + 'dimension')} {iri(C + 'dimension/' + d)} .")
        for lv in rng.sample(LEVELS, rng.choice([1, 1, 2])):
            t(f"{s} {iri(RKG + 'level')} {iri(C + 'level/' + lv)} .")
        t(f"{s} {iri(RKG + 'targetGroup')} {iri(C + 'target-group/' + rng.choice(GROUPS))} .")
        if rng.random() < 0.3:
            t(f"{s} {iri(RKG + 'phase')} {iri(C + 'phase/' + rng.choice(PHASES))} .")
        t(f"{s} {iri(RKG + 'place')} {iri(C + 'place/' + country.lower() + '-p' + str(rng.randrange(12)))} .")
        chosen = set()
        for role in rng.sample(ROLES, 3):
            pool = international if rng.random() < 0.25 else national[country]
            name = rng.choice([a for a in pool if a not in chosen] or pool)
            chosen.add(name)
            agent = iri(f"{ID}actor/{name}")
            node = iri(f"{ID}measure/m{m}#{role}-{name}")
            t(f"{s} {iri(RKG + 'involvement')} {node} .")
            t(f"{node} {iri(RDF_TYPE)} {iri(RKG + 'Involvement')} .")
            t(f"{node} {iri(PROV + 'agent')} {agent} .")
            t(f"{node} {iri(PROV + 'hadRole')} {iri(C + 'role/' + role.replace('_', '-'))} .")
            t(f"{s} {iri(RKG + 'involves')} {agent} .")
            t(f"{s} {iri(RKG + ROLE_PROPERTY[role])} {agent} .")
        cite(s, f"{ID}measure/m{m}")
        if m % 5 == 0:
            f = iri(f"{ID}finding/f{m}")
            t(f"{f} {iri(RDF_TYPE)} {iri(RKG + 'Finding')} .")
            t(f"{f} {iri(RKG + 'findingKind')} {iri(C + 'finding-kind/gap')} .")
            t(f"{f} {iri(RKG + 'statement')} {lit('A gap in support.')} .")
            t(f"{f} {iri(RKG + 'theme')} {iri(C + 'theme/data')} .")
            t(f"{f} {iri(RKG + 'country')} {iri(C + 'country/' + country)} .")
            t(f"{f} {iri(RKG + 'about')} {s} .")
            cite(f, f"{ID}finding/f{m}")
    return "\n".join(lines) + "\n"


def broken(nt: str, every: int) -> str:
    """The synthetic N-Triples with every `every`-th measure broken, each of four ways: no
    status, a start after its end (the SPARQL target), a level given as a dimension (sh:node:
    pySHACL also reports the concept), and the first district of each country taken out of the
    place scheme (sh:node, reported at the measures naming it and at the district itself)."""
    status, in_scheme = f"<{RKG}status>", "<http://www.w3.org/2004/02/skos/core#inScheme>"
    out = []
    for line in nt.splitlines():
        subject, predicate = line.split(" ", 2)[:2] if line else ("", "")
        if subject.startswith(f"<{ID}measure/m") and predicate == status:
            m = int(subject[len(f"<{ID}measure/m"):-1])
            if m % every == 0:
                continue
            if m % every == 1:
                out.append(f'{subject} <https://schema.org/startDate> "2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .')
                out.append(f'{subject} <https://schema.org/endDate> "2020-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .')
            if m % every == 2:
                out.append(f"{subject} <{RKG}dimension> <{C}level/community> .")
        if subject.startswith(f"<{C}place/") and subject.endswith("-p0>") and predicate == in_scheme:
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _ontology_nt() -> str:
    from rkg.graph.build import ontology_graph
    return ontology_graph().serialize(format="nt")


def _median(fn, runs: int, patience: float = 5.0) -> float:
    """Median of `runs` runs; a run longer than `patience` seconds is not repeated."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        if times[-1] > patience:
            break
    return statistics.median(times)


def _peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries it over an exec, so a
    spawned child would report its parent's peak if that was higher."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _suite():
    """The named queries timed at every size (checks are data-quality queries, left out), plus
    the overlap query for one country, the way the API asks them: every default bound (the
    counting unit, the reference date, ...)."""
    from rdflib import Literal

    from rkg.graph import queries as Q

    def defaults(query, **given) -> dict:
        bound = {p.name: Literal(p.default) if p.kind.needs_vocabulary else p.kind.term(p.kind.value(p.name, p.default))
                 for p in query.params if p.default is not None}
        return bound | given

    suite = [(q.name, q.text, defaults(q)) for q in Q.library().values() if not q.check]
    overlaps = Q.get("overlapping-actors")
    suite.append(("overlapping-actors (country=BGD)", overlaps.text, defaults(overlaps, country=Literal("BGD"))))
    return suite


def _load(backend: str, path: str):
    import pyoxigraph as ox
    if backend == "oxigraph-disk":
        store = ox.Store(tempfile.mkdtemp(prefix="rkg-bench-"))
        store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    else:
        store = ox.Store()
        store.load(path=path, format=ox.RdfFormat.N_TRIPLES)
    return store


def _answer(store, text: str, bindings: dict) -> int:
    """Run a query and read every value of every row, without turning them into rdflib terms:
    that is the engine's work, comparable with rdflib's own (EmbeddedStore.select adds about
    2 microseconds a term)."""
    from rkg.graph.store import with_values
    solutions = store.query(with_values(text, bindings))
    names = [v.value for v in solutions.variables]
    return sum(1 for row in solutions for name in names if row[name] is not None)


def _one_query(backend: str, path: str, name: str, runs: int, queue) -> None:
    """In a child process of its own, so that it can be stopped: one query that may run long."""
    store = _load(backend, path)
    text, bindings = {n: (t, b) for n, t, b in _suite()}[name]
    queue.put({"seconds": _median(lambda: _answer(store, text, bindings), runs), "peak_rss_mb": _peak_mb()})


def _measure(backend: str, path: str, runs: int, queue, isolated: tuple = ()) -> None:
    """In a child process: load the N-Triples file, run the query suite, report times and peak
    memory (of this process alone, which holds nothing but the store)."""
    out = {"backend": backend, "queries": {}, "skipped": {}}
    started = time.perf_counter()
    store = _load(backend, path)
    out["load_s"] = time.perf_counter() - started
    out["peak_after_load_mb"] = _peak_mb()
    for name, text, bindings in _suite():
        if name in isolated:
            continue
        try:
            out["queries"][name] = _median(lambda: _answer(store, text, bindings), runs)
        except Exception as exc:  # an engine that cannot run a query is a result too
            out["skipped"][name] = f"error: {type(exc).__name__}: {str(exc)[:120]}"
    out["peak_rss_mb"] = _peak_mb()
    queue.put(out)


def _rdflib_worker(path: str, names: list[str], runs: int, queue) -> None:
    """In a child process: parse with rdflib, then run the queries in order, one answer each."""
    from rdflib import Graph

    from rkg.graph.store import with_values
    started = time.perf_counter()
    graph = Graph()
    graph.parse(path, format="nt")
    queue.put(("load", time.perf_counter() - started, _peak_mb()))
    suite = {name: (text, bindings) for name, text, bindings in _suite()}
    for name in names:
        text, bindings = suite[name]
        seconds = _median(lambda: list(graph.query(with_values(text, bindings))), runs, patience=1.0)
        queue.put((name, seconds, _peak_mb()))


def measure_rdflib(path: str, runs: int, limit: float, with_queries: bool) -> dict:
    """rdflib's load and queries; a query without an answer within `limit` seconds is stopped
    (its child is killed and a new one carries on with the next query)."""
    out = {"backend": "rdflib", "queries": {}, "skipped": {}, "peak_rss_mb": 0.0}
    names = [name for name, _, _ in _suite()] if with_queries else []
    ctx = mp.get_context("spawn")
    while True:
        queue = ctx.Queue()
        child = ctx.Process(target=_rdflib_worker, args=(path, names, runs, queue))
        child.start()
        try:
            _, seconds, peak = queue.get(timeout=600)
            out.setdefault("load_s", seconds)
            out["peak_rss_mb"] = max(out["peak_rss_mb"], peak)
            while names:
                name, seconds, peak = queue.get(timeout=limit + 3.0)
                out["queries"][name] = seconds
                out["peak_rss_mb"] = max(out["peak_rss_mb"], peak)
                names.pop(0)
        except Exception:
            if not names:
                child.kill()
                child.join()
                out["error"] = "rdflib did not load the graph within 600 s"
                return out
            out["skipped"][names.pop(0)] = f"no answer within {limit:.0f} s"
        child.kill()
        child.join()
        if not names:
            return out


def _validate(path: str, engine: str, queue) -> None:
    """In a child process: validate the N-Triples file, end to end (the shapes read, the results
    in hand). pySHACL works on an rdflib graph, so it parses the file first and validates split
    over the cores; `shacl` reads the file itself."""
    from rdflib import Graph

    from rkg.graph.build import shapes_graph
    from rkg.graph.validation import default_workers, shacl_results
    started = time.perf_counter()
    shapes = shapes_graph()
    if engine == "pyshacl":
        graph = Graph()
        graph.parse(path, format="nt")
        parsed = time.perf_counter()
        workers = default_workers(len(graph))
        results = shacl_results(graph, shapes, workers, engine=engine)
    else:
        parsed, workers = started, 1
        results = shacl_results(path, shapes, engine=engine)
    done = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # forked: no exec, so exact
    digest = hashlib.sha256(repr(sorted(results)).encode()).hexdigest()[:16]  # the same results, the same digest
    queue.put({"engine": engine, "parse_s": parsed - started, "validate_s": done - parsed, "total_s": done - started,
               "workers": workers, "results": len(results), "violations": sum(1 for r in results if r.is_violation),
               "digest": digest, "peak_rss_mb": _peak_mb(), "peak_worker_rss_mb": children})


def in_child(target, *args, timeout: float = 600, **kwargs):
    ctx = mp.get_context("spawn")  # a fresh process: its peak memory is its own
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue), kwargs=kwargs)
    process.start()
    try:
        result = queue.get(timeout=timeout)
    except Exception:
        process.kill()
        process.join()
        return {"error": f"no answer within {timeout:.0f} s"}
    process.join()
    return result


def _rkg_validate(engine: str) -> float:
    """Seconds `rkg validate` takes on the curated data with one engine, as a curator runs it: a
    new process, imports and all."""
    import os
    import subprocess
    command = Path(sys.executable).parent / "rkg"
    started = time.perf_counter()
    subprocess.run([str(command), "validate"], cwd=Path(__file__).resolve().parent.parent, check=True,
                   capture_output=True, env={**os.environ, "RKG_SHACL_ENGINE": engine})
    return time.perf_counter() - started


def curated(runs: int, engines: list[str], queries: bool = True) -> dict:
    """The curated data: build and validate with each engine (best and median of `runs`, in this
    process and as `rkg validate`), then every named query on the embedded store. The top-level
    figures are the first engine's."""
    from rkg.graph.build import build
    from rkg.graph.store import EmbeddedStore
    by_engine = {}
    for engine in engines:
        builds = []
        for _ in range(runs):
            started = time.perf_counter()
            result = build(Path(__file__).resolve().parent.parent / "data", engine=engine)
            builds.append((time.perf_counter() - started, result.timings))
        command = [_rkg_validate(engine) for _ in range(runs)]
        by_engine[engine] = {"build_and_validate_s": statistics.median(b[0] for b in builds),
                             "build_and_validate_best_s": min(b[0] for b in builds),
                             "timings": min(builds, key=lambda b: b[0])[1],
                             "rkg_validate_s": statistics.median(command), "rkg_validate_best_s": min(command)}
    store = EmbeddedStore.from_graph(result.graph)
    timed = {name: _median(lambda: store.select(text, bindings), 9) for name, text, bindings in _suite()} \
        if queries else {}
    reports = report_times(store, result.version) if queries else {}
    return {**by_engine[engines[0]], "engine": engines[0], "by_engine": by_engine, "triples": result.triples,
            "queries": timed, "reports": reports}


def report_times(store, version: str, runs: int = 3) -> dict:
    """Seconds `rkg.reports.generate` takes for each country report and the regional one in each
    format (the median of `runs`, after one unmeasured report that loads fonts and modules, as the
    API's process has): the report the API builds on demand, from the query rows to the bytes."""
    import datetime

    from rkg.reports import FORMATS, generate
    day = datetime.date(2026, 12, 6)
    generate(store, "NPL", "pdf", version, day)
    targets = ("BGD", "IND", "LKA", "NPL", "PAK", "regional")
    return {fmt: {target: _median(lambda t=target, f=fmt: generate(store, t, f, version, day), runs)
                  for target in targets} for fmt in FORMATS}


def _report_lines(times: dict) -> list[str]:
    lines = []
    for fmt, by_target in times.items():
        countries = {t: s for t, s in by_target.items() if t != "regional"}
        slowest = max(countries, key=countries.get)
        lines.append(f"reports, {fmt}: countries {min(countries.values()):.2f}-{countries[slowest]:.2f} s "
                     f"(slowest {slowest}), regional {by_target['regional']:.2f} s")
    return lines


def machine() -> dict:
    from api_bench import machine as described  # the same description in both benchmarks
    return {**described(), "date": time.strftime("%Y-%m-%d")}


ROOT = Path(__file__).resolve().parent.parent


def _timed(command: list[str], env: dict | None = None) -> float:
    import os
    import subprocess
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - started


def cli_times(runs: int) -> dict:
    """`rkg query run coverage-matrix` as a new process: cold (a cache folder of its own, empty) and
    warm (the same folder, the graph in it); medians and all runs."""
    rkg = str(Path(sys.executable).parent / "rkg")
    command = [rkg, "query", "run", "coverage-matrix"]
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="rkg-bench-cache-") as cache:
            cold.append(_timed(command, {"RKG_CACHE": cache}))
    with tempfile.TemporaryDirectory(prefix="rkg-bench-cache-") as cache:
        _timed(command, {"RKG_CACHE": cache})  # fills it
        warm = [_timed(command, {"RKG_CACHE": cache}) for _ in range(runs)]
    return {"command": "rkg query run coverage-matrix", "cold_s": statistics.median(cold), "cold_runs": cold,
            "warm_s": statistics.median(warm), "warm_runs": warm}


def make_run_times(runs: int = 3, limit: float = 120.0) -> dict:
    """Seconds from `make run` to the first 200 of /health, the virtual environment and the cache in
    place (one unmeasured run first fills whatever is missing)."""
    import os
    import signal
    import subprocess

    import httpx
    from api_bench import free_port

    def once() -> float:
        port = free_port()
        started = time.perf_counter()
        process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while time.perf_counter() - started < limit:
                if process.poll() is not None:
                    raise RuntimeError(f"make run stopped (exit code {process.returncode})")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    time.sleep(0.05)
            raise RuntimeError(f"make run did not answer within {limit:.0f} s")
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    first = once()
    measured = [once() for _ in range(runs)]
    return {"first_run_s": first, "second_run_s": statistics.median(measured), "runs": measured}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=["oxigraph", "oxigraph-disk", "rdflib"])
    parser.add_argument("--validate-up-to", type=int, default=1_000_000)
    parser.add_argument("--validation-limit", type=float, default=300.0,
                        help="seconds one engine's validation may take per size (pySHACL at 1M may not finish)")
    parser.add_argument("--engines", nargs="+", default=["shacl", "pyshacl"], help="SHACL engines to validate with")
    parser.add_argument("--break-every", type=int, default=0,
                        help="validate a copy with every Nth measure broken (four ways) besides the valid graph")
    parser.add_argument("--validation-only", action="store_true",
                        help="validation alone: no backends, no named queries, no API")
    parser.add_argument("--rdflib-limit", type=float, default=10.0, help="seconds one rdflib query may take")
    parser.add_argument("--rdflib-queries-up-to", type=int, default=10_000,
                        help="run rdflib's queries only up to this size (at 100k most need more than 10 s, and "
                             "waiting for them took three minutes of the run; its parse alone takes ~25 s at 1M)")
    parser.add_argument("--overlap-limit", type=float, default=60.0,
                        help="seconds the all-countries overlap query may take beyond 100k triples")
    parser.add_argument("--no-api", action="store_true", help="leave out the API benchmark")
    parser.add_argument("--api-seconds", type=float, default=12.0, help="seconds of load per API scenario (3 rounds)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of `rkg serve --workers` (default 2)")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of `rkg query run`, cold and warm (default 5)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args(argv)

    begun = time.perf_counter()
    if args.validation_only:
        args.backends, args.no_api = [], True
    results = {"machine": machine(), "curated": curated(3, args.engines, queries=not args.validation_only),
               "sizes": []}
    for engine, figures in results["curated"]["by_engine"].items():
        print(f"curated data, {engine}: build + validate {figures['build_and_validate_s']:.2f} s, "
              f"rkg validate {figures['rkg_validate_s']:.2f} s, {results['curated']['triples']} triples", flush=True)
    for line in _report_lines(results["curated"].get("reports") or {}):
        print(f"curated data, {line}", flush=True)
    if not args.validation_only:
        results["cli"] = cli_times(args.cli_runs)
        print(f"rkg query run coverage-matrix: cold {results['cli']['cold_s']:.2f} s, warm "
              f"{results['cli']['warm_s']:.2f} s (medians of {args.cli_runs})", flush=True)
        try:
            results["make_run"] = make_run_times()
            print(f"make run to the first answer: {results['make_run']['second_run_s']:.2f} s (median of 3, "
                  f"after a first run of {results['make_run']['first_run_s']:.2f} s)", flush=True)
        except Exception as exc:  # the other figures are still worth writing
            results["make_run"] = {"error": f"{type(exc).__name__}: {exc}"}
    ontology = _ontology_nt()
    folder = Path(tempfile.mkdtemp(prefix="rkg-bench-data-"))
    for size in args.sizes:
        path = folder / f"synthetic-{size}.nt"
        nt = ontology + synthetic(size)
        path.write_text(nt)
        entry = {"target": size, "triples": nt.count("\n"), "backends": {}}
        del nt
        if size <= args.validate_up_to:
            variants = [("validation", path)]
            if args.break_every:
                variants.append(("validation_broken", folder / f"synthetic-{size}-broken.nt"))
                variants[-1][1].write_text(broken(path.read_text(), args.break_every))
            for key, source in variants:
                entry[key] = {}
                for engine in args.engines:
                    entry[key][engine] = in_child(_validate, str(source), engine, timeout=args.validation_limit)
                    print(f"{size:>9} {key} {engine:<8} {json.dumps(entry[key][engine])}", flush=True)
                if key != "validation":
                    source.unlink()
        runs = args.runs if size <= 100_000 else 3
        for backend in args.backends:
            if backend == "rdflib":
                measured = measure_rdflib(str(path), args.runs, args.rdflib_limit,
                                          size <= args.rdflib_queries_up_to)
                if size > args.rdflib_queries_up_to:
                    measured["note"] = f"queries not run beyond {args.rdflib_queries_up_to:,} triples"
            else:
                # the all-countries overlap answers about a million pairs at 1M triples: it runs in a
                # child of its own, stopped after --overlap-limit seconds (in memory only)
                isolated = ("overlapping-actors",) if size > 100_000 else ()
                measured = in_child(_measure, backend, str(path), runs, timeout=1800, isolated=isolated)
                for name in isolated:
                    if backend != "oxigraph":
                        measured.setdefault("skipped", {})[name] = "run in memory only at this size"
                        continue
                    alone = in_child(_one_query, backend, str(path), name, 1, timeout=args.overlap_limit)
                    if "seconds" in alone:
                        measured["queries"][name] = alone["seconds"]
                        measured["peak_rss_mb"] = max(measured.get("peak_rss_mb", 0), alone["peak_rss_mb"])
                    else:
                        measured.setdefault("skipped", {})[name] = f"no answer within {args.overlap_limit:.0f} s"
            entry["backends"][backend] = measured
            print(f"{size:>9} {backend:<14} {json.dumps({k: v for k, v in measured.items() if k != 'queries'})}",
                  flush=True)
        path.unlink()
        results["sizes"].append(entry)
    if not args.no_api:
        try:
            import api_bench
            results["api"] = api_bench.run(clients=32, seconds=args.api_seconds, workers=args.workers)
        except Exception as exc:  # the store figures are still worth writing
            results["api"] = {"error": f"{type(exc).__name__}: {exc}"}
    results["total_s"] = time.perf_counter() - begun
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results["targets"] = against_targets(results)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "results.md").write_text(table)
    print(table)
    return 0


def _ms(value) -> str:
    return "-" if value is None else (f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s")


def _rate(entry: dict | None) -> float | None:
    return entry.get("req_per_s") if entry else None


def against_targets(results: dict) -> list[dict]:
    """Each target of issue 19 with what this run measured: {what, measured, target, met (None: not
    measured), by (how far from it, when missed)}."""
    out: list[dict] = []

    def add(what: str, measured: str | None, target: str, met: bool | None, by: str = "") -> None:
        out.append({"what": what, "measured": measured or "not measured", "target": target, "met": met,
                    "by": by if met is False else ""})

    largest = max(results.get("sizes") or [{}], key=lambda e: e.get("triples", 0))
    validation = (largest.get("validation") or {})
    for engine in ("shacl", "pyshacl"):
        v = validation.get(engine)
        if not v:
            continue
        label = f"validation, {largest['triples']:,} triples, {'pySHACL' if engine == 'pyshacl' else engine}"
        if "error" in v:
            add(label, v["error"], "< 5 s and < 1 GB", None)
            continue
        peak = max(v["peak_rss_mb"], v.get("peak_worker_rss_mb", 0))
        met = v["total_s"] < 5 and peak < 1024
        by = ", ".join(x for x in (f"{v['total_s'] / 5:.1f}x the time" if v["total_s"] >= 5 else "",
                                   f"{peak / 1024:.1f}x the memory" if peak >= 1024 else "") if x)
        add(label, f"{v['total_s']:.2f} s, peak {peak:,.0f} MB", "< 5 s and < 1 GB", met, by)
    cur = results.get("curated") or {}
    if "build_and_validate_s" in cur:
        s = cur["build_and_validate_s"]
        add(f"curated data: build and validate ({cur.get('engine')}, in process)",
            f"{s:.2f} s (`rkg validate`, a new process: {cur.get('rkg_validate_s', 0):.2f} s)", "< 1 s", s < 1,
            f"{s:.1f}x")
    cli = results.get("cli") or {}
    if cli:
        add("CLI: `rkg query run coverage-matrix`, warm (cold)", f"{cli['warm_s']:.2f} s ({cli['cold_s']:.2f} s)",
            "< 0.5 s warm", cli["warm_s"] < 0.5, f"{cli['warm_s'] / 0.5:.1f}x")
    run = results.get("make_run") or {}
    if "second_run_s" in run:
        add("second `make run` to the first answer", f"{run['second_run_s']:.2f} s", "< 5 s", run["second_run_s"] < 5,
            f"{run['second_run_s'] / 5:.1f}x")
    api = results.get("api") or {}
    if api.get("load"):
        import api_bench as A
        before = _rate(A.find(api, "rkg, response cache off", "GET"))
        low, high = api["settings"]["baseline_req_per_s"]
        for server in ("rkg", f"rkg --workers {api['settings']['workers']}"):
            e = A.find(api, server, "GET")
            if not e:
                continue
            rate, tail = e["req_per_s"], e["p99_ms"] / e["p50_ms"]
            met = rate >= 3 * high and tail < 3
            by = "; ".join(x for x in (f"{rate / (3 * high):.2f} of 3x the baseline" if rate < 3 * high else "",
                                       f"p99 {tail:.1f}x p50" if tail >= 3 else "") if x)
            add(f"cached analysis, GET /gaps/coverage?country=NPL, {server}",
                f"{rate:,.0f} req/s ({rate / high:.1f}-{rate / low:.1f}x the issue's {low}-{high}; "
                + (f"{rate / before:.1f}x this run's cache-off {before:,.0f}; " if before else "")
                + f"p50 {e['p50_ms']:.1f} ms, p99 {e['p99_ms']:.1f} ms = {tail:.1f}x p50)",
                f">= 3x baseline ({3 * high:,} req/s), p99 < 3x p50", met, by)
        oxigraph = _rate(A.find(api, "oxigraph serve-read-only", "POST"))
        memory = _rate(A.find(api, "oxigraph serve (in memory)", "POST"))
        for server in ("rkg", f"rkg --workers {api['settings']['workers']}"):
            rate = _rate(A.find(api, server, "POST /sparql"))
            if rate is None or not oxigraph:
                continue
            add(f"/sparql, coverage query, {server}",
                f"{rate:,.0f} req/s = {rate / oxigraph:.2f}x `oxigraph serve-read-only` ({oxigraph:,.0f})"
                + (f"; {rate / memory:.2f}x `oxigraph serve` in memory ({memory:,.0f})" if memory else ""),
                ">= 1x Oxigraph's server", rate >= oxigraph, f"{rate / oxigraph:.2f}x")
    return out


def targets_markdown(rows: list[dict]) -> list[str]:
    lines = ["### Against the targets", "", "| | measured | target | met |", "|---|---|---|---|"]
    for r in rows:
        verdict = {True: "yes", False: f"no ({r['by']})" if r["by"] else "no", None: "-"}[r["met"]]
        lines.append(f"| {r['what']} | {r['measured']} | {r['target']} | {verdict} |")
    return lines + [""]


def markdown(results: dict) -> str:
    m, cur = results["machine"], results["curated"]
    lines = [f"Machine: {m['cpus']} cores ({m.get('cpu_model') or m.get('cpu') or 'unknown CPU'}), Python {m['python']}, "
             f"{m['platform']}, {m.get('date', '')}; load average {m.get('load_average_before') or 0:.2f} at the start "
             f"(other work on the machine shows here); the whole run took {results.get('total_s', 0) / 60:.1f} min.", ""]
    lines += targets_markdown(against_targets(results))
    cli, run = results.get("cli"), results.get("make_run") or {}
    if cli:
        lines += ["### The command line and `make run`", "",
                  f"- `{cli['command']}`, a new process each time (median of {len(cli['warm_runs'])}): cold, with an "
                  f"empty cache folder (the curated data read, validated and kept on disk first), {cli['cold_s']:.2f} s; "
                  f"warm, from the cache, {cli['warm_s']:.2f} s.",
                  ("- `make run` to the first 200 of /health, the virtual environment and the cache in place: "
                   f"{run['second_run_s']:.2f} s (median of {len(run['runs'])}; the first run {run['first_run_s']:.2f} s)."
                   if "second_run_s" in run else f"- `make run`: not measured, {run.get('error', 'not run')}."), ""]
    lines += ["### Curated data", "",
             f"{cur['triples']:,} triples. Build and validate, in one process (median and best of 3; loader and "
             f"SHACL in the best run), and `rkg validate` as a new process, imports included (median and best of 3):", "",
             "| SHACL engine | build and validate | loader | SHACL | rkg validate |", "|---|---|---|---|---|"]
    for engine, e in cur.get("by_engine", {cur.get("engine", "pyshacl"): cur}).items():
        lines.append(f"| {engine} | {e['build_and_validate_s']:.2f} s ({e['build_and_validate_best_s']:.2f} s best) | "
                     f"{e['timings'].get('convert', 0):.2f} s | {e['timings'].get('validate', 0):.2f} s | "
                     + (f"{e['rkg_validate_s']:.2f} s ({e['rkg_validate_best_s']:.2f} s best) |"
                        if "rkg_validate_s" in e else "- |"))
    lines.append("")
    if cur["queries"]:
        lines += ["| named query (embedded store, answers as rdflib terms, median of 9) | time |", "|---|---|"]
        lines += [f"| {name} | {_ms(t)} |" for name, t in cur["queries"].items()]
        lines.append("")
    if cur.get("reports"):
        targets = list(next(iter(cur["reports"].values())))
        lines += ["Gap reports (`rkg.reports.generate`, query rows to bytes, median of 3 in a warm process):", "",
                  "| format | " + " | ".join(targets) + " |", "|---|" + "---|" * len(targets)]
        lines += [f"| {fmt} | " + " | ".join(_ms(by_target[t]) for t in targets) + " |"
                  for fmt, by_target in cur["reports"].items()]
        lines.append("")
    for entry in results["sizes"]:
        backends = entry["backends"]
        lines.append(f"### {entry['triples']:,} triples (synthetic)")
        lines.append("")
        for key, title in (("validation", "valid graph"), ("validation_broken", "with every Nth measure broken")):
            validation = entry.get(key) or {}
            if "engine" not in validation and "validate_s" in validation:  # one engine, before there were two
                validation = {"pyshacl": validation}
            for engine, v in validation.items():
                if "error" in v:
                    lines.append(f"- {engine} validation, {title}: not measured, {v['error']}")
                elif engine == "pyshacl":
                    lines.append(f"- pySHACL validation, {title}: {v.get('total_s', v['validate_s'] + v['parse_s']):.1f} s "
                                 f"end to end: a {v['parse_s']:.1f} s rdflib parse, then {v['validate_s']:.1f} s on "
                                 f"{v['workers']} process(es); {v.get('results', v['violations'])} results; peak "
                                 f"{v['peak_rss_mb']:.0f} MB (workers {v['peak_worker_rss_mb']:.0f} MB)")
                else:
                    lines.append(f"- {engine} validation, {title}: {v['total_s']:.2f} s end to end from the N-Triples "
                                 f"file; {v['results']} results; peak {v['peak_rss_mb']:.0f} MB")
            if len(validation) > 1 and all("digest" in v for v in validation.values()):
                same = len({v["digest"] for v in validation.values()}) == 1
                lines.append(f"- the engines' results are {'the same' if same else 'NOT the same'}")
            if validation:
                lines.append("")
        names = list(backends)
        if not names:
            continue
        lines.append("| measure | " + " | ".join(names) + " | oxigraph / rdflib |")
        lines.append("|---|" + "---|" * (len(names) + 1))

        def ratio(ours, theirs):
            return f"{ours / theirs:.3f}" if ours and theirs else ""
        lines.append("| load | " + " | ".join(_ms(backends[n].get("load_s")) for n in names) + " | "
                     + ratio(backends.get("oxigraph", {}).get("load_s"), backends.get("rdflib", {}).get("load_s")) + " |")
        queries = sorted(set().union(*(b.get("queries", {}) for b in backends.values()),
                                     *(b.get("skipped", {}) for b in backends.values())))
        for name in queries:
            cells = []
            for n in names:
                t = backends[n].get("queries", {}).get(name)
                stopped = "no answer" in backends[n].get("skipped", {}).get(name, "")
                cells.append(_ms(t) if t is not None else ("stopped" if stopped else "-"))
            lines.append(f"| {name} | " + " | ".join(cells) + " | "
                         + ratio(backends.get("oxigraph", {}).get("queries", {}).get(name),
                                 backends.get("rdflib", {}).get("queries", {}).get(name)) + " |")
        lines.append("| peak memory | " + " | ".join(f"{backends[n].get('peak_rss_mb', 0):.0f} MB" for n in names) + " | |")
        notes = [f"{n}: {backends[n]['note']}" for n in names if backends[n].get("note")]
        notes += [f"{n}: {q}: {why}" for n in names for q, why in backends[n].get("skipped", {}).items()]
        if notes:
            lines += ["", "Not measured: " + "; ".join(notes) + "."]
        lines.append("")
    api = results.get("api")
    if api:
        if "error" in api:
            lines += ["### The API under load", ""]
            lines.append(f"Not measured: {api['error']}")
        else:
            import api_bench
            lines.append(api_bench.markdown(api))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
