"""The process that runs untrusted SPARQL queries.

Oxigraph cannot interrupt a query, so queries from /sparql run here, in a process of their
own with its own copy of the graph (loaded from N-Triples), and the API kills the process
when a query passes the time limit. The process also limits its own memory, dies with its
parent, and, where the system allows it, cuts itself off the network before it reads any query.

The graph is held once, as the named graph GRAPH_IRI, which is also the default graph of every
query that does not name its own dataset: `FROM <GRAPH_IRI>`, `GRAPH ?g` and plain patterns all
see it. (Holding a second copy in the store's default graph made every query a third slower.)

This module imports only what the worker needs (it is the target of a fresh interpreter).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import resource
import signal
import sys

import pyoxigraph as ox

from ..graph import formats
from . import sparql_guard as guard
from .negotiation import negotiate

GRAPH_FORMATS = {f.media_type: f for f in formats.GRAPH_FORMATS}  # offered in order of preference
# Anyone's query runs here: below the server in CPU priority, so that runaway queries holding every
# core cannot starve the API process (its event loop, /health), which comes first when both want a core
NICE = 10
SERVED = ox.NamedNode(guard.GRAPH_IRI)


WARM_UP = """PREFIX ex: <http://example.org/>
SELECT ?a (COUNT(DISTINCT ?b) AS ?n) (GROUP_CONCAT(?c; SEPARATOR=", ") AS ?cs) WHERE {
  ?a ex:p/ex:q* ?b ; a ex:C . OPTIONAL { ?b ex:r ?c FILTER(LANG(?c) = "en" && ?c != "x") }
  { SELECT ?a WHERE { ?a ex:s ?d } LIMIT 5 } UNION { VALUES (?a) { (ex:x) } }
  MINUS { ?a ex:t [] } BIND(IF(BOUND(?c), STR(?c), "") AS ?e)
} GROUP BY ?a HAVING (COUNT(?b) > 0) ORDER BY DESC(?n) LIMIT 10 OFFSET 1"""


class ResultTooLarge(Exception):
    pass


class CappedBuffer(io.BytesIO):
    """A binary sink that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.size = limit, 0

    def write(self, data, /) -> int:
        size = memoryview(data).nbytes
        self.size += size
        if self.size > self.limit:
            raise ResultTooLarge()
        return super().write(data)


def content_type(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith("text/") else media


def answer(store: ox.Store, request: dict, max_bytes: int) -> tuple:
    """("ok", media type, body) or ("error", status, code, message)."""
    query = request["query"]
    try:
        plan = guard.check(query, request.get("default_graphs") or (), request.get("named_graphs") or ())
    except guard.Refused as refused:
        return ("error", refused.status, refused.code, refused.message)
    offered = GRAPH_FORMATS if plan.form in ("construct", "describe") else formats.RESULT_FORMATS
    media = negotiate(request.get("accept"), list(offered))
    if media is None:
        return ("error", 406, "not-acceptable",
                f"{plan.form.upper()} results are available as {', '.join(offered)}; "
                f"the request accepts only {request.get('accept')}")
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
    if plan.default_graphs is not None:
        default_graph = [ox.NamedNode(iri) for iri in plan.default_graphs]
    elif not plan.dataset:  # the graph served is the default graph
        default_graph = [SERVED]
    if plan.named_graphs is not None:
        named_graphs = [ox.NamedNode(iri) for iri in plan.named_graphs]
    sink = CappedBuffer(max_bytes)
    try:
        result = store.query(query, default_graph=default_graph, named_graphs=named_graphs)
        if isinstance(result, ox.QueryTriples):  # CONSTRUCT, DESCRIBE: media is one of GRAPH_FORMATS
            result.serialize(sink, format=GRAPH_FORMATS[media])
        else:
            result.serialize(sink, format=formats.RESULT_FORMATS[media])
    except SyntaxError as error:
        return ("error", 400, "malformed-query", f"the query does not parse: {error}")
    except MemoryError:
        raise
    except Exception as error:  # ResultTooLarge, OSError, ValueError, and whatever else the engine raises
        if isinstance(error, ResultTooLarge) or isinstance(error.__context__, ResultTooLarge) \
                or sink.size > max_bytes:
            return ("error", 400, "result-too-large",
                    f"the result is larger than {max_bytes // 1024} KiB: add LIMIT or narrow the query "
                    "(the whole graph is at /graph)")
        return ("error", 400, "query-failed", f"the query failed: {str(error)[:1000]}")
    return ("ok", content_type(media), sink.getvalue())


def _die_with_parent(parent: int) -> None:
    """SIGKILL when the server ends (the pool starts workers from a thread that lives as long as
    the server: Linux sends this signal when the starting *thread* ends)."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent and os.getppid() != parent:  # the server ended before the signal was asked for
        os._exit(1)


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def isolate_network() -> bool:
    """Move this process into a network namespace of its own (no interfaces up): a last line of
    defence should a query ever get past the guard. Best effort: needs Linux and either root or
    unprivileged user namespaces."""
    if not sys.platform.startswith("linux"):
        return False
    CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0 or libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def main(conn, data_path: str, max_bytes: int, memory_mb: int, isolate: bool, parent: int = 0) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    isolated = isolate_network() if isolate else False
    _limit_memory(memory_mb)
    with contextlib.suppress(OSError):
        os.nice(NICE)
    try:
        store = ox.Store()
        store.load(path=data_path, format=ox.RdfFormat.N_TRIPLES, to_graph=SERVED)  # the default graph too: answer()
        triples = len(store)
        guard.check(WARM_UP)  # the parser's first run is slow: take it before the first client
    except Exception as error:  # reported to the parent, which logs it
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", triples, isolated))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            reply = answer(store, request, max_bytes)
        except MemoryError:
            reply = ("error", 503, "query-aborted", "the query needed more memory than the endpoint allows")
        except BaseException as error:  # one request never ends the worker (a Rust panic is a BaseException)
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            reply = ("error", 400, "query-failed", f"the query failed: {type(error).__name__}: {str(error)[:1000]}")
        conn.send(reply)


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    fd, path, max_bytes, memory_mb, isolation, parent = sys.argv[1:7]
    main(Connection(int(fd)), path, int(max_bytes), int(memory_mb), isolation == "isolate", int(parent))
