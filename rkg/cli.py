"""The `rkg` command: validate, build, push, stats, query, network, serve, report, export.

Every subcommand gets one `Settings` (the environment, with the command line on top) and either
returns an exit code or raises a library error; `main` is the one place errors become messages and
exit codes: invalid data 1 (every problem listed), a store or endpoint that cannot answer 1, a
value or name the user gave that is not acceptable 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from .errors import RkgError
from .graph.backend import Opened, build_from, open_graph, remote
from .graph.build import Build
from .loaders.problems import LoadError
from .settings import GRAPH_IRI, Settings

EXIT_CODES = {"invalid-data": 1, "store-unavailable": 1, "unavailable": 1, "definition-error": 1}  # others: 2


def settings_of(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's values on top."""
    given = {name: value for name, value in vars(args).items() if value is not None}
    renamed = {"data": "data_dir", "sources": "sources_dir", "timeout": "endpoint_timeout"}
    return Settings.from_env(**{renamed.get(k, k): v for k, v in given.items()})


def _summary(result: Build, opened: Opened | None = None) -> dict:
    from .graph.stats import record_counts
    from .graph.store import EmbeddedStore

    store = opened.store if opened else EmbeddedStore.from_graph(result.graph)
    return {"ok": True, "data_version": result.version, "triples": len(result.graph),
            "records": record_counts(store).nonzero(), "warnings": [w.as_dict() for w in result.warnings],
            "seconds": {k: round(v, 3) for k, v in result.timings.items()}}


def cmd_validate(args, settings: Settings) -> int:
    result = build_from(settings)
    summary = _summary(result)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    records = ", ".join(f"{n} {k}" for k, n in summary["records"].items())
    print(f"valid: {records}; {summary['triples']} triples (data version {result.version})")
    return 0


def cmd_build(args, settings: Settings) -> int:
    from .graph.formats import graph_format, short_names
    from .graph.store import EmbeddedStore

    if not args.out and not settings.store:
        print("error: say where to write the graph: --out FILE and/or --store DIR", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else None
    fmt = graph_format(out.suffix) if out else None
    if out and fmt is None:
        print(f"error: cannot tell the format of {out}: use the extension "
              + ", ".join("." + n for n in short_names()), file=sys.stderr)
        return 2
    tmp = out.with_name(out.name + ".tmp") if out else None
    if tmp and tmp.is_file():
        tmp.unlink()  # left by a build that was killed while writing
    result = build_from(settings.with_(store=None))
    written = {}
    if out and fmt:
        out.parent.mkdir(parents=True, exist_ok=True)
        assert tmp is not None
        try:
            tmp.write_bytes(EmbeddedStore.from_graph(result.graph).export(fmt))
            tmp.replace(out)  # never leave a half-written graph where the old one was
        except BaseException:  # Ctrl-C included
            tmp.unlink(missing_ok=True)
            raise
        written["out"] = str(out)
    if settings.store:
        EmbeddedStore.persist(result.graph, Path(settings.store))
        written["store"] = str(settings.store)
    if args.json:
        print(json.dumps(_summary(result) | written | ({"format": fmt.name} if fmt else {}), indent=2))
    else:
        if out and fmt:
            print(f"wrote {len(result.graph)} triples to {out} ({fmt.name})")
        if settings.store:
            print(f"wrote {len(result.graph)} triples into the store at {settings.store}")
    return 0


def cmd_push(args, settings: Settings) -> int:
    from .graph.store import progress_bar

    result = build_from(settings.with_(endpoint=None))
    triples = remote(settings).push(result.graph, progress=progress_bar)
    print(f"pushed {triples} triples (data version {result.version}) into <{settings.graph}> at {settings.endpoint}")
    return 0


def cmd_stats(args, settings: Settings) -> int:
    from .graph.stats import record_counts

    opened = open_graph(settings)
    counts = record_counts(opened.store)
    if args.json:
        print(json.dumps({"by_kind": counts.by_kind, "by_country": counts.by_country,
                          "data_version": opened.version, "triples": len(opened.store)}, indent=2))
        return 0
    countries = sorted({c for row in counts.by_country.values() for c in row})
    width = max(len(k) for k in counts.by_kind) + 2
    cols = {c: max(6, len(c)) + 1 for c in countries}
    print(f"{'kind':<{width}}{'total':>7}" + "".join(f"{c:>{cols[c]}}" for c in countries))
    for kind, total in counts.by_kind.items():
        print(f"{kind:<{width}}{total:>7}" + "".join(f"{counts.of(kind, c):>{cols[c]}}" for c in countries))
    print("\n(a record counts once for each country it names; 'none' has neither country nor scope)")
    print(f"\n{len(opened.store)} triples, data version {opened.version}")
    return 0


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def format_rows(rows: list[dict], columns: list[str], fmt: str) -> str:
    """Rows of plain values (`rkg.graph.queries.records`) as a table, CSV or JSON."""
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in columns} for r in rows], indent=2, ensure_ascii=False, default=str)
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


def cmd_query_list(args, settings: Settings) -> int:
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


def cmd_query_run(args, settings: Settings) -> int:
    from .graph.queries import get, records, run

    values = {}
    for item in args.param or []:
        if "=" not in item:
            print(f"error: --param takes NAME=VALUE, not '{item}'", file=sys.stderr)
            return 2
        name, value = item.split("=", 1)
        if name.strip() in values:
            print(f"error: --param {name.strip()} is given twice", file=sys.stderr)
            return 2
        values[name.strip()] = value.strip()
    query = get(args.name)
    store = open_graph(settings).store
    rows = records(run(store, query, values), query)
    columns = query.columns or (list(rows[0]) if rows else [])
    print(format_rows(rows, columns, args.format))
    return 1 if query.check and rows else 0


def cmd_network(args, settings: Settings) -> int:
    from .graph.network import export

    country = args.country.upper() if args.country else None
    text = export(open_graph(settings).store, args.format, country)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote the {args.format} actor network{' of ' + country if country else ''} to {args.out}")
    else:
        print(text)
    return 0


def report_error(error: RkgError, as_json: bool) -> int:
    """The one place a library error becomes what the user reads and the exit code."""
    if isinstance(error, LoadError):
        if as_json:
            print(json.dumps({"ok": False, "errors": [p.as_dict() for p in error.problems]}, indent=2))
        else:
            for problem in error.problems:
                print(problem.format(), file=sys.stderr)
            files = len({p.file for p in error.errors})
            print(f"\n{len(error.errors)} error(s) in {files} file(s); nothing was built.", file=sys.stderr)
    elif as_json:
        print(json.dumps({"ok": False, "error": error.as_dict()}, indent=2))
    else:
        print(f"error: {error.message}", file=sys.stderr)
        if error.allowed:
            print("allowed: " + ", ".join(error.allowed[:60]) + (" ..." if len(error.allowed) > 60 else ""),
                  file=sys.stderr)
        elif error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
    return EXIT_CODES.get(error.code, 2)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="rkg", description="Reintegration Knowledge Graph: build, check and serve.")
    sub = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", help="folder of curated YAML (default: ./data or $RKG_DATA)")
        p.add_argument("--sources", default=None, help="folder of source texts (default: DATA/../sources)")
        p.add_argument("--json", action="store_true", default=None, help="machine-readable output")
        p.add_argument("--no-cache", dest="use_cache", action="store_false", default=None,
                       help="build the graph from data/ even if an identical build is cached (.rkg-cache/)")

    def backend_options(p: argparse.ArgumentParser, required: bool = False) -> None:
        where = p if required else p.add_mutually_exclusive_group()
        where.add_argument("--endpoint", required=required,
                           help="a SPARQL 1.1 query endpoint URL (credentials: RKG_ENDPOINT_USER/PASSWORD)")
        if not required:
            where.add_argument("--store", help="an on-disk store written by `rkg build --store`")
        p.add_argument("--graph", help=f"the named graph holding the data on the endpoint (default {GRAPH_IRI})")
        p.add_argument("--timeout", type=float, help="seconds to wait for the endpoint (default 60)")

    p = sub.add_parser("validate", help="check data/ and print every problem, or a one-line summary")
    common(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="write the validated graph to a file (.ttl .nt .jsonld .rdf) or an on-disk store")
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
    backend_options(p)
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
    from .exports.cli import register as register_exports
    from .reports.cli import register as register_reports

    register_serve(sub, common, backend_options)
    register_reports(sub, common, backend_options)
    register_exports(sub, common, backend_options)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings_of(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except RkgError as error:
        return report_error(error, bool(getattr(args, "json", False)))


if __name__ == "__main__":
    sys.exit(main())
