"""Real SPARQL 1.1 servers for the backend tests, each private to the test run: its own data
directory, its own free 127.0.0.1 ports, stopped (with every process it started) at the end.

- Oxigraph: `oxigraph serve` from the PyPI package (a test dependency); no login.
- Virtuoso: Debian's `virtuoso-t` (tests/setup/install-virtuoso.sh installs it); a fresh database
  with a user that holds SPARQL_UPDATE, reached through the Digest-protected /sparql-auth and
  /sparql-graph-crud-auth, as a deployment that does not open writes to everyone would be.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from rkg.graph.store import RemoteStore
from rkg.settings import Settings

from .live import free_port


@dataclass
class Server:
    """A running server: its query endpoint and the credentials a client needs (none: open)."""

    name: str
    endpoint: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def env(self) -> dict[str, str]:
        """The environment the CLI reads the credentials from."""
        return {"RKG_ENDPOINT_USER": self.user, "RKG_ENDPOINT_PASSWORD": self.password} if self.user else {}

    def store(self, **options) -> RemoteStore:
        return RemoteStore(self.endpoint, user=self.user, password=self.password, **options)

    def settings(self, **options) -> Settings:
        """Settings that serve or query this server's graph."""
        return Settings(endpoint=self.endpoint, endpoint_user=self.user, endpoint_password=self.password, **options)

    def graphs(self) -> list[str]:
        """The server's named graphs, asked with its own credentials: empty ones too where the
        server keeps them (Oxigraph; a Virtuoso graph exists only through its triples)."""
        rows = self.store(graph=None).select(
            "SELECT DISTINCT ?g WHERE { { GRAPH ?g {} } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return [str(row["g"]) for row in rows if row["g"] is not None]


def _start(command: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        # a session of its own, so that stopping it reaches every process it started
        return subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass


def _wait_for(url: str, params: dict, process: subprocess.Popen, log: Path, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, params=params, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    _stop(process)
    pytest.fail(f"{what} did not start: " + log.read_text(errors="replace")[-1500:])


# ---------------------------------------------------------------------------- Oxigraph

def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the `oxigraph` server (PyPI package oxigraph, a test dependency) is not installed")
    return found


@contextlib.contextmanager
def oxigraph(directory: Path):
    """A running `oxigraph serve` over `directory`, stopped on the way out."""
    port = free_port()
    process = _start([oxigraph_binary(), "serve", "--location", str(directory / "data"),
                      "--bind", f"127.0.0.1:{port}"], directory, directory / "oxigraph.log")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/query", {"query": "ASK {}"}, process, directory / "oxigraph.log", "the Oxigraph server", 20)
        yield Server("oxigraph", base + "/query")
    finally:
        _stop(process)


# ---------------------------------------------------------------------------- Virtuoso

VIRTUOSO_INI = """\
; A private Virtuoso for the tests: everything in this directory, small buffers.
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = ., {dir}
NumberOfBuffers    = 2000
MaxDirtyBuffers    = 1500
CheckpointInterval = 0

[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerRoot    = {dir}/vsp
ServerThreads = 4

[SPARQL]
; Debian's virtuoso.ini stops answers at 10000 rows, saying so only in a response header
ResultSetMaxRows      = {max_rows}
; no limit: with one, Virtuoso answers a slow query with partial results ("anytime queries")
MaxQueryExecutionTime = 0
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found:
        pytest.skip("the Virtuoso server (virtuoso-t, Debian package virtuoso-opensource) is not installed; "
                    "`sh tests/setup/install-virtuoso.sh` installs it")
    return found


def virtuoso_isql() -> str:
    # Debian names Virtuoso's client isql-vt (unixODBC has an isql of its own)
    found = shutil.which("isql-vt") or shutil.which("isql-v")
    if not found:
        pytest.skip("Virtuoso's isql client (isql-vt) is not installed")
    return found


@contextlib.contextmanager
def virtuoso(directory: Path, max_rows: int = 1_000_000):
    """A running `virtuoso-t` with a fresh database in `directory` and a user `rkg` that may
    update through SPARQL, stopped on the way out. `max_rows`: the longest answer it gives."""
    binary, isql = virtuoso_binary(), virtuoso_isql()
    sql_port = free_port()
    http_port = free_port()
    while http_port == sql_port:
        http_port = free_port()
    (directory / "vsp").mkdir()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    process = _start([binary, "+foreground", "+configfile", str(ini)], directory, directory / "console.log")
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_for(base + "/sparql", {"query": "ASK {}"}, process, directory / "console.log", "Virtuoso", 60)
        password = secrets.token_hex(12)
        # a fresh database's administrator is dba/dba; the port is private to this run. The SQL
        # port may open a moment after the HTTP one, hence a few tries.
        command = [isql, f"127.0.0.1:{sql_port}", "dba", "dba",
                   f"exec=DB.DBA.USER_CREATE('rkg', '{password}'); GRANT SPARQL_UPDATE TO \"rkg\";"]
        for _ in range(20):
            setup = subprocess.run(command, capture_output=True, text=True, timeout=60)
            output = setup.stdout + setup.stderr
            if setup.returncode == 0 and "Error" not in output:
                break
            if "Connect failed" not in output:
                pytest.fail("could not create Virtuoso's SPARQL user: " + output[-1500:])
            time.sleep(0.5)
        else:
            pytest.fail("Virtuoso's SQL port did not open: " + output[-1500:])
        yield Server("virtuoso", base + "/sparql-auth", "rkg", password)
    finally:
        _stop(process)
