"""YAML -> RDF -> SHACL validation: the one way a graph is built.

`build()` either returns a validated graph or raises LoadError with every problem found;
it never returns half a graph.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import DCTERMS, RDF, Graph, Literal, URIRef
from rdflib.namespace import VOID

from ..loaders.convert import Converter
from ..loaders.problems import LoadError, Problem
from ..loaders.schema import ID, RKG
from .alignment import align
from .derive import derive
from .validation import shacl_results

ONTOLOGY_FILES = ("rkg.ttl", "concepts.ttl", "countries.ttl")
# the most bytes of YAML a build reads (all data files together; the curated data is under 1 MB)
MAX_DATA_BYTES = 50 * 1024 * 1024
DATASET = URIRef(ID + "dataset")
SHAPES_FILE = "shapes.ttl"


def ontology_dir() -> Path:
    return Path(str(resources.files("rkg.ontology")))


@lru_cache(maxsize=1)
def ontology_files() -> tuple[tuple[str, bytes], ...]:
    """The ontology's files (name, bytes), read once: what is parsed is what the version hashes."""
    return tuple((path.name, path.read_bytes()) for path in sorted(ontology_dir().glob("*.ttl")))


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    graph = Graph()
    files = dict(ontology_files())
    for name in ONTOLOGY_FILES:
        graph.parse(data=files[name], format="turtle", publicID=(ontology_dir() / name).as_uri())
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(data=dict(ontology_files())[SHAPES_FILE], format="turtle",
                         publicID=(ontology_dir() / SHAPES_FILE).as_uri())


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """The prefixes the ontology declares (and `rkg:`), for serialisations that abbreviate IRIs."""
    found = {prefix: str(namespace) for prefix, namespace in ontology_graph().namespaces() if prefix}
    return found | {"rkg": str(RKG)}


def read_data(data_dir: Path, files: list[Path], limit: int = MAX_DATA_BYTES) -> dict[Path, bytes]:
    """Each file's bytes, read once, and never more than `limit` bytes in all (a LoadError at the
    file that passes it): a data folder cannot make a build read without end."""
    contents, total = {}, 0
    for path in files:
        name = path.relative_to(data_dir.parent).as_posix() if data_dir.parent in path.parents else path.as_posix()
        try:
            with open(path, "rb") as stream:
                contents[path] = stream.read(limit - total + 1)
        except OSError as error:
            raise LoadError([Problem(name, 1, 0, "unreadable", f"the file cannot be read: {error.strerror or error}",
                                     "check the file's permissions")]) from None
        total += len(contents[path])
        if total > limit:
            raise LoadError([Problem(name, 1, 0, "too-large",
                                     f"the data files come to more than {limit / 2**20:g} MiB with this one; "
                                     "a build reads at most that much",
                                     "split out or remove what is not curated data (RKG_MAX_DATA_BYTES raises "
                                     "the limit)")])
    return contents


def data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def data_version(data_dir: Path) -> str:
    """A short hash of the curated data and the ontology: changes whenever either does."""
    return version_of([(path.name, path.read_bytes()) for path in data_files(data_dir)])


def version_of(data: list[tuple[str, bytes]]) -> str:
    """The data version of these data files' (name, bytes), with the ontology's."""
    digest = hashlib.sha256()
    for name, content in data + list(ontology_files()):
        digest.update(name.encode())
        digest.update(content)
    return digest.hexdigest()[:12]


@dataclass
class Build:
    graph: Graph
    data_dir: Path
    version: str
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return len(self.graph)


def build(data_dir: Path, sources_dir: Path | None = None, workers: int | None = None,
          engine: str | None = None, max_data_bytes: int = MAX_DATA_BYTES) -> Build:
    """The validated graph of the curated data in `data_dir` (quotes checked against the texts in
    `sources_dir`, by default `sources` beside it). `engine` is the SHACL engine ("shacl", the
    default, or "pyshacl": the same results either way); pySHACL runs on `workers` processes."""
    data_dir = Path(data_dir)
    sources_dir = Path(sources_dir) if sources_dir else data_dir.parent / "sources"
    timings, started = {}, time.perf_counter()
    if not data_dir.is_dir():
        raise LoadError([Problem(str(data_dir), 0, 0, "missing-data",
                                 f"the data folder {data_dir} does not exist",
                                 "run from the project folder or pass --data DIR")])
    files = data_files(data_dir)
    if not files:
        raise LoadError([Problem(str(data_dir), 0, 0, "missing-data", f"no .yaml files in {data_dir}")])
    # each file is read once: the version is the hash of exactly the bytes parsed, so an edit
    # made during a build (--watch) cannot label this graph with the next one's version
    contents = read_data(data_dir, files, max_data_bytes)
    graph = Graph()
    for prefix, namespace in ontology_graph().namespaces():
        graph.bind(prefix, namespace, override=False)
    graph.bind("rkg", RKG)
    graph += ontology_graph()
    converter = Converter(ontology_graph(), data_dir, sources_dir, into=graph)
    converter.read(files, contents)
    conversion = converter.convert()
    timings["convert"] = time.perf_counter() - started

    derive(graph)
    align(graph)

    started = time.perf_counter()
    # with a file unread, the graph lacks its records: the shapes would report what follows from that;
    # with more problems than are listed, checking the shapes too would only take time (pySHACL
    # spends about a millisecond on each record the loader refused, and its results are dropped)
    skip_shapes = converter.unreadable or converter.truncated
    problems = list(conversion.problems) + ([] if skip_shapes else shacl_problems(graph, conversion, workers, engine))
    timings["validate"] = time.perf_counter() - started

    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LoadError(problems)
    warnings = [p for p in problems if p.severity != "error"] + completeness_warnings(conversion)
    version = version_of([(path.name, contents[path]) for path in files])
    describe_dataset(graph, version)
    return Build(graph, data_dir, version, sorted(warnings), timings)


def describe_dataset(graph: Graph, version: str) -> None:
    """The graph says which data version it is, so a store or endpoint holding it can tell."""
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal("Reintegration Knowledge Graph")))
    graph.add((DATASET, DCTERMS.hasVersion, Literal(version)))
    for document in graph.subjects(RDF.type, RKG.SourceDocument):
        graph.add((DATASET, DCTERMS.source, document))


def shacl_problems(graph: Graph, conversion, workers: int | None = None, engine: str | None = None) -> list[Problem]:
    found = set()
    for result in shacl_results(graph, shapes_graph(), workers, engine):
        focus, path = URIRef(result.focus), URIRef(result.path) if result.path else None
        record, line = conversion.locate(focus, path)
        if record is None:
            found.add(Problem("ontology", 0, 0, "shacl", f"{focus}: {result.message}"))
            continue
        if record.id in conversion.records_with_problems:
            continue  # the loader has already reported this, in curator's terms
        found.add(Problem(record.file, line, 0, "shacl", f"{record.kind.label} '{record.id}': {result.message}",
                          severity="error" if result.is_violation else "warning"))
    return sorted(found)


def completeness_warnings(conversion) -> list[Problem]:
    """Not errors: gaps in curation a reviewer should see (measures no query can place)."""
    warnings = []
    for record in conversion.records.values():
        if record.kind.key != "measures":
            continue
        uncertain = record.data.get("uncertain")
        declared = {u for u in (uncertain if isinstance(uncertain, list) else [uncertain]) if isinstance(u, str)}
        missing = [k for k in ("dimensions", "levels") if k not in record.data and k not in declared
                   and not (isinstance(record.data.get("filed_under"), dict)
                            and k[:-1] in record.data["filed_under"])]
        if missing:
            warnings.append(Problem(record.file, record.line, 0, "incomplete",
                                    f"measure '{record.id}' has no {' and no '.join(missing)}: "
                                    "it will not appear in coverage queries",
                                    "add them where the source says; otherwise explain in `note:`",
                                    severity="warning"))
    return warnings
