"""`rkg serve --workers 2` (api/workers.py): two worker processes serve the same data version, a
reload sent to one of them reaches both, and a reload that fails changes neither. A real server on
a free local port, with a copy of the mini data, bounded to well under 30 s; and the same steps in
one process, two apps sharing one folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from rkg.api.app import create_app
from rkg.api.workers import Shared
from rkg.cli import parser, settings_of
from rkg.graph.backend import open_graph
from rkg.settings import Settings
from support import data_settings, replace_in
from support.live import free_port

TOKEN = "test-token-123"
LIMIT = 20.0  # seconds any one wait may take


def versions_by_pid(url: str, want: int = 2, seconds: float = LIMIT, until=None) -> dict[int, str]:
    """{worker pid: data version} from /health, asked on a new connection each time (the kernel
    hands connections to either worker), until `want` pids are seen and `until(seen)` holds."""
    seen: dict[int, str] = {}
    deadline = time.monotonic() + seconds
    while True:
        try:
            body = httpx.get(url + "/health", timeout=5).json()
            seen[body["worker"]["pid"]] = body["data_version"]
            assert body["worker"]["workers"] == 2
        except httpx.HTTPError:
            pass
        if len(seen) >= want and (until is None or until(seen)):
            return seen
        assert time.monotonic() < deadline, f"timed out; seen {seen}"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.server
def test_two_workers_serve_one_version_and_a_reload_reaches_both(mini, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, RKG_ADMIN_TOKEN=TOKEN, RKG_CACHE=str(tmp_path / "cache"), TMPDIR=str(tmp_path))
    command = [sys.executable, "-m", "rkg.cli", "serve", "--workers", "2", "--data", str(mini), "--port", str(port)]
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        started = versions_by_pid(url)
        assert len(set(started.values())) == 1, started
        before = next(iter(started.values()))

        replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha programme\n")
        reloaded = httpx.post(url + "/admin/reload", headers=auth, timeout=LIMIT)
        assert reloaded.status_code == 200, reloaded.text
        after = reloaded.json()["data_version"]
        assert after != before
        # every worker, whichever received the reload, serves the new version (and its answers)
        versions_by_pid(url, until=lambda seen: set(seen.values()) == {after} and len(seen) >= 2)
        for _ in range(6):
            assert httpx.get(url + "/programmes/prottasha", timeout=5).json()["name"] == "Prottasha programme"

        replace_in(mini / "records.yaml", "      lead: [gob]\n", "      lead: [gob-typo]\n")
        refused = httpx.post(url + "/admin/reload", headers=auth, timeout=LIMIT)
        assert refused.status_code == 422 and refused.json()["error"]["data_version"] == after
        time.sleep(1.5)  # three times as long as a worker takes to notice a reload
        kept = versions_by_pid(url, seconds=5)
        assert set(kept.values()) == {after}, kept
        assert server.poll() is None
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    assert server.returncode == 0, log.read_text(errors="replace")[-2000:]
    assert not list(tmp_path.glob("rkg-serve-*")), "the shared folder outlived the server"


def test_a_reload_published_by_one_worker_is_served_by_the_other_and_a_failed_one_by_none(mini, tmp_path):
    settings = data_settings(mini, use_cache=True, cache_dir=tmp_path / "cache", admin_token=TOKEN,
                             sparql_workers=1, workers=2)
    folder = tmp_path / "shared"
    folder.mkdir()
    opened = open_graph(settings)
    Shared(folder, settings).publish(opened.store, opened.version)  # what the parent does
    shares = [Shared(folder, settings), Shared(folder, settings)]
    apps = [create_app(settings, shared=share) for share in shares]
    clients = [TestClient(app) for app in apps]
    assert {c.get("/health").json()["data_version"] for c in clients} == {opened.version}
    assert all(share.catch_up(app, app.state.graphs) is False for share, app in zip(shares, apps))  # nothing newer

    replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha programme\n")
    reloaded = clients[0].post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reloaded.status_code == 200
    new = reloaded.json()["data_version"]
    assert shares[1].catch_up(apps[1], apps[1].state.graphs) is True
    assert clients[1].get("/health").json()["data_version"] == new
    assert clients[1].get("/programmes/prottasha").json()["name"] == "Prottasha programme"
    assert shares[0].catch_up(apps[0], apps[0].state.graphs) is False  # its own reload: nothing to do

    replace_in(mini / "records.yaml", "      lead: [gob]\n", "      lead: [gob-typo]\n")
    assert clients[1].post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 422
    assert shares[0].catch_up(apps[0], apps[0].state.graphs) is False
    assert {c.get("/health").json()["data_version"] for c in clients} == {new}


def test_workers_is_a_setting_and_the_sparql_processes_are_shared_out():
    args = parser().parse_args(["serve", "--workers", "3"])
    assert settings_of(args).workers == 3 and settings_of(args).sparql_workers == 1
    assert Settings.from_env({"RKG_WORKERS": "2"}).workers == 2
    assert Settings.from_env({}).sparql_workers == 2  # one server process: as before
    assert Settings.from_env({"RKG_SPARQL_WORKERS": "4"}, workers=2).sparql_workers == 4
    with pytest.raises(ValueError):
        Settings(workers=0)


def test_the_settings_handed_to_the_workers_leave_the_secrets_to_the_environment(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", admin_token="secret", endpoint_password="hidden", workers=2,
                        sparql_timeout=3.5)
    handed = settings.handed_down(tmp_path / "shared")
    assert "secret" not in handed and "hidden" not in handed
    received, folder = Settings.handed_over({"RKG_SERVE_HANDOVER": handed, "RKG_ADMIN_TOKEN": "secret"})
    assert folder == tmp_path / "shared"
    assert received == settings.with_(endpoint_password=None)
