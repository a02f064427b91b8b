"""`rkg export`: the graph as CSV with a Data Package, an Excel workbook, the HXL 3W table or IATI
activities, written into a folder (or as one zip).

    rkg export --format csv --out out/csv          # every table, queries/ and datapackage.json
    rkg export --format hxl --out out --zip        # out/reintegration-kg-<version>-hxl.zip
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def cmd_export(args, settings) -> int:
    from ..graph.backend import open_graph
    from . import bundle, files, zip_name

    opened = open_graph(settings)
    found = files(opened.store, opened.version, args.format)
    out = Path(args.out)
    written = []
    if args.zip:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{zip_name(opened.version, args.format)}.zip"
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(bundle(found, zip_name(opened.version, args.format)))
        tmp.replace(target)  # never leave half a zip where the old one was
        written.append(str(target))
    else:
        for path, content in sorted(found.items()):
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(content)
            tmp.replace(target)
            written.append(str(target))
    if args.json:
        print(json.dumps({"ok": True, "format": args.format, "data_version": opened.version, "files": written},
                         indent=2))
    else:
        print(f"wrote the {args.format} export of data version {opened.version}: {len(written)} file(s) in {out}",
              file=sys.stderr)
    return 0


def register(sub, common, backend_options) -> None:
    """Add `rkg export` to the CLI's subcommands (`common` adds --data, --sources, --json;
    `backend_options` --store, --endpoint, --graph, --timeout)."""
    from . import FORMATS

    p = sub.add_parser("export", help="the graph as csv (with a Data Package), xlsx, hxl (3W) or iati (XML)",
                       description="Write the validated graph in a format its reusers open: "
                                   + "; ".join(f"{k}: {v}" for k, v in FORMATS.items())
                                   + ". The same data gives the same files.")
    common(p)
    p.add_argument("--format", choices=sorted(FORMATS), required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write into (created if needed)")
    p.add_argument("--zip", action="store_true", help="write one zip named by the data version instead of files")
    backend_options(p)
    p.set_defaults(func=cmd_export)


__all__ = ["register", "cmd_export"]
