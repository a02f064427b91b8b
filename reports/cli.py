"""`rkg report`: a country or regional gap report as HTML, Markdown or PDF.

    rkg report --country NPL --format html --out nepal.html
    rkg report --regional --out regional.pdf          # the format follows the extension
    rkg report --country BGD --store out/store         # read an on-disk store instead of building
    rkg report --country LKA --date 2026-12-06 --out lka.pdf   # the report's date (default today)

A report is a function of the data version and of its date: the same data and date give the
same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def cmd_report(args, settings) -> int:
    from ..graph.backend import open_graph
    from ..graph.parameters import ParamType
    from . import EXTENSIONS, REGIONAL, generate

    out = Path(args.out) if args.out else None
    fmt = args.format or (EXTENSIONS.get(out.suffix.lower()) if out else None) or "html"
    if out and args.format and EXTENSIONS.get(out.suffix.lower()) not in (None, args.format):
        print(f"error: --format {args.format} does not match the extension of {out}", file=sys.stderr)
        return 2
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        print("error: a PDF report needs --out FILE (or redirect the output)", file=sys.stderr)
        return 2
    target = REGIONAL if args.regional else args.country
    as_of = ParamType("date").value("date", args.date) if args.date else None
    opened = open_graph(settings)
    content = generate(opened.store, target, fmt, opened.version, as_of)
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(out)  # never leave half a report where the old one was
    if args.json:
        print(json.dumps({"ok": True, "report": REGIONAL if args.regional else target.upper(), "format": fmt,
                          "out": str(out), "bytes": len(content)}, indent=2))
    else:
        print(f"wrote the {'regional' if args.regional else target.upper()} report ({fmt}, {len(content):,} bytes) "
              f"to {out}", file=sys.stderr)
    return 0


def register(sub, common, backend_options) -> None:
    """Add `rkg report` to the CLI's subcommands (`common` adds --data, --sources, --json;
    `backend_options` --store, --endpoint, --graph, --timeout)."""
    p = sub.add_parser("report", help="a gap report on one country or the region, as html, md or pdf",
                       description="Generate a gap report from the validated graph. The same data and date "
                                   "give a byte-identical report.")
    common(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--country", metavar="ISO3", help="a country of origin (BGD, IND, LKA, NPL, PAK)")
    which.add_argument("--regional", action="store_true", help="the five countries side by side")
    p.add_argument("--format", choices=["html", "md", "pdf"],
                   help="output format (default: from the --out extension, else html)")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--date", metavar="DAY", help="the report's date, printed on its cover and the reference date of "
                                                 "its sustainability section: 2026-12-06 (a year or month means its "
                                                 "first day), or today (the default)")
    backend_options(p)
    p.set_defaults(func=cmd_report)


__all__ = ["register", "cmd_report"]
