"""The resource endpoints on the analytics fixture (known answers) and the mini fixture (figures):
every filter, the detail views, pagination and the one error shape."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def api(analytics_api):
    return analytics_api


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "total"}
    return [item["id"] for item in body["items"]]


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


# ---------------------------------------------------------------------------- programmes

@pytest.mark.parametrize("query,expected", [
    ("", ["m1", "m2", "m3", "m4", "m5", "n1", "n2"]),
    ("country=NPL", ["n1", "n2"]),
    ("country=npl", ["n1", "n2"]),
    ("dimension=economic", ["m1", "m2", "m5", "n1"]),
    ("level=individual", ["m1", "m2", "m4", "n1", "n2"]),
    ("country=BGD&dimension=economic&level=individual", ["m1", "m2"]),
    ("actor=un-1", ["m2", "m4", "n1"]),
    ("actor=UN1", ["m2", "m4", "n1"]),
    ("actor=un one", ["m2", "m4", "n1"]),
    ("actor=donor-d&role=funder", ["m1", "m2", "m4", "n1"]),
    ("actor=gov-a&role=funder", ["m5"]),
    ("actor=gov-a&role=implementer", []),
    ("role=lead", ["m1", "m5", "n2"]),
    ("role=supported-by", []),
    ("status=ongoing", ["m1", "m5", "n1", "n2"]),
    ("status=ongoing&country=BGD", ["m1", "m5"]),
    ("target_group=women", ["m1", "m2"]),
    ("phase=pre-departure", ["m3"]),
    ("q=measure n", ["n1", "n2"]),
    ("q=FOUR", ["m4"]),
])
def test_programme_filters_combine(api, query, expected):
    assert ids(api.get("/programmes?" + query)) == expected


def test_a_programme_item_names_its_actors_places_and_sources(api):
    item = api.get("/programmes?q=measure one").json()["items"][0]
    assert item["id"] == "m1" and item["name"] == "Measure One" and item["country"] == ["BGD"]
    assert item["dimensions"] == ["economic"] and item["levels"] == ["individual"]
    assert item["status"] == "ongoing" and item["target_groups"] == ["women"] and item["phases"] == ["post-return"]
    assert item["funders"] == [{"id": "donor-d", "name": "Donor D"}]
    assert item["implementers"] == [{"id": "ngo-x", "name": "NGO X"}]
    assert item["roles"]["lead"] == [{"id": "gov-a", "name": "Government A"}]
    assert item["places"] == [{"id": "bgd-p1", "name": "District One"}]
    assert item["aliases"] == [] and item["types"] == ["loan-scheme"]
    assert item["sources"] == [{"document": "mini-report", "section": "1",
                                "quote": "Reintegration support spans economic"}]


def test_programme_detail_links_policies_and_findings(api):
    m1 = api.get("/programmes/m1").json()
    assert m1["policies"] == [{"id": "pol-a", "name": "Policy A", "kind": "act", "status": "in-force"}]
    m4 = api.get("/programmes/m4").json()
    assert [f["id"] for f in m4["findings"]] == ["f-bgd-gap"] and m4["findings"][0]["kind"] == "gap"
    assert api.get("/programmes/m2").json()["pilot"] is True


def test_programme_detail_has_its_figures(mini_api):
    loans = mini_api.get("/programmes/pkb-loans").json()
    assert [(f["id"], f["value"], f["unit"]) for f in loans["figures"]] == [("bgd-loans-2019", 163, "person")]
    prottasha = mini_api.get("/programmes/prottasha").json()
    assert prottasha["filed_under"] == {"dimension": "economic", "level": "individual"}
    assert [s["section"] for s in prottasha["sources"]] == ["3.2.1", "3.2.1 Institutional reintegration support"]
    assert prottasha["start"] == "2019" and prottasha["end"] == "2022-03"


def test_unknown_ids_are_404_with_suggestions(api):
    error = error_of(api.get("/programmes/m-1"), 404)
    assert error["code"] == "not-found" and "'m-1'" in error["message"]
    assert "m1" in error["suggestions"]
    for path in ("/actors/nobody", "/policies/pol-z", "/findings/f-x", "/recommendations/r-x", "/indicators/i-x",
                 "/figures/x", "/countries/XYZ", "/no/such/path"):
        assert error_of(api.get(path), 404)["code"] == "not-found", path


def test_invalid_filters_are_422_with_the_allowed_values(api):
    error = error_of(api.get("/programmes?dimension=cultural"), 422)
    assert error["code"] == "invalid-parameter" and error["parameter"] == "dimension"
    assert error["allowed"] == ["economic", "psychosocial", "social"]
    error = error_of(api.get("/programmes?country=XYZ"), 422)
    assert "NPL" in error["allowed"]
    error = error_of(api.get("/programmes?actor=un-2"), 422)
    assert error["parameter"] == "actor" and "un-1" in error["allowed"] and "un-1" in error["message"]
    error = error_of(api.get("/policies?status=ongoing"), 422)
    assert "in-force" in error["allowed"] and "ongoing" not in error["allowed"]


def test_a_misspelt_parameter_is_refused_not_ignored(api):
    error = error_of(api.get("/programmes?dimesion=economic"), 422)
    assert error["parameter"] == "dimesion" and "dimension" in error["allowed"]


def test_pagination(api):
    body = api.get("/programmes?limit=2&offset=1").json()
    assert [i["id"] for i in body["items"]] == ["m2", "m3"] and body["total"] == 7
    assert api.get("/programmes?offset=100").json() == {"items": [], "total": 7}
    assert error_of(api.get("/programmes?limit=5000"), 422)["parameter"] == "limit"
    assert error_of(api.get("/actors?offset=-1"), 422)["parameter"] == "offset"


def test_other_methods_answer_in_the_error_shape(api):
    assert error_of(api.post("/programmes"), 405)["code"] == "method-not-allowed"


# ---------------------------------------------------------------------------- actors

@pytest.mark.parametrize("query,expected", [
    ("", ["body-c", "donor-d", "gov-a", "gov-n", "ngo-x", "un-1"]),
    ("country=NPL", ["donor-d", "gov-n", "un-1"]),
    ("type=ngo", ["ngo-x"]),
    ("type=national-government&country=BGD", ["gov-a"]),
    ("q=un1", ["un-1"]),
    ("q=government", ["gov-a", "gov-n"]),
])
def test_actor_filters(api, query, expected):
    assert ids(api.get("/actors?" + query)) == expected


def test_actor_detail_measures_by_role_and_bodies(api):
    un = api.get("/actors/un-1").json()
    assert {role: [m["id"] for m in ms] for role, ms in un["measures_by_role"].items()} == {
        "implementer": ["m2", "m4", "n1"]}
    assert un["coordination_bodies"] == [{"id": "body-c", "name": "Coordination Body C", "role": "member"}]
    assert un["countries"] == ["BGD", "NPL"] and un["type"] == "un-agency" and un["state"] is False
    gov = api.get("/actors/gov-a").json()
    assert gov["state"] is True
    assert gov["coordination_bodies"] == [{"id": "body-c", "name": "Coordination Body C", "role": "head"}]
    assert {r: [m["id"] for m in ms] for r, ms in gov["measures_by_role"].items()} == {
        "funder": ["m5"], "lead": ["m1", "m5"]}
    assert [p["id"] for p in gov["designated_by"]] == ["pol-a"]
    body = api.get("/actors/body-c").json()
    assert [a["id"] for a in body["members"]] == ["gov-a", "un-1"] and body["headed_by"]["id"] == "gov-a"


# ---------------------------------------------------------------------------- policies

@pytest.mark.parametrize("query,expected", [
    ("", ["pol-a", "pol-b", "pol-n"]),
    ("country=BGD", ["pol-a", "pol-b"]),
    ("kind=act", ["pol-a"]),
    ("status=draft", ["pol-b"]),
    ("country=NPL&status=proposed", ["pol-n"]),
    ("addresses_reintegration=true", ["pol-a", "pol-b", "pol-n"]),
    ("addresses_reintegration=false", []),
    ("q=policy b", ["pol-b"]),
])
def test_policy_filters(api, query, expected):
    assert ids(api.get("/policies?" + query)) == expected


def test_policy_item_and_detail(api):
    item = api.get("/policies?kind=act").json()["items"][0]
    assert {k: item[k] for k in ("name", "country", "year", "kind", "status", "addresses_reintegration")} == {
        "name": "Policy A", "country": ["BGD"], "year": "2013", "kind": "act", "status": "in-force",
        "addresses_reintegration": True}
    detail = api.get("/policies/pol-a").json()
    assert detail["designates"] == [{"id": "gov-a", "name": "Government A"}]
    assert [m["id"] for m in detail["measures"]] == ["m1"]


# ---------------------------------------------------------------------------- countries

def test_countries_list(api):
    focus = api.get("/countries?focus=true").json()
    assert [c["iso3"] for c in focus["items"]] == ["BGD", "IND", "LKA", "NPL", "PAK"]
    bgd = next(c for c in focus["items"] if c["iso3"] == "BGD")
    assert (bgd["measures"], bgd["policies"], bgd["findings"], bgd["name"]) == (5, 2, 1, "Bangladesh")
    assert "AFG" in ids_of(api.get("/countries?focus=false&limit=1000"), "iso3")


def ids_of(response, key):
    return [item[key] for item in response.json()["items"]]


def test_country_profile(api):
    bgd = api.get("/countries/bgd").json()
    assert bgd["iso3"] == "BGD" and bgd["focus"] is True and bgd["wikidata"] == "Q902"
    assert [p["id"] for p in bgd["policies"]] == ["pol-a", "pol-b"]
    assert {"gov-a", "ngo-x", "un-1", "donor-d", "body-c"} <= {a["id"] for a in bgd["institutions"]}
    assert "gov-n" not in {a["id"] for a in bgd["institutions"]}
    measures = bgd["measures"]
    assert measures["total"] == 5 and [m["id"] for m in measures["items"]] == ["m1", "m2", "m3", "m4", "m5"]
    assert measures["by_dimension"] == {"economic": 3, "psychosocial": 1, "social": 1}
    assert measures["by_level"] == {"community": 1, "individual": 3, "structural": 1}
    cells = {(c["dimension"], c["level"]): c["ids"] for c in measures["cells"]}
    assert len(cells) == 9 and cells[("economic", "individual")] == ["m1", "m2"] and cells[("social", "structural")] == []
    assert [f["id"] for f in bgd["findings"]] == ["f-bgd-gap"]
    assert [r["id"] for r in bgd["recommendations"]] == ["r-bgd"]
    empty = api.get("/countries/AFG").json()
    assert empty["name"] == "Afghanistan" and empty["measures"]["total"] == 0 and empty["policies"] == []


def test_country_profile_figures(mini_api):
    assert [f["id"] for f in mini_api.get("/countries/BGD").json()["figures"]] == ["bgd-loans-2019"]


# ---------------------------------------------------------------------------- findings, recommendations

@pytest.mark.parametrize("query,expected", [
    ("", ["f-bgd-gap", "f-npl-weak"]),
    ("kind=gap", ["f-bgd-gap"]),
    ("country=NPL", ["f-npl-weak"]),
    ("theme=data", ["f-npl-weak"]),
    ("theme=psychosocial-support&country=BGD", ["f-bgd-gap"]),
    ("dimension=psychosocial", ["f-bgd-gap"]),
    ("level=individual", []),
    ("about=m4", ["f-bgd-gap"]),
    ("q=database", ["f-npl-weak"]),
])
def test_finding_filters(api, query, expected):
    assert ids(api.get("/findings?" + query)) == expected


def test_finding_links(api):
    gap = api.get("/findings/f-bgd-gap").json()
    assert gap["about"] == [{"id": "m4", "name": "Measure Four", "kind": "measure"}]
    assert gap["recommendations"] == [{"id": "r-bgd", "name": None}]
    assert gap["themes"] == ["dimension-balance", "psychosocial-support"]
    error = error_of(api.get("/findings?about=m44"), 422)
    assert error["parameter"] == "about" and "m4" in error["allowed"]


@pytest.mark.parametrize("query,expected", [
    ("", ["r-bgd"]),
    ("addresses=f-bgd-gap", ["r-bgd"]),
    ("theme=data", []),
    ("country=NPL", []),
    ("q=scale up", ["r-bgd"]),
])
def test_recommendation_filters(api, query, expected):
    assert ids(api.get("/recommendations?" + query)) == expected


def test_recommendation_detail_and_bad_reference(api):
    rec = api.get("/recommendations/r-bgd").json()
    assert rec["addresses"][0]["id"] == "f-bgd-gap" and rec["addresses"][0]["statement"].startswith("Psychosocial")
    assert error_of(api.get("/recommendations?addresses=nothing"), 422)["parameter"] == "addresses"


# ---------------------------------------------------------------------------- indicators, figures

@pytest.mark.parametrize("query,expected", [
    ("", ["bgd-rehabilitation-loans"]),
    ("country=BGD", ["bgd-rehabilitation-loans"]),
    ("country=NPL", []),
    ("unit=person", ["bgd-rehabilitation-loans"]),
    ("unit=USD", []),
    ("q=loans", ["bgd-rehabilitation-loans"]),
    ("q=wages", []),
])
def test_indicator_filters(mini_api, query, expected):
    assert ids(mini_api.get("/indicators?" + query)) == expected


def test_indicator_detail_lists_its_figures(mini_api):
    detail = mini_api.get("/indicators/bgd-rehabilitation-loans").json()
    assert detail["figures"] == 1 and detail["countries"] == ["BGD"] and detail["unit"] == "person"
    assert [(v["id"], v["value"], v["date"]) for v in detail["values"]] == [("bgd-loans-2019", 163, "2019")]


@pytest.mark.parametrize("query,expected", [
    ("", ["bgd-loans-2019"]),
    ("indicator=bgd-rehabilitation-loans", ["bgd-loans-2019"]),
    ("about=pkb-loans", ["bgd-loans-2019"]),
    ("about=prottasha", []),
    ("country=NPL", []),
    ("unit=person&country=BGD", ["bgd-loans-2019"]),
])
def test_figure_filters(mini_api, query, expected):
    assert ids(mini_api.get("/figures?" + query)) == expected


def test_figure_detail(mini_api):
    figure = mini_api.get("/figures/bgd-loans-2019").json()
    assert figure["indicator"] == {"id": "bgd-rehabilitation-loans", "name": "Returnees granted rehabilitation loans"}
    assert figure["breakdown"] == [{"id": "reg-female", "name": "Female respondents"}]
    assert figure["about"] == [{"id": "pkb-loans", "name": "Rehabilitation loans", "kind": "measure"}]
    assert figure["cumulative"] is True
    assert error_of(mini_api.get("/figures?indicator=nope"), 422)["allowed"] == ["bgd-rehabilitation-loans"]
