"""Benchmarks: load, validation and every named query on synthetic graphs shaped like the curated
data (countries, dimensions, levels, actors with roles, places, target groups, findings, figures),
at about 10k, 100k and 1M triples, on the embedded store (in memory and on disk) and on rdflib.

    python benchmarks/bench.py [--sizes 10000 100000 1000000] [--runs 5] [--out benchmarks]

Each (backend, size) runs in a child process so that its peak memory is its own. Times are
medians of --runs runs; the ratio column compares with rdflib measured in the same run. rdflib
is skipped where one query would take minutes (the overlap self-join of subqueries) and
said so: each rdflib query runs in a child of its own and is stopped after --rdflib-limit
seconds. Prints a Markdown table and writes results.json and results.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
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
ACTOR_TYPES = ["national-government", "ngo", "un-agency", "donor-government", "private-sector", "local-government"]
GROUPS = ["women", "irregular-returnees", "covid-19-returnees", "older-returnees", "children-and-families"]
PHASES = ["pre-departure", "in-service", "return", "post-return"]


def synthetic(triples: int, seed: int = 7) -> str:
    """N-Triples of about `triples` triples, with the IRIs and shapes the loader produces."""
    rng = random.Random(seed)
    measures = max(10, triples // 46)
    actors = max(8, measures // 8)
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

    for p in range(60):
        place = iri(f"{C}place/p{p}")
        country = COUNTRIES[p % 5]
        t(f"{place} {iri(RDF_TYPE)} {iri(RKG + 'Place')} .")
        t(f"{place} {iri(skos + 'inScheme')} {iri(RKG + 'placeScheme')} .")
        t(f"{place} {iri(LABEL)} {lit(f'District {p}')} .")
        t(f"{place} {iri(RKG + 'placeType')} {lit('district')} .")
        t(f"{place} {iri(RKG + 'country')} {iri(C + 'country/' + country)} .")
        t(f"{place} {iri(skos + 'broader')} {iri(C + 'country/' + country)} .")
    for a in range(actors):
        s = iri(f"{ID}actor/a{a}")
        t(f"{s} {iri(RDF_TYPE)} {iri(RKG + 'Actor')} .")
        t(f"{s} {iri(LABEL)} {lit(f'Actor {a}')} .")
        t(f"{s} {iri(RKG + 'actorType')} {iri(C + 'actor-type/' + rng.choice(ACTOR_TYPES))} .")
        cite(s, f"{ID}actor/a{a}")
    for m in range(measures):
        s = iri(f"{ID}measure/m{m}")
        country = rng.choice(COUNTRIES)
        t(f"{s} {iri(RDF_TYPE)} {iri(RKG + 'SupportMeasure')} .")
        t(f"{s} {iri(LABEL)} {lit(f'Measure {m}')} .")
        t(f"{s} {iri(RKG + 'measureType')} {iri(C + 'measure-type/programme')} .")
        t(f"{s} {iri(RKG + 'country')} {iri(C + 'country/' + country)} .")
        t(f"{s} {iri(RKG + 'status')} {iri(C + 'measure-status/' + rng.choice(STATUSES))} .")
        for d in rng.sample(DIMENSIONS, rng.choice([1, 1, 2])):
            t(f"{s} {iri(RKG + 'dimension')} {iri(C + 'dimension/' + d)} .")
        for lv in rng.sample(LEVELS, rng.choice([1, 1, 2])):
            t(f"{s} {iri(RKG + 'level')} {iri(C + 'level/' + lv)} .")
        t(f"{s} {iri(RKG + 'targetGroup')} {iri(C + 'target-group/' + rng.choice(GROUPS))} .")
        if rng.random() < 0.3:
            t(f"{s} {iri(RKG + 'phase')} {iri(C + 'phase/' + rng.choice(PHASES))} .")
        t(f"{s} {iri(RKG + 'place')} {iri(C + 'place/p' + str(COUNTRIES.index(country) + 5 * rng.randrange(12)))} .")
        for role in rng.sample(ROLES, 3):
            number = rng.randrange(actors)
            actor = iri(f"{ID}actor/a{number}")
            node = iri(f"{ID}measure/m{m}#{role}-a{number}")
            t(f"{s} {iri(RKG + 'involvement')} {node} .")
            t(f"{node} {iri(RDF_TYPE)} {iri(RKG + 'Involvement')} .")
            t(f"{node} {iri(PROV + 'agent')} {actor} .")
            t(f"{node} {iri(PROV + 'hadRole')} {iri(C + 'role/' + role.replace('_', '-'))} .")
            t(f"{s} {iri(RKG + 'involves')} {actor} .")
            t(f"{s} {iri(RKG + ROLE_PROPERTY[role])} {actor} .")
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


def _ontology_nt() -> str:
    from rkg.graph.build import ontology_graph
    return ontology_graph().serialize(format="nt")


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure(backend: str, nt: str, runs: int, queue) -> None:
    """In a child process: load, run every named query, report times and peak memory."""
    from rkg.graph import queries as Q

    out = {"backend": backend, "queries": {}, "skipped": {}}
    started = time.perf_counter()
    if backend == "rdflib":
        from rdflib import Graph
        graph = Graph()
        graph.parse(data=nt, format="nt")
        out["load_s"] = time.perf_counter() - started

        def run(q):
            return list(graph.query(q.text))
    else:
        import pyoxigraph as ox
        from rkg.graph.store import EmbeddedStore
        if backend == "oxigraph-disk":
            folder = tempfile.mkdtemp(prefix="rkg-bench-")
            store = ox.Store(folder)
            store.bulk_load(nt.encode(), format=ox.RdfFormat.N_TRIPLES)
        else:
            store = ox.Store()
            store.load(nt.encode(), format=ox.RdfFormat.N_TRIPLES)
        out["load_s"] = time.perf_counter() - started
        embedded = EmbeddedStore(store)

        def run(q):
            return embedded.select(q.text)
    out["triples"] = nt.count("\n")
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for q in Q.library().values():
        if q.check:
            continue
        if backend == "rdflib":
            continue  # each rdflib query runs in a child of its own, with a time limit (see main)
        try:
            out["queries"][q.name] = _median(lambda: run(q), runs)
        except Exception as exc:  # an engine that cannot run a query is a result too
            out["skipped"][q.name] = f"error: {type(exc).__name__}: {str(exc)[:120]}"
    out["peak_rss_mb"] = max(out["peak_rss_mb"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    queue.put(out)


def _rdflib_query(nt: str, name: str, runs: int, queue) -> None:
    from rdflib import Graph
    from rkg.graph import queries as Q
    graph = Graph()
    graph.parse(data=nt, format="nt")
    query = Q.get(name)
    queue.put({"seconds": _median(lambda: list(graph.query(query.text)), runs)})


def _validate(nt: str, queue) -> None:
    from pyshacl import validate
    from rdflib import Graph
    from rkg.graph.build import shapes_graph
    graph = Graph()
    graph.parse(data=nt, format="nt")
    started = time.perf_counter()
    validate(graph, shacl_graph=shapes_graph(), inference="none")
    queue.put({"validate_s": time.perf_counter() - started,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def in_child(target, *args, timeout: float = 600):
    ctx = mp.get_context("spawn")  # a fresh process: its peak memory is its own
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue))
    process.start()
    try:
        result = queue.get(timeout=timeout)
    except Exception:
        process.kill()
        process.join()
        return {"error": f"no answer within {timeout:.0f} s"}
    process.join()
    return result


def curated_build() -> dict:
    from rkg.graph.build import build
    started = time.perf_counter()
    result = build(Path(__file__).resolve().parent.parent / "data")
    return {"build_and_validate_s": time.perf_counter() - started, "triples": result.triples,
            "timings": result.timings}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=["oxigraph", "oxigraph-disk", "rdflib"])
    parser.add_argument("--validate-up-to", type=int, default=1_000_000)
    parser.add_argument("--validation-limit", type=float, default=120.0, help="seconds pySHACL may take per size")
    parser.add_argument("--rdflib-limit", type=float, default=30.0, help="seconds one rdflib query may take")
    parser.add_argument("--rdflib-queries-up-to", type=int, default=100_000,
                        help="run rdflib's queries only up to this size (its parse alone takes ~25 s at 1M)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args(argv)

    ontology = _ontology_nt()
    results = {"machine": {"python": platform.python_version(), "cpus": mp.cpu_count(),
                           "platform": platform.platform()},
               "curated": curated_build(), "sizes": []}
    print(f"curated data: build + validate {results['curated']['build_and_validate_s']:.2f} s, "
          f"{results['curated']['triples']} triples", flush=True)
    for size in args.sizes:
        nt = ontology + synthetic(size)
        entry = {"target": size, "triples": nt.count("\n"), "backends": {}}
        if size <= args.validate_up_to:
            entry["validation"] = in_child(_validate, nt, timeout=args.validation_limit)
        for backend in args.backends:
            entry["backends"][backend] = in_child(_measure, backend, nt, args.runs, timeout=900)
            if backend == "rdflib" and "error" not in entry["backends"][backend]:
                from rkg.graph import queries as Q
                measured = entry["backends"][backend]
                for q in Q.library().values():
                    if q.check:
                        continue
                    if size > args.rdflib_queries_up_to:
                        measured["skipped"][q.name] = f"not run beyond {args.rdflib_queries_up_to:,} triples"
                        continue
                    answer = in_child(_rdflib_query, nt, q.name, 1 if size > 10_000 else args.runs,
                                      timeout=args.rdflib_limit)
                    if "seconds" in answer:
                        measured["queries"][q.name] = answer["seconds"]
                    else:
                        measured["skipped"][q.name] = f"no answer within {args.rdflib_limit:.0f} s"
            print(f"{size:>9} {backend:<14} {json.dumps({k: v for k, v in entry['backends'][backend].items() if k != 'queries'})}",
                  flush=True)
        results["sizes"].append(entry)
    out = Path(args.out)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "results.md").write_text(table)
    print(table)
    return 0


def markdown(results: dict) -> str:
    lines = [f"Machine: {results['machine']['cpus']} cores, Python {results['machine']['python']}, "
             f"{results['machine']['platform']}.",
             f"Curated data: build and validate in {results['curated']['build_and_validate_s']:.2f} s "
             f"({results['curated']['triples']} triples).", ""]
    for entry in results["sizes"]:
        backends = entry["backends"]
        lines.append(f"### {entry['triples']:,} triples")
        if "validation" in entry:
            v = entry["validation"]
            lines.append(f"pySHACL validation: {v.get('validate_s', float('nan')):.2f} s, "
                         f"peak {v.get('peak_rss_mb', float('nan')):.0f} MB" if "error" not in v else v["error"])
        lines.append("")
        names = list(backends)
        lines.append("| measure | " + " | ".join(names) + " | ratio oxigraph/rdflib |")
        lines.append("|---|" + "---|" * (len(names) + 1))

        def row(label, key):
            values = [backends[n].get(key) for n in names]
            ratio = ""
            if backends.get("rdflib", {}).get(key) and backends.get("oxigraph", {}).get(key):
                ratio = f"{backends['oxigraph'][key] / backends['rdflib'][key]:.3f}"
            cells = [f"{v:.3f} s" if isinstance(v, float) else ("-" if v is None else str(v)) for v in values]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
        row("load", "load_s")
        for name in sorted(set().union(*(b.get("queries", {}) for b in backends.values()))):
            values = [backends[n].get("queries", {}).get(name) for n in names]
            ratio = ""
            if backends.get("rdflib", {}).get("queries", {}).get(name) and backends.get("oxigraph", {}).get("queries", {}).get(name):
                ratio = f"{backends['oxigraph']['queries'][name] / backends['rdflib']['queries'][name]:.3f}"
            cells = [f"{v * 1000:.1f} ms" if v is not None else "skipped" for v in values]
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
        lines.append("| peak memory | " + " | ".join(f"{backends[n].get('peak_rss_mb', 0):.0f} MB" for n in names) + " | |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
