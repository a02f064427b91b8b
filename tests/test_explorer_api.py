"""Search, facets and the explorer's routes: word-bounded search with stemming, phrases and ranking;
facets that filter and count the same way; and, on the curated data, the same answers as SPARQL
queries written here for the same questions and run on the same store."""

from __future__ import annotations

import re

import pytest

from rkg.api.search import fts_query


@pytest.fixture(scope="module")
def api(analytics_api):
    return analytics_api


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------------------- search (analytics fixture)

def test_search_finds_words_in_names_statements_and_quotes_and_says_where(api):
    body = api.get("/search", params={"q": "psychosocial"}).json()
    hits = {(h["kind"], h["id"]): h for h in body["items"]}
    # the finding's statement and the recommendation's statement say "Psychosocial"
    assert {("findings", "f-bgd-gap"), ("recommendations", "r-bgd")} <= set(hits)
    finding = hits[("findings", "f-bgd-gap")]
    assert finding["field"] == "description" and finding["path"] == "/findings/f-bgd-gap"
    start, end = finding["highlights"][0]
    assert finding["snippet"][start:end].lower() == "psychosocial"
    assert body["by_kind"] == {"findings": 1, "recommendations": 1}
    quoted = api.get("/search", params={"q": "spans economic"}).json()  # every record's quote
    assert quoted["total"] > 10 and all("quote" in h["fields"] for h in quoted["items"])


def test_search_is_word_bounded_stemmed_and_understands_phrases(api):
    assert ids(api.get("/search", params={"q": "easure"})) == []           # not inside words
    assert "m1" in ids(api.get("/search", params={"q": "measures"}))      # stemmed: measures ~ Measure
    assert "m1" in ids(api.get("/search", params={"q": "measur*"}))       # a prefix when asked
    assert ids(api.get("/search", params={"q": '"measure one"'})) == ["m1"]
    assert ids(api.get("/search", params={"q": '"one measure"'})) == []
    assert set(ids(api.get("/search", params={"q": "four OR five", "kind": "measures"}))) == {"m4", "m5"}
    assert "m1" not in ids(api.get("/search", params={"q": "measure -one", "kind": "measures"}))


def test_search_ranks_a_name_above_a_quote(api):
    # "Coordination Body C" is a name; "coordination" is in no quote, so a name match comes first
    found = api.get("/search", params={"q": "coordination"}).json()["items"]
    assert found[0]["id"] == "body-c" and found[0]["field"] == "name"
    assert [h["rank"] for h in found] == sorted((h["rank"] for h in found), reverse=True)


def test_a_search_with_no_word_finds_nothing_and_fts_syntax_never_passes(api):
    for text in ("!!! ---", "-only -negative", "OR"):
        found = api.get("/search", params={"q": text})
        assert found.status_code == 200 and found.json()["total"] == 0, text
    assert ids(api.get("/programmes", params={"q": "!!!"})) == []
    assert api.get("/search").status_code == 422
    assert api.get("/search", params={"q": ""}).json()["error"]["parameter"] == "q"
    assert api.get("/search", params={"q": "x", "kind": "widgets"}).json()["error"]["parameter"] == "kind"
    for text in ('a AND', 'NEAR(a b)', 'col:word', '"unclosed', "a) OR (b", "^start", "x*y"):
        api.get("/search", params={"q": text}).raise_for_status()
    assert fts_query('un-women "returnee database" -bank loan*') == \
        '("un-women" AND "returnee database" AND "loan"*) NOT "bank"'
    assert fts_query('col:word NEAR(a') == '"col:word" AND "NEAR(a"'
    assert fts_query("-only -negative") is None


def test_q_of_every_list_uses_the_search_index(api):
    assert ids(api.get("/programmes", params={"q": "easure"})) == []
    assert ids(api.get("/programmes", params={"q": "two"})) == ["m2", "n2"]
    assert ids(api.get("/findings", params={"q": "database"})) == ["f-npl-weak"]      # statement: "no database"
    assert ids(api.get("/recommendations", params={"q": "scale"})) == ["r-bgd"]


# ---------------------------------------------------------------------------- facets (analytics fixture)

@pytest.mark.parametrize("query,expected", [
    ("type=returnee-database", ["m5"]),
    ("type=loan-scheme,grant", ["m1", "n1"]),
    ("place=bgd-p1", ["m1", "m2"]),
    ("funder=donor-d&country=NPL", ["n1"]),
    ("funder=gov-a", ["m5"]),
    ("actor_type=un-agency", ["m2", "m4", "n1"]),
    ("role=funder&actor_type=national-government", ["m5"]),
    ("actor=gov-a&role=funder", ["m5"]),
    ("kind=dedicated&sector=non-state", ["m2", "m3", "m4", "n1"]),
    ("funder_sector=state", ["m5"]),
    ("year_from=2021", []),          # m2 ended in 2020; the others are undated
    ("year_to=2020", ["m2"]),
    ("dimension=economic&level=individual&status=ongoing", ["m1", "n1"]),
])
def test_measure_facets_filter(api, query, expected):
    assert ids(api.get("/programmes?" + query)) == expected


def test_facet_counts_say_what_choosing_a_value_gives(api):
    body = api.get("/programmes/facets", params={"country": "BGD", "dimension": "economic"}).json()
    assert body["total"] == len(ids(api.get("/programmes", params={"country": "BGD", "dimension": "economic"})))
    facets = {f["name"]: {v["value"]: v for v in f["values"]} for f in body["facets"]}
    # a value's count is what the list gives with it chosen and the facet's other values dropped
    for name, values in facets.items():
        for value, entry in values.items():
            given = {"country": "BGD", "dimension": "economic"} | {name: value}
            assert entry["count"] == len(ids(api.get("/programmes", params=given))), (name, value)
    assert facets["dimension"]["economic"]["selected"] and facets["dimension"]["social"]["count"] == 1
    assert facets["dimension"]["economic"]["label"] == "economic and labour market"
    assert facets["funder"]["donor-d"]["label"] == "Donor D"
    assert body["years"] == {"min": 2020, "max": 2020, "undated": 2}


def test_every_list_has_its_facets(api):
    for path in ("/programmes", "/actors", "/policies", "/findings", "/recommendations", "/figures"):
        body = api.get(path + "/facets").json()
        assert body["total"] == api.get(path).json()["total"], path
        assert body["facets"] and all(f["values"] is not None for f in body["facets"]), path
    actors = api.get("/actors/facets", params={"role": "funder"}).json()
    assert actors["total"] == 2  # donor-d, gov-a
    assert ids(api.get("/actors", params={"sector": "state"})) == ["gov-a", "gov-n"]


def test_the_index_answers_json_and_the_page_html_from_the_project(api):
    assert api.get("/").json()["search"].startswith("/search")
    page = api.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html") and "/static/explorer/explorer.js" in page.text
    for path in ("/docs", "/redoc"):
        html = api.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), (path, sources)
        for source in sources:
            if source != "/openapi.json":
                assert api.get(source).status_code == 200, source
    assert api.get("/static/explorer/explorer.css").status_code == 200


# ---------------------------------------------------------------------------- the same answers as SPARQL (curated data)

PREFIXES = """PREFIX rkg: <https://w3id.org/reintegration-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""
MEASURE = "https://w3id.org/reintegration-kg/id/measure/"
ACTOR = "https://w3id.org/reintegration-kg/id/actor/"
PLACE = "https://w3id.org/reintegration-kg/concept/place/"


@pytest.fixture(scope="module")
def curated(curated_build):
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app
    from rkg.settings import Settings
    from support import ROOT

    client = TestClient(create_app(Settings(data_dir=ROOT / "data")))
    store = client.app.state.kg.store

    def sparql(where: str, var: str = "m") -> set[str]:
        rows = store.select(PREFIXES + f"SELECT DISTINCT ?{var} WHERE {{ {where} }}")
        return {str(r[var]).rsplit("/", 1)[-1] for r in rows}

    return client, sparql


def listed(client, path: str, **params) -> set[str]:
    body = client.get(path, params=params | {"limit": 1000}).json()
    assert body["total"] <= 1000
    return {item["id"] for item in body["items"]}


FACET_QUESTIONS = [
    ({"type": "returnee-database"}, "?m rkg:measureType/skos:notation 'returnee-database'"),
    ({"type": "returnee-database", "country": "IND,NPL"},
     "?m rkg:measureType/skos:notation 'returnee-database' ; rkg:country/skos:notation ?c FILTER(?c IN ('IND', 'NPL'))"),
    ({"place": "ind-kerala"}, f"?m a rkg:SupportMeasure ; rkg:place/skos:broader* <{PLACE}ind-kerala>"),
    ({"place": "bgd-noakhali"}, f"?m a rkg:SupportMeasure ; rkg:place/skos:broader* <{PLACE}bgd-noakhali>"),
    ({"funder": "european-union"}, f"?m rkg:fundedBy <{ACTOR}european-union>"),
    ({"role": "funder", "actor_type": "national-government"},
     "?m rkg:involvement ?i . ?i prov:hadRole/skos:notation 'funder' . "
     "{ ?i prov:agent/rkg:actorType/skos:notation 'national-government' } "
     "UNION { ?i rkg:agentType/skos:notation 'national-government' }"),
    ({"kind": "component,general-population", "dimension": "social"},
     "?m rkg:measureKind/skos:notation ?k ; rkg:dimension/skos:notation 'social' "
     "FILTER(?k IN ('component', 'general-population'))"),
    ({"sector": "non-state", "country": "NPL"}, "?m rkg:actorSector/skos:notation 'non-state' ; rkg:country/skos:notation 'NPL'"),
    ({"year_from": "2019", "year_to": "2020"},
     "?m a rkg:SupportMeasure . OPTIONAL { ?m schema:startDate ?s } OPTIONAL { ?m schema:endDate ?e } "
     "FILTER(BOUND(?s) || BOUND(?e)) "
     "FILTER(!BOUND(?e) || xsd:integer(SUBSTR(STR(?e), 1, 4)) >= 2019) "
     "FILTER(!BOUND(?s) || xsd:integer(SUBSTR(STR(?s), 1, 4)) <= 2020)"),
]


@pytest.mark.slow
@pytest.mark.parametrize("params,where", FACET_QUESTIONS)
def test_facet_filters_give_the_sparql_answer(curated, params, where):
    client, sparql = curated
    expected = sparql(where.replace("xsd:integer", "<http://www.w3.org/2001/XMLSchema#integer>"))
    assert expected, "a question with no answer proves nothing"
    assert listed(client, "/programmes", **params) == expected


@pytest.mark.slow
def test_facet_counts_give_the_sparql_counts(curated):
    client, sparql = curated
    body = client.get("/programmes/facets", params={"country": "NPL"}).json()
    types = {v["value"]: v["count"] for f in body["facets"] if f["name"] == "type" for v in f["values"]}
    for code, count in types.items():
        assert count == len(sparql(f"?m rkg:country/skos:notation 'NPL' ; rkg:measureType/skos:notation '{code}'")), code
    facets = client.get("/programmes/facets", params={"country": "NPL", "type": "returnee-database"}).json()["facets"]
    countries = {v["value"]: v["count"] for f in facets if f["name"] == "country" for v in f["values"]}
    databases = "?m rkg:country/skos:notation '{}' ; rkg:measureType/skos:notation 'returnee-database'"
    assert countries and all(n == len(sparql(databases.format(c))) for c, n in countries.items())


@pytest.mark.slow
def test_active_in_a_country_has_one_definition(curated):
    client, sparql = curated
    for code in ("BGD", "NPL", "LKA"):
        assert listed(client, "/actors", country=code) == sparql(f"?a rkg:activeIn/skos:notation '{code}'", "a")
    across = client.get("/queries/actors-across-countries", params={"limit": 1000}).json()["items"]
    women = {r["country"] for r in across if r["actor"] == "un-women"}
    assert women == set(client.get("/actors/un-women").json()["countries"])
    assert {r["countries"] for r in across if r["actor"] == "un-women"} == {len(women)}


@pytest.mark.slow
def test_who_funds_whom_keeps_funders_whose_implementer_is_not_named(curated):
    client, sparql = curated
    rows = client.get("/coordination/who-funds-whom", params={"country": "NPL", "limit": 1000}).json()["items"]
    funded = sparql("?m rkg:fundedBy ?f ; rkg:country/skos:notation 'NPL'", "f")
    assert {r["funder_id"] for r in rows} == funded and funded


SEARCHED_TEXT = """
{ ?r rdfs:label|skos:altLabel|rkg:acronym|dcterms:description|rkg:statement|skos:definition|skos:editorialNote ?text }
UNION { ?r prov:wasDerivedFrom ?p . FILTER(REGEX(STR(?p), "#source-[0-9]+$")) ?p rkg:quote|rkg:section ?text }
UNION { ?r a rkg:Figure ; rkg:indicator/rdfs:label ?text }
UNION { ?r a ?class . FILTER(?class IN (rkg:SupportMeasure, rkg:Actor, rkg:Policy, rkg:Finding, rkg:Recommendation, rkg:Figure,
                                        rkg:Indicator, rkg:Place)) BIND(REPLACE(STR(?r), "^.*/", "") AS ?text) }
?r a ?kind . FILTER(?kind IN (rkg:SupportMeasure, rkg:Actor, rkg:Policy, rkg:Finding, rkg:Recommendation, rkg:Figure,
                               rkg:Indicator, rkg:Place))
FILTER(STRSTARTS(STR(?r), "https://w3id.org/reintegration-kg/"))
"""


@pytest.mark.slow
@pytest.mark.parametrize("q,pattern", [
    ("psychosocial", "psychosocial(ly)?"), ("kerala", "kerala"), ("databases", "databases?"),
    ("helpline", "helplines?"), ("older", "older"), ('"returnee database"', "returnee databases?"),
])
def test_search_gives_the_sparql_answer(curated, q, pattern):
    """Whole words (no match inside "stakeholders"), case-insensitive, with the word's plural."""
    client, sparql = curated
    words = "(^|[^A-Za-z0-9])" + pattern.replace(" ", "[^A-Za-z0-9]+") + "([^A-Za-z0-9]|$)"
    expected = sparql(SEARCHED_TEXT + f'FILTER(REGEX(STR(?text), "{words}", "i"))', "r")
    body = client.get("/search", params={"q": q, "limit": 1000}).json()
    assert expected and {h["id"] for h in body["items"]} == expected
    if q == "older":
        assert all("stakeholder" not in h["snippet"].lower() or "older" in h["snippet"].lower().replace("stakeholder", "")
                   for h in body["items"])
