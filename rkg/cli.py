"""The `rkg` command: validate, build, stats, serve."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from .graph.build import Build, build, default_data_dir
from .loaders.problems import LoadError

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


def _build(args) -> Build:
    return build(Path(args.data), Path(args.sources) if args.sources else None)


def _report_errors(error: LoadError, as_json: bool) -> int:
    errors = [p for p in error.problems if p.severity == "error"]
    if as_json:
        print(json.dumps({"ok": False, "errors": [p.as_dict() for p in error.problems]}, indent=2))
    else:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        files = len({p.file for p in errors})
        print(f"\n{len(errors)} error(s) in {files} file(s); nothing was built.", file=sys.stderr)
    return 1


def _summary(result: Build) -> dict:
    return {"ok": True, "data_version": result.version, "triples": result.triples,
            "records": {k: v for k, v in result.counts.items() if v},
            "warnings": [w.as_dict() for w in result.warnings],
            "seconds": {k: round(v, 3) for k, v in result.timings.items()}}


def cmd_validate(args) -> int:
    try:
        result = _build(args)
    except LoadError as error:
        return _report_errors(error, args.json)
    if args.json:
        print(json.dumps(_summary(result), indent=2))
        return 0
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    records = ", ".join(f"{n} {k}" for k, n in result.counts.items() if n)
    print(f"valid: {records}; {result.triples} triples (data version {result.version})")
    return 0


def cmd_build(args) -> int:
    from .graph.store import EmbeddedStore

    if not args.out and not args.store:
        print("error: say where to write the graph: --out FILE and/or --store DIR", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else None
    fmt = FORMATS.get(out.suffix.lower()) if out else None
    if out and fmt is None:
        print(f"error: cannot tell the format of {out}: use one of {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    tmp = out.with_name(out.name + ".tmp") if out else None
    if tmp and tmp.is_file():
        tmp.unlink()  # left by a build that was killed while writing
    try:
        result = _build(args)
    except LoadError as error:
        return _report_errors(error, args.json)
    written = {}
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            result.graph.serialize(destination=tmp, format=fmt)
            tmp.replace(out)  # never leave a half-written graph where the old one was
        except BaseException:  # Ctrl-C included
            tmp.unlink(missing_ok=True)
            raise
        written["out"] = str(out)
    if args.store:
        EmbeddedStore.persist(result.graph, Path(args.store))
        written["store"] = str(args.store)
    if args.json:
        print(json.dumps(_summary(result) | written | ({"format": fmt} if fmt else {}), indent=2))
    else:
        if out:
            print(f"wrote {result.triples} triples to {out} ({fmt})")
        if args.store:
            print(f"wrote {result.triples} triples into the store at {args.store}")
    return 0


def cmd_push(args) -> int:
    from .graph.store import RemoteStore, StoreError, progress_bar

    try:
        result = _build(args)
    except LoadError as error:
        return _report_errors(error, args.json)
    remote = RemoteStore(args.endpoint, graph=args.graph, update_endpoint=args.update_endpoint,
                         store_endpoint=args.store_endpoint, timeout=args.timeout)
    try:
        triples = remote.push(result.graph, progress=progress_bar)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"pushed {triples} triples (data version {result.version}) into <{args.graph}> at {args.endpoint}")
    return 0


def cmd_stats(args) -> int:
    from .graph.stats import stats

    try:
        result = _build(args)
    except LoadError as error:
        return _report_errors(error, args.json)
    table = stats(result.graph)
    if args.json:
        print(json.dumps(table | {"data_version": result.version, "triples": result.triples}, indent=2))
        return 0
    countries = sorted({c for row in table["by_country"].values() for c in row})
    width = max(len(k) for k in table["by_kind"]) + 2
    cols = {c: max(6, len(c)) + 1 for c in countries}
    print(f"{'kind':<{width}}{'total':>7}" + "".join(f"{c:>{cols[c]}}" for c in countries))
    for kind, total in table["by_kind"].items():
        row = table["by_country"].get(kind, {})
        print(f"{kind:<{width}}{total:>7}" + "".join(f"{row.get(c, 0):>{cols[c]}}" for c in countries))
    print("\n(a record counts once for each country it names; 'none' has neither country nor scope)")
    print(f"\n{result.triples} triples, data version {result.version}")
    return 0


def _store(args):
    """The store a command reads: a remote endpoint, an on-disk store, or the graph built now."""
    from .graph.store import EmbeddedStore, RemoteStore

    if getattr(args, "endpoint", None):
        return None, RemoteStore(args.endpoint, graph=args.graph, timeout=args.timeout)
    if getattr(args, "store", None):
        return None, EmbeddedStore.open(Path(args.store))
    result = _build(args)
    return result, EmbeddedStore.from_graph(result.graph)


def _cell(value) -> str:
    return "" if value is None else str(value)


def format_rows(rows: list[dict], columns: list[str], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{c: _cell(r.get(c)) if r.get(c) is not None else None for c in columns} for r in rows],
                          indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(r.get(c)) for c in columns] for r in rows])
        return out.getvalue().rstrip("\n")
    widths = {c: min(60, max([len(c)] + [len(_cell(r.get(c))) for r in rows])) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns), "  ".join("-" * widths[c] for c in columns)]
    for r in rows:
        lines.append("  ".join(_cell(r.get(c))[:widths[c]].ljust(widths[c]) for c in columns).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def cmd_query_list(args) -> int:
    from .graph.queries import library

    queries = [q for q in library().values() if args.checks or not q.check]
    if args.json:
        print(json.dumps([q.as_dict() for q in queries], indent=2))
        return 0
    for q in queries:
        print(f"{q.name}{'  [check]' if q.check else ''}\n  {q.title}: {q.answers}")
        for p in q.params:
            flags = "required" if p.required else (f"default {p.default}" if p.default else "optional")
            print(f"    --param {p.name}=<{p.type}>  ({flags}) {p.help}")
        for example in q.examples:
            print(f"    e.g. {example}")
        print()
    return 0


def cmd_query_run(args) -> int:
    from .graph.queries import QueryError, Vocabulary, get, run
    from .graph.store import StoreError

    values = {}
    for item in args.param or []:
        if "=" not in item:
            print(f"error: --param takes NAME=VALUE, not '{item}'", file=sys.stderr)
            return 2
        name, value = item.split("=", 1)
        values[name.strip()] = value.strip()
    try:
        query = get(args.name)
        result, store = _store(args)
        rows = run(store, query, values, Vocabulary.from_store(store))
    except LoadError as error:
        return _report_errors(error, False)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except QueryError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.allowed:
            print("allowed: " + ", ".join(error.allowed[:60]) + (" ..." if len(error.allowed) > 60 else ""),
                  file=sys.stderr)
        return 2
    columns = query.columns or (list(rows[0]) if rows else [])
    columns = [c for c in columns if not rows or c in rows[0]] or (list(rows[0]) if rows else columns)
    print(format_rows(rows, columns, args.format))
    return 1 if query.check and rows else 0


def cmd_network(args) -> int:
    from .graph.network import export

    from .graph.store import StoreError

    country = args.country.upper() if args.country else None
    try:
        _, store = _store(args)
        text = export(store, args.format, country)
    except LoadError as error:
        return _report_errors(error, False)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote the {args.format} actor network{' of ' + country if country else ''} to {args.out}")
    else:
        print(text)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="rkg", description="Reintegration Knowledge Graph: build, check and serve.")
    sub = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", default=str(default_data_dir()),
                       help="folder of curated YAML (default: ./data or $RKG_DATA)")
        p.add_argument("--sources", default=None, help="folder of source texts (default: DATA/../sources)")
        p.add_argument("--json", action="store_true", help="machine-readable output")

    def backend_options(p: argparse.ArgumentParser, required: bool = False) -> None:
        where = p if required else p.add_mutually_exclusive_group()
        where.add_argument("--endpoint", required=required,
                           help="a SPARQL 1.1 query endpoint URL (credentials: RKG_ENDPOINT_USER/PASSWORD)")
        if not required:
            where.add_argument("--store", help="an on-disk store written by `rkg build --store`")
        p.add_argument("--graph", default="https://w3id.org/reintegration-kg/graph",
                       help="the named graph holding the data on the endpoint")
        p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the endpoint")

    p = sub.add_parser("validate", help="check data/ and print every problem, or a one-line summary")
    common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="write the validated graph to a file (.ttl .nt .jsonld) or an on-disk store")
    common(p)
    p.add_argument("--out", help="output file; the format follows the extension")
    p.add_argument("--store", help="folder of an on-disk Oxigraph store to (re)write atomically")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("push", help="upload the validated graph to a SPARQL 1.1 endpoint, replacing a named graph")
    common(p)
    backend_options(p, required=True)
    p.add_argument("--update-endpoint", help="SPARQL Update URL (derived for Oxigraph, Fuseki, Virtuoso)")
    p.add_argument("--store-endpoint", help="Graph Store Protocol URL (derived for Oxigraph, Fuseki, Virtuoso)")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("stats", help="counts of records by kind and country")
    common(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("query", help="the named SPARQL queries: list them or run one")
    qsub = p.add_subparsers(dest="query_command", required=True)
    q = qsub.add_parser("list", help="every named query with its parameters")
    common(q)
    q.add_argument("--checks", action="store_true", help="include the data checks (*-violation)")
    q.set_defaults(func=cmd_query_list)
    q = qsub.add_parser("run", help="run one named query")
    common(q)
    q.add_argument("name", help="the query's name (see `rkg query list`)")
    q.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter value (repeatable)")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    backend_options(q)
    q.set_defaults(func=cmd_query_run)

    p = sub.add_parser("network", help="the actor network with its metrics (json) or as graphml/gexf")
    common(p)
    p.add_argument("--format", choices=["json", "graphml", "gexf"], default="json")
    p.add_argument("--country", help="only this country's measures (ISO alpha-3)")
    p.add_argument("--out", help="write to this file instead of printing")
    backend_options(p)
    p.set_defaults(func=cmd_network)

    from .api.cli import register as register_serve

    register_serve(sub, common, backend_options)
    from .reports.cli import register as register_reports; register_reports(sub, common)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
