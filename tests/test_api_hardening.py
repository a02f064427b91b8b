"""The server under hostile data and clients: a reload's rebuild is bounded in memory and time and
runs beside the server, not in it."""

from __future__ import annotations

import threading
import time

import httpx

from rkg.api.app import create_app
from rkg.api.settings import Settings

from test_api_support import LiveServer

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOURCE = '{document: mini-report, section: "1", quote: "Reintegration support spans economic"}'


def many_places(count: int) -> str:
    """A valid data file that takes long to build (30,000 places: about a minute in one process)."""
    return "places:\n" + "".join(f"  - {{id: p{i}, name: Place {i}, place_type: district, country: BGD, "
                                 f"source: {SOURCE}}}\n" for i in range(count))


def reload_in_background(url: str) -> tuple[threading.Thread, dict]:
    answer = {}

    def post():
        answer["response"] = httpx.post(url + "/admin/reload", headers=AUTH, timeout=120)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, answer


def test_a_rebuild_past_its_time_limit_fails_like_invalid_data_while_the_server_answers(mini):
    server = LiveServer(create_app(mini, settings=Settings(admin_token=TOKEN, sparql_workers=1,
                                                            rebuild_timeout=3)))
    try:
        before = httpx.get(server.url + "/health").json()["data_version"]
        (mini / "places.yaml").write_text(many_places(30_000))
        thread, answer = reload_in_background(server.url)
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.0  # the rebuild runs beside the server, not in it
        thread.join(timeout=15)
        assert not thread.is_alive(), "the reload did not end within 15 s"
        refused = answer["response"]
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "invalid-data" and error["data_version"] == before
        assert error["problems"][0]["code"] == "rebuild-time" and "longer than 3 s" in error["problems"][0]["message"]
        health = httpx.get(server.url + "/health").json()
        assert health["data_version"] == before and health["last_reload"]["ok"] is False
        assert httpx.get(server.url + "/programmes/prottasha").json()["name"] == "Prottasha"
    finally:
        server.stop()


def test_a_rebuild_past_its_memory_limit_fails_like_invalid_data(mini):
    server = LiveServer(create_app(mini, settings=Settings(admin_token=TOKEN, sparql_workers=1,
                                                            rebuild_memory_mb=200)))
    try:
        before = httpx.get(server.url + "/health").json()["data_version"]
        # valid YAML, within the size limit, that takes about 300 MB to build
        (mini / "big.yaml").write_text("places:\n  - id: big\n    name: " + "x" * 45_000_000 + "\n")
        refused = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=60)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["error"]["problems"]
        assert problem["code"] == "rebuild-memory" and "200 MiB" in problem["message"], problem
        assert httpx.get(server.url + "/health").json()["data_version"] == before
        (mini / "big.yaml").unlink()
        (mini / "records.yaml").write_text((mini / "records.yaml").read_text().replace(
            "    name: Prottasha\n", "    name: Prottasha bounded\n", 1))
        reloaded = httpx.post(server.url + "/admin/reload", headers=AUTH, timeout=60)
        assert reloaded.status_code == 200, reloaded.text  # within the limit, a rebuild works
        assert httpx.get(server.url + "/programmes/prottasha").json()["name"] == "Prottasha bounded"
    finally:
        server.stop()
