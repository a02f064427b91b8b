"""Stores: where the validated graph lives while it is queried.

One small interface, three backends:

- `EmbeddedStore.from_graph(graph)`: Oxigraph in process, in memory (the default);
- `EmbeddedStore.persist(graph, path)` / `EmbeddedStore.open(path)`: the same engine on disk,
  written atomically and opened read-only by readers;
- `RemoteStore(endpoint)`: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, GraphDB,
  QLever), queried through SPARQLWrapper and loaded through the Graph Store Protocol.

rdflib builds and validates the graph; a store answers queries (`select`), counts triples
(`len`) and exports. Oxigraph ran the coverage and overlap queries one to two orders of
magnitude faster than rdflib on these machines, hence the default.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from ..errors import Unavailable
from ..settings import GRAPH_IRI

_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_MARKER = re.compile(r"VALUES\s+\?(\w+)\s*\{\s*UNDEF\s*\}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def stale(folder: Path, prefix: str) -> list[Path]:
    """The entries of `folder` named `prefix<pid>-...` whose process has ended (left behind by a
    process that was killed) and that belong to this user; a running process's are not stale."""
    found: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return found
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0] if entry.name.startswith(prefix) else ""
        try:
            if pid.isdigit() and not _alive(int(pid)) and entry.lstat().st_uid == os.getuid():
                found.append(entry)
        except OSError:
            continue
    return found


def remove_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove what `stale` finds; the paths removed."""
    removed = stale(folder, prefix)
    for entry in removed:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return removed


class StoreError(Unavailable):
    """A store could not answer: the message says what happened and what to check."""

    code = "store-unavailable"


class Store(Protocol):
    """What every backend does: answer SELECT queries with parameters bound, count its triples and
    give its graph back in an RDF format."""

    def select(self, query: str, bindings: dict | None = None) -> list[dict]: ...

    def __len__(self) -> int: ...

    def export(self, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes: ...


def with_values(query: str, bindings: dict | None) -> str:
    """The query with its parameters bound by a VALUES block at the start of the outermost WHERE.

    Values are RDF terms (already checked against the graph's vocabulary) serialised by rdflib,
    so quotes and escapes are correct; a VALUES block placed first is visible to every BIND,
    FILTER and EXISTS of that group, on every SPARQL 1.1 engine. (Oxigraph's own substitutions
    behave like a final VALUES clause and do not reach filters.)

    A sub-select cannot see the outer VALUES (SPARQL evaluates it first), so a query may mark
    where a parameter should also restrict a sub-select with `VALUES ?name { UNDEF }`: unbound it
    restricts nothing, bound it is given the value. Only sub-selects that project the parameter
    (or a variable fixed by it) and have no LIMIT may carry the marker, so that the answer is the
    same with or without it; only the work changes.
    """
    if not bindings:
        return query
    lines = [line if not line.lstrip().startswith("#") else " " * len(line) for line in query.split("\n")]
    match = _WHERE.search("\n".join(lines))
    if match is None:
        raise ValueError("a parameterised query needs an explicit WHERE { ... }")
    names = sorted(bindings)
    block = (" VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(bindings[n].n3() for n in names) + ") } ")
    query = query[:match.end()] + block + query[match.end():]

    def fill(marker: re.Match) -> str:
        name = marker.group(1)
        return f"VALUES ?{name} {{ {bindings[name].n3()} }}" if name in bindings else marker.group(0)

    return _MARKER.sub(fill, query)


# ---------------------------------------------------------------------------- embedded

@lru_cache(maxsize=1 << 16)
def _from_ox(term):
    # cached: building an rdflib Literal costs microseconds, and answers repeat the same terms
    # (codes, names, counts) row after row
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@dataclass
class EmbeddedStore:
    store: ox.Store
    path: Path | None = None

    @classmethod
    def from_graph(cls, graph: Graph) -> EmbeddedStore:
        store = ox.Store()
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return cls(store)

    @classmethod
    def persist(cls, graph: Graph, path: Path) -> Path:
        """Write the graph into an on-disk store at `path`, replacing what was there only once
        the new store is complete (built beside it, then renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # what a persist that was killed left: its half-written store, or the store it was replacing
        # (put back if it had not been replaced yet); the pid in the names tells whose they are
        olds = sorted(stale(path.parent, path.name + ".old-"), key=lambda p: p.stat().st_mtime)
        if olds and not path.exists():
            olds.pop().rename(path)
        remove_stale(path.parent, path.name + ".new-")
        remove_stale(path.parent, path.name + ".old-")
        staging = Path(tempfile.mkdtemp(prefix=f"{path.name}.new-{os.getpid()}-", dir=path.parent))
        try:
            store = ox.Store(str(staging))
            store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            del store
            old = path.with_name(f"{path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
            if path.exists():
                path.rename(old)
            staging.rename(path)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return path

    @classmethod
    def open(cls, path: Path) -> EmbeddedStore:
        """Open an on-disk store read-only (several processes may read it at once)."""
        path = Path(path)
        if not path.is_dir():
            raise StoreError(f"there is no store at {path}: write one with `rkg build --store {path}`")
        try:
            return cls(ox.Store.read_only(str(path)), path)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def __len__(self) -> int:
        return len(self.store)

    def select(self, query: str, bindings: dict | None = None) -> list[dict]:
        """Run a SELECT query with `bindings` (variable name -> rdflib term) bound by VALUES."""
        solutions = self.store.query(with_values(query, bindings))
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError("select() runs SELECT queries only")
        names = [v.value for v in solutions.variables]
        return [{name: _from_ox(row[name]) for name in names} for row in solutions]

    def export(self, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes:
        """The default graph in `fmt` (the whole dataset for a format with named graphs)."""
        from .build import prefixes

        dumped = self.store.dump(format=fmt) if fmt.supports_datasets else \
            self.store.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes())
        return dumped or b""


# ---------------------------------------------------------------------------- remote

_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CREDENTIALS_HINT = " (check the endpoint's user and password: RKG_ENDPOINT_USER and RKG_ENDPOINT_PASSWORD)"
_UNBOUND_MARKER = re.compile(r"\bVALUES\s+\?\w+\s*\{\s*UNDEF\s*\}", re.I)


def _from_json(binding: dict | None):
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype == _XSD_BOOLEAN and value in ("1", "0"):
        # "1" and "0" are xsd:boolean's other spellings of true and false (XML Schema part 2,
        # 3.2.2.1), the same values; Virtuoso keeps booleans as numbers and writes them so.
        # The canonical spelling, which the other engines write, keeps answers comparable.
        value = "true" if value == "1" else "false"
    return Literal(value, datatype=URIRef(datatype) if datatype else None)


def derived_endpoints(endpoint: str) -> tuple[str | None, str | None]:
    """The update and Graph Store endpoints of the usual layouts, from the query endpoint:
    Oxigraph serves /query, /update and /store; Fuseki /<dataset>/query (or /sparql),
    /<dataset>/update and /<dataset>/data; Virtuoso /sparql for both and /sparql-graph-crud,
    or, behind its login, /sparql-auth for both and /sparql-graph-crud-auth."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    root = f"{parts.scheme}://{parts.netloc}"
    segments = [s for s in parts.path.split("/") if s]
    if segments == ["query"]:
        return root + "/update", root + "/store"
    if segments == ["sparql"]:
        return endpoint, root + "/sparql-graph-crud"
    if segments == ["sparql-auth"]:
        return endpoint, root + "/sparql-graph-crud-auth"
    if len(segments) == 2 and segments[1] in ("query", "sparql"):
        return f"{root}/{segments[0]}/update", f"{root}/{segments[0]}/data"
    return None, None


@dataclass
class RemoteStore:
    """A SPARQL 1.1 endpoint. `graph` names the graph our data lives in (queries see it as their
    default graph); `user` and `password`, when given, log in (Basic or Digest, as the server asks)."""

    endpoint: str
    graph: str | None = GRAPH_IRI
    update_endpoint: str | None = None
    store_endpoint: str | None = None
    timeout: float = 60.0
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    _logins: dict = field(default_factory=dict, init=False, repr=False)  # URL -> (httpx auth, Digest realm)

    def __post_init__(self):
        update, store = derived_endpoints(self.endpoint)
        self.update_endpoint = self.update_endpoint or update
        self.store_endpoint = self.store_endpoint or store

    def _client(self, url: str):
        from SPARQLWrapper import DIGEST, JSON, POST, SPARQLWrapper

        client = SPARQLWrapper(url)
        client.setMethod(POST)  # long queries do not fit in a URL
        client.setReturnFormat(JSON)
        client.setTimeout(int(self.timeout))
        if self.user:
            realm = self._login(url)[1]
            if realm is None:
                client.setCredentials(self.user, self.password or "")
            else:  # SPARQLWrapper answers the challenge with urllib's Digest handler
                client.setHTTPAuth(DIGEST)
                client.setCredentials(self.user, self.password or "", realm=realm)
        return client

    def _login(self, url: str, params: dict | None = None):
        """How `url` wants the credentials: (httpx auth, Digest realm or None for Basic).

        HTTP's own negotiation, once per URL (as `curl --anyauth` does): a HEAD request, and the
        scheme the server's 401 challenge asks for. Basic when no Digest challenge comes back
        (Fuseki, GraphDB and most proxies ask for Basic); Digest when asked, as Virtuoso's
        /sparql-auth and /sparql-graph-crud-auth do: they accept nothing else and answer a Basic
        header with a bare 401. The Digest auth keeps the server's challenge, so an upload goes
        out once, already signed, instead of once refused and once again."""
        import httpx

        if url not in self._logins:
            digest = httpx.DigestAuth(self.user or "", self.password or "")
            realm = None
            try:
                sent = httpx.head(url, params=params, auth=digest, timeout=self.timeout).request
                found = re.match(r'Digest .*?\brealm="([^"]*)"', sent.headers.get("authorization", ""))
                realm = found.group(1) if found else None
            except httpx.HTTPError:
                pass  # the request proper reports an unreachable server
            basic = httpx.BasicAuth(self.user or "", self.password or "")
            self._logins[url] = (basic, None) if realm is None else (digest, realm)
        return self._logins[url]

    def _call(self, client, what: str):
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

        try:
            return client.query()
        except SPARQLWrapperException as exc:
            hint = _CREDENTIALS_HINT if isinstance(exc, Unauthorized) else ""
            raise StoreError(f"{what} failed at {client.endpoint}: {exc.msg.strip() or exc}{hint}") from exc
        except urllib.error.HTTPError as exc:
            hint = _CREDENTIALS_HINT if exc.code in (401, 403) else ""
            raise StoreError(f"{what} failed at {client.endpoint}: HTTP {exc.code} {exc.reason}{hint}") from exc
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {client.endpoint}: {exc.reason}; "
                             "is the server running and the URL right?") from exc
        except TimeoutError as exc:
            raise StoreError(f"{what} at {client.endpoint} took longer than {self.timeout:g} s") from exc

    def select(self, query: str, bindings: dict | None = None) -> list[dict]:
        client = self._client(self.endpoint)
        # whole-line comments are documentation; SPARQLWrapper reads the query's form from its text
        # and can be misled by quotes in them, so they are not sent
        text = "\n".join(line for line in with_values(query, bindings).split("\n")
                         if not line.lstrip().startswith("#"))
        # a parameter marker left unbound, VALUES ?name { UNDEF } (see with_values), is one empty
        # solution, the identity of a join, so it is left out: Virtuoso (7.2) answers some
        # queries wrongly when such a block sits in a sub-select
        text = _UNBOUND_MARKER.sub(" ", text)
        client.setQuery(text)
        if self.graph:
            client.addDefaultGraph(self.graph)
        answer = self._call(client, "the query")
        result = answer.convert()
        names = result["head"].get("vars", [])
        rows = result["results"]["bindings"]
        # Virtuoso stops an answer at its ResultSetMaxRows without an error, saying so only in
        # this header; a cut answer would pass for a whole one
        cap = answer.info().get("x-sparql-maxrows")
        if cap and cap.isdigit() and len(rows) >= int(cap):
            raise StoreError(f"the answer from {self.endpoint} may be cut short: the server stops answers at "
                             f"{cap} rows (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")
        return [{name: _from_json(row.get(name)) for name in names} for row in rows]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]) if rows else 0

    def export(self, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes:
        import httpx

        media = fmt.media_type
        params = {"graph": self.graph} if self.graph else {"default": ""}
        response = httpx.get(self._require_store(), params=params, headers={"Accept": media},
                             timeout=self.timeout, auth=self._auth(self._require_store(), params))
        response.raise_for_status()
        return response.content

    def _auth(self, url: str, params: dict | None = None):
        return self._login(url, params)[0] if self.user else None

    def _require_store(self) -> str:
        if not self.store_endpoint:
            raise StoreError(f"no Graph Store Protocol endpoint is known for {self.endpoint}: "
                             "pass --store-endpoint (Oxigraph: /store, Fuseki: /<dataset>/data, "
                             "Virtuoso: /sparql-graph-crud or /sparql-graph-crud-auth)")
        return self.store_endpoint

    def push(self, graph: Graph, progress: Callable[[int, int], None] | None = None,
             chunk_size: int = 1 << 20) -> int:
        """Upload the graph into `self.graph`, atomically: the new version goes into a graph of
        its own beside the old one, and one SPARQL Update moves it into place, so readers see
        the old graph or the new one, never half of either. Returns the triples uploaded."""
        import httpx

        if not self.graph:
            raise StoreError("push needs a named graph to replace (--graph IRI)")
        if not self.update_endpoint:
            raise StoreError(f"no SPARQL Update endpoint is known for {self.endpoint}: pass --update-endpoint")
        staging = f"{self.graph}/staging-{uuid.uuid4().hex}"
        body = graph.serialize(format="nt", encoding="utf-8")

        class Chunks:
            """The body in pieces, with progress; iterable again should the server want the
            request repeated (a Digest challenge gone stale), which a generator is not."""

            def __iter__(self) -> Iterator[bytes]:
                for start in range(0, len(body), chunk_size):
                    yield body[start:start + chunk_size]
                    if progress:
                        progress(min(start + chunk_size, len(body)), len(body))

        # the length is given up front rather than sending the body chunked: Virtuoso (7.2) answers
        # a chunked upload with 201 Created and stores nothing
        target = {"graph": staging}
        try:
            response = httpx.put(self._require_store(), params=target, content=Chunks(),
                                 headers={"Content-Type": "application/n-triples",
                                          "Content-Length": str(len(body))},
                                 timeout=max(self.timeout, 600), auth=self._auth(self._require_store(), target))
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot upload to {self.store_endpoint}: {exc}") from exc
        if response.status_code >= 300:
            hint = _CREDENTIALS_HINT if response.status_code in (401, 403) else ""
            raise StoreError(f"the upload to {self.store_endpoint} was refused: HTTP {response.status_code} "
                             f"{response.text[:300]}{hint}")
        client = self._client(self.update_endpoint)
        client.setQuery(f"MOVE SILENT <{staging}> TO <{self.graph}>")
        try:
            self._call(client, "switching to the new graph")
        except StoreError:
            cleanup = self._client(self.update_endpoint)
            cleanup.setQuery(f"DROP SILENT GRAPH <{staging}>")
            with contextlib.suppress(StoreError):
                self._call(cleanup, "dropping the staging graph")
            raise
        return len(graph)


def progress_bar(done: int, total: int, stream=sys.stderr) -> None:
    """A one-line progress bar for uploads (only when the output is a terminal)."""
    if not stream.isatty():
        return
    width = 30
    filled = int(width * done / total) if total else width
    stream.write(f"\r  uploading [{'#' * filled}{'.' * (width - filled)}] {done / 1e6:.1f}/{total / 1e6:.1f} MB")
    if done >= total:
        stream.write("\n")
    stream.flush()
