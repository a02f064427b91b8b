"""/queries, /gaps and /coordination: the named queries over HTTP give the same rows as the
library run directly, with typed and validated parameters."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from rkg.api.analysis import COORDINATION, GAPS
from rkg.graph import queries as Q

PARAMS = {"country": "BGD", "actor": "un-1", "funder": "donor-d", "target_group": "women", "theme": "data",
          "min_countries": "1", "kind": "gap", "status": "in-force", "ending_by": "2021", "min_score": "0.2",
          "phase": "post-return"}


@pytest.fixture(scope="module")
def api(analytics_api):
    return analytics_api


def columns_only(items: list[dict]) -> list[dict]:
    """Rows without the links and sources the API adds to their ids (api/links.py)."""
    return [{k: v for k, v in item.items() if k not in ("links", "sources")} for item in items]


def test_rows_come_as_plain_json_values(api):
    """Numbers as numbers, lists as lists, codes and ids as strings: written out by hand from the
    fixture (tests/fixtures/analytics), not computed by the code under test."""
    cells = api.get("/queries/coverage-matrix", params={"country": "BGD"}).json()["items"]
    cell = next(c for c in cells if (c["dimension"], c["level"]) == ("economic", "individual"))
    assert [link["id"] for link in cell.pop("links")["measure_ids"]] == ["m1", "m2"]
    assert cell == {"country": "BGD", "dimension": "economic", "level": "individual", "measures": 2, "ongoing": 1,
                    "planned": 0, "ended": 1, "status_unknown": 0, "state": 1, "non_state": 1, "actor_not_stated": 0,
                    "measure_ids": ["m1", "m2"], "measure_names": ["Measure One", "Measure Two"]}
    pairs = api.get("/queries/overlapping-actors", params={"country": "BGD", "actor": "donor-d"}).json()["items"]
    un = next(p for p in pairs if p["actor_b"] == "un-1")
    assert un["score"] == 10 and isinstance(un["score"], int) and un["related"] is False
    assert un["shared_cells"] == ["economic/individual", "psychosocial/individual"]


def test_queries_lists_every_named_query_with_its_parameters(api):
    body = api.get("/queries?limit=1000").json()
    assert body["total"] == len(Q.library()) == len(body["items"])
    by_name = {q["name"]: q for q in body["items"]}
    coverage = by_name["coverage-matrix"]
    assert coverage["title"] == "Coverage matrix" and coverage["path"] == "/queries/coverage-matrix"
    assert [p["name"] for p in coverage["params"]] == ["country", "target_group", "phase", "unit"]
    assert coverage["params"][0]["type"] == "iso3" and "SELECT" in coverage["text"]
    assert "measures" in coverage["columns"]
    without_checks = api.get("/queries?checks=false&limit=1000").json()
    assert without_checks["total"] == len([q for q in Q.library().values() if not q.check])


@pytest.mark.parametrize("name", sorted(Q.library()))
def test_every_named_query_runs_over_http_with_the_library_answers(api, analytics, name):
    query = Q.get(name)
    params = {p.name: PARAMS[p.name] for p in query.params if p.name in PARAMS}
    response = api.get(f"/queries/{name}", params=params | {"limit": 1000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == name and body["columns"] == query.columns
    assert {k: str(v) for k, v in body["parameters"].items() if k in params} == params
    expected = analytics(name, **params)
    assert columns_only(body["items"]) == expected and body["total"] == len(expected)


def test_named_query_parameters_are_typed_and_validated(api):
    error = api.get("/queries/coverage-matrix", params={"target_group": "woman"}).json()["error"]
    assert error["code"] == "invalid-parameter" and "women" in error["allowed"]
    error = api.get("/queries/overlapping-actors", params={"actor": "nobody"}).json()["error"]
    assert error["parameter"] == "actor" and "un-1" in error["allowed"]
    for name, params in (("overlapping-actors", {"min_score": "high"}), ("actors-across-countries", {"min_countries": "1.5"}),
                         ("sustainability-risk", {"ending_by": "soon"}), ("overlapping-actors", {"min_score": "nan"}),
                         ("coverage-matrix", {"colour": "red"})):
        response = api.get(f"/queries/{name}", params=params)
        assert response.status_code == 422, (name, params, response.text)
        assert response.json()["error"]["parameter"] == next(iter(params))
    missing = api.get("/queries/coverage-matrx")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"
    assert missing.json()["error"]["suggestions"][0] == "coverage-matrix"


def test_an_actor_parameter_takes_a_name_or_acronym(api, analytics):
    by_acronym = api.get("/coordination/overlaps", params={"country": "BGD", "actor": "UN1"}).json()
    by_name = api.get("/queries/overlapping-actors", params={"country": "BGD", "actor": "un one"}).json()
    expected = analytics("overlapping-actors", country="BGD", actor="un-1")
    assert columns_only(by_acronym["items"]) == columns_only(by_name["items"]) == expected and expected


def test_coverage_lists_every_cell_with_links_and_the_empty_ones(api):
    body = api.get("/gaps/coverage", params={"country": "bgd"}).json()
    assert body["country"] == "BGD" and len(body["cells"]) == 9
    cell = next(c for c in body["cells"] if (c["dimension"], c["level"]) == ("economic", "individual"))
    assert (cell["measures"], cell["ongoing"], cell["ended"], cell["state"], cell["non_state"]) == (2, 1, 1, 1, 1)
    assert cell["programmes"] == "/programmes?country=BGD&dimension=economic&level=individual&kind=dedicated"
    linked = api.get(cell["programmes"]).json()
    assert [p["id"] for p in linked["items"]] == ["m1", "m2"]
    assert body["empty_cells"] == ["economic/community", "psychosocial/community", "psychosocial/structural",
                                   "social/individual", "social/structural"]
    women = api.get("/gaps/coverage", params={"country": "BGD", "target_group": "women"}).json()
    assert women["target_group"] == "women" and sum(c["measures"] for c in women["cells"]) == 2
    assert all("&target_group=women&" in c["programmes"] for c in women["cells"])
    everywhere = api.get("/gaps/coverage").json()
    assert everywhere["country"] is None and len(everywhere["cells"]) == 45


def test_country_profile_cells_agree_with_the_coverage_query(api):
    for country in ("BGD", "NPL"):
        coverage = {(c["dimension"], c["level"]): c["measures"]
                    for c in api.get("/gaps/coverage", params={"country": country}).json()["cells"]}
        profile = {(c["dimension"], c["level"]): c["measures"]
                   for c in api.get(f"/countries/{country}").json()["measures"]["cells"]}
        assert coverage == profile, country


@pytest.mark.parametrize("path,name", [*(("/gaps/" + p, n) for p, n in GAPS.items()),
                                       *(("/coordination/" + p, n) for p, n in COORDINATION.items())])
def test_gap_and_coordination_routes_run_their_named_query(api, analytics, path, name):
    query = Q.get(name)
    params = {p.name: PARAMS[p.name] for p in query.params if p.name in PARAMS and p.name != "min_score"}
    body = api.get(path, params=params).json()
    expected = analytics(name, **params)
    assert set(body) == {"items", "total"}
    assert columns_only(body["items"]) == expected[:100] and body["total"] == len(expected)
    if body["total"] > 1:
        page = api.get(path, params=params | {"limit": 1, "offset": 1}).json()
        assert columns_only(page["items"]) == expected[1:2]


def test_rows_link_their_ids_and_a_row_about_one_record_has_its_sources(api):
    """Written out from the fixture: who-funds-whom names two actors and lists measures (no sources);
    a sustainability-risk row is about one measure (its passages); a coverage cell links its measures."""
    rows = api.get("/coordination/who-funds-whom", params={"country": "BGD"}).json()["items"]
    un = next(r for r in rows if r["implementer"] == "un-1")
    assert un["links"]["funder_id"] == {"id": "donor-d", "kind": "actors", "name": "Donor D", "path": "/actors/donor-d"}
    assert [m["path"] for m in un["links"]["measure_ids"]] == ["/programmes/m2", "/programmes/m4"]
    assert "sources" not in un
    gov = next(r for r in rows if r["funder_id"] == "gov-a")  # m5 names no implementer: listed all the same
    assert gov["implementer"] is None and gov["measure_ids"] == ["m5"] and "implementer" not in gov["links"]
    risks = api.get("/gaps/sustainability-risk", params={"country": "BGD"}).json()["items"]
    m3 = next(r for r in risks if r["measure"] == "m3")
    assert m3["links"] == {"measure": {"id": "m3", "kind": "measures", "name": "Measure Three", "path": "/programmes/m3"}}
    assert m3["sources"] == [{"document": "mini-report", "section": "1", "quote": "Reintegration support spans economic"}]
    cells = api.get("/queries/coverage-matrix", params={"country": "BGD"}).json()["items"]
    # a cell is about several measures: it links them, and has no sources of its own
    assert all("sources" not in c for c in cells) and any(c.get("links", {}).get("measure_ids") for c in cells)


def test_overlaps_answer_who_overlaps_with_whom(api):
    pairs = api.get("/coordination/overlaps", params={"country": "BGD", "actor": "donor-d"}).json()["items"]
    assert {p["actor_b"] for p in pairs} == {"gov-a", "ngo-x", "un-1"}
    un = next(p for p in pairs if p["actor_b"] == "un-1")
    assert un["shared_cells"] == ["economic/individual", "psychosocial/individual"] and un["score"] == 10


def test_network_as_json_graphml_and_gexf(api):
    body = api.get("/coordination/network").json()
    names = {a["id"] for a in body["actors"]}
    assert {"gov-a", "un-1", "donor-d", "ngo-x", "gov-n"} <= names
    assert any({e["source"], e["target"]} == {"un-1", "donor-d"} for e in body["edges"])
    assert "un-1" in body["cross_country"]
    npl = api.get("/coordination/network", params={"country": "NPL"}).json()
    assert npl["country"] == "NPL" and {a["id"] for a in npl["actors"]} == {"donor-d", "gov-n", "un-1"}
    graphml = api.get("/coordination/network", params={"format": "graphml"})
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert {n.split("/")[-1] for n in nx.read_graphml(io.BytesIO(graphml.content))} == names
    gexf = api.get("/coordination/network", params={"format": "gexf", "country": "NPL"})
    assert gexf.headers["content-type"].startswith("application/gexf+xml")
    assert len(nx.read_gexf(io.BytesIO(gexf.content))) == 3
    nobody = api.get("/coordination/network", params={"country": "AFG"}).json()
    assert nobody["country"] == "AFG" and nobody["actors"] == [] and nobody["edges"] == []
    empty = api.get("/coordination/network", params={"country": "AFG", "format": "graphml"})
    assert len(nx.read_graphml(io.BytesIO(empty.content))) == 0
    error = api.get("/coordination/network", params={"format": "pdf"}).json()["error"]
    assert error["parameter"] == "format" and error["allowed"] == ["json", "graphml", "gexf"]
