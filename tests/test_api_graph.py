"""/graph (the whole validated graph by content negotiation), /health and the index."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic


@pytest.fixture(scope="module")
def api(mini_api):
    return mini_api


@pytest.fixture(scope="module")
def validated(mini_api):
    return mini_api.app.state.kg.build


@pytest.mark.parametrize("accept,media,rdf_format", [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json;q=0.5, application/n-triples", "application/n-triples", "nt"),
])
def test_the_whole_graph_by_content_negotiation(api, validated, accept, media, rdf_format):
    response = api.get("/graph", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert isomorphic(Graph().parse(data=response.content, format=rdf_format), validated.graph)
    assert validated.version in response.headers["content-disposition"]


def test_format_parameter_etag_and_not_acceptable(api, validated):
    response = api.get("/graph?format=nt", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"] == "application/n-triples"
    assert len(Graph().parse(data=response.text, format="nt")) == len(validated.graph)
    etag = response.headers["etag"]
    assert validated.version in etag
    assert api.get("/graph?format=nt", headers={"If-None-Match": etag}).status_code == 304
    refused = api.get("/graph", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.json()["error"]["allowed"]
    assert api.get("/graph?format=pdf").json()["error"]["allowed"] == ["ttl", "nt", "jsonld", "rdfxml"]


def test_health_reports_the_graph_and_its_version(api, validated):
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["triples"] == len(validated.graph)
    assert body["data_version"] == validated.version and len(body["data_version"]) == 12
    assert body["records"]["measures"] == 2 and "last_reload" not in body
    assert body["sparql"]["workers"] >= 1 and body["sparql"]["timeouts"] == 0


def test_index_and_docs(api):
    index = api.get("/").json()
    assert index["sparql"] == "/sparql" and "/programmes" in index["resources"]
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/programmes", "/programmes/{id}", "/actors", "/policies", "/countries/{iso3}", "/findings",
                 "/recommendations", "/indicators", "/gaps/coverage", "/coordination/overlaps",
                 "/coordination/network", "/queries", "/queries/coverage-matrix", "/sparql", "/graph", "/health"):
        assert path in paths, path
    dimension = next(p for p in paths["/programmes"]["get"]["parameters"] if p["name"] == "dimension")
    assert dimension["schema"]["items"]["enum"] == ["economic", "psychosocial", "social"]
    limit = next(p for p in paths["/programmes"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["type"], limit["schema"]["minimum"], limit["schema"]["maximum"]) == ("integer", 0, 1000)
