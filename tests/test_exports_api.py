"""The exports over HTTP and from the command line: CSV answers of the list routes, the zips per
format, the ontology by content negotiation with its JSON-LD context, and record IRIs that
resolve both ways (a page for a browser, the record's triples for an RDF client)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from rkg.cli import main
from rkg.exports import files
from rkg.graph.build import ontology_graph
from rkg.loaders.schema import RKG
from support import data_settings, exports_data

MEASURE = URIRef("https://w3id.org/reintegration-kg/id/measure/prottasha")
BGD = URIRef("https://w3id.org/reintegration-kg/concept/country/BGD")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return exports_data(tmp_path_factory.mktemp("exports-api"))


@pytest.fixture(scope="module")
def api(data_dir):
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app

    return TestClient(create_app(data_settings(data_dir)))


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


# ---------------------------------------------------------------------------- CSV answers of the list routes

@pytest.mark.parametrize("path,key", [("/programmes", "id"), ("/actors", "id"), ("/policies", "id"),
                                      ("/countries", "code"), ("/findings", "id"), ("/recommendations", "id"),
                                      ("/indicators", "id"), ("/figures", "id")])
def test_every_list_answers_csv_with_the_same_records_as_json(api, path, key):
    listed = api.get(path).json()
    by_parameter = api.get(path, params={"format": "csv"})
    by_header = api.get(path, headers={"Accept": "text/csv"})
    assert by_parameter.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_parameter.text == by_header.text
    assert by_parameter.headers["x-total-count"] == str(listed["total"])
    json_key = "iso3" if path == "/countries" else "id"
    assert [r[key] for r in rows(by_parameter)] == [item[json_key] for item in listed["items"]]


def test_csv_lists_filter_and_page_as_json_does(api):
    answer = api.get("/programmes", params={"format": "csv", "dimension": "social", "limit": 1})
    assert [r["id"] for r in rows(answer)] == [i["id"] for i in api.get("/programmes?dimension=social&limit=1")
                                               .json()["items"]]
    assert answer.headers["x-total-count"] == str(api.get("/programmes?dimension=social").json()["total"])
    # the columns are those of the CSV export
    assert list(rows(answer)[0])[:3] == ["id", "iri", "name"]
    # JSON stays the default for browsers and clients that do not ask
    assert api.get("/programmes", headers={"Accept": "text/html,*/*;q=0.8"}).headers["content-type"] == \
        "application/json"
    refused = api.get("/programmes?format=xml")
    assert refused.status_code == 422 and refused.json()["error"]["allowed"] == ["json", "csv"]


# ---------------------------------------------------------------------------- the zips

def test_the_exports_are_listed_and_served_as_zips(api):
    kg = api.app.state.kg
    listed = api.get("/exports").json()
    assert listed["data_version"] == kg.version
    assert [f["format"] for f in listed["formats"]] == ["csv", "xlsx", "hxl", "iati"]
    for entry in listed["formats"]:
        answer = api.get(entry["path"])
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        assert entry["file"] in answer.headers["content-disposition"]
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        expected = files(kg.store, kg.version, entry["format"])
        folder = entry["file"].removesuffix(".zip")
        assert sorted(archive.namelist()) == sorted(f"{folder}/{p}" for p in expected)
        if entry["format"] != "xlsx":  # a workbook records when it was written
            assert all(archive.read(f"{folder}/{p}") == content for p, content in expected.items())
    etag = api.get("/exports/csv.zip").headers["etag"]
    assert api.get("/exports/csv.zip", headers={"If-None-Match": etag}).status_code == 304
    missing = api.get("/exports/pdf.zip")
    assert missing.status_code == 404 and "hxl.zip" in missing.json()["error"]["allowed"]


def test_rkg_export_writes_the_files_and_the_zip(data_dir, tmp_path, capsys):
    assert main(["export", "--data", str(data_dir), "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "datapackage.json").is_file() and (tmp_path / "csv" / "queries" / "findings.csv").is_file()
    assert main(["export", "--data", str(data_dir), "--format", "iati", "--out", str(tmp_path), "--zip",
                 "--json"]) == 0
    written = json.loads(capsys.readouterr().out)["files"]
    assert len(written) == 1 and written[0].endswith("-iati.zip")
    assert any(n.endswith("iati-activities.xml") for n in zipfile.ZipFile(written[0]).namelist())
    with pytest.raises(SystemExit):  # argparse refuses an unknown format
        main(["export", "--data", str(data_dir), "--format", "pdf", "--out", str(tmp_path)])


# ---------------------------------------------------------------------------- the ontology

def test_the_ontology_by_content_negotiation(api):
    page = api.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "rkg:SupportMeasure" in page.text
    turtle = api.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=turtle.text, format="turtle"), ontology_graph())
    for media, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                       ("application/rdf+xml", "xml")):
        answer = api.get("/ontology", headers={"Accept": media})
        assert answer.headers["content-type"].startswith(media)
        assert len(Graph().parse(data=answer.content, format=fmt)) == len(ontology_graph())
    assert api.get("/ontology?format=ttl", headers={"Accept": "text/html"}).headers["content-type"] \
        .startswith("text/turtle")
    assert api.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    shapes = api.get("/ontology/shapes.ttl")
    assert (URIRef("https://w3id.org/reintegration-kg/shapes#SupportMeasureShape"), RDF.type, None) in \
        Graph().parse(data=shapes.text, format="turtle")


def test_the_jsonld_context_turns_plain_json_into_rdf(api):
    answer = api.get("/ontology/context.jsonld")
    assert answer.headers["content-type"].startswith("application/ld+json")
    context = answer.json()["@context"]
    assert context["rkg"] == str(RKG) and context["measureType"] == {"@id": "rkg:measureType", "@type": "@id"}
    # a JSON consumer's document with the context is RDF
    document = {"@context": context, "id": str(MEASURE), "type": "SupportMeasure", "label": "Prottasha",
                "measureType": "https://w3id.org/reintegration-kg/concept/measure-type/counselling",
                "pilot": "false"}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert (MEASURE, RDF.type, RKG.SupportMeasure) in graph
    assert (MEASURE, RKG.measureType, URIRef("https://w3id.org/reintegration-kg/concept/measure-type/counselling")) \
        in graph
    assert (MEASURE, RKG.pilot, Literal("false", datatype=URIRef("http://www.w3.org/2001/XMLSchema#boolean"))) in graph


# ---------------------------------------------------------------------------- record IRIs

def test_a_record_iri_resolves_to_its_page_and_its_triples(api):
    kg = api.app.state.kg
    page = api.get("/id/measure/prottasha", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Prottasha</h1>" in page.text and 'href="/id/actor/eu"' in page.text
    assert "funded by the European Union and implemented by IOM" in page.text  # its passages
    turtle = api.get("/id/measure/prottasha", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    # the record's triples, its roles' and its passages', as in the validated graph
    whole = kg.build.graph
    expected = {t for t in whole if str(t[0]) == str(MEASURE) or str(t[0]).startswith(str(MEASURE) + "#")}
    assert set(graph) == expected
    assert (MEASURE, RKG.dacPurpose, URIRef("https://w3id.org/reintegration-kg/concept/dac-purpose/15190")) in graph
    jsonld = api.get("/id/measure/prottasha?format=jsonld")
    assert "json-ld#context" in jsonld.headers["link"]
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), graph)
    missing = api.get("/id/measure/nowhere", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"
    assert api.get("/id/measure/a%3E%20b%15").status_code == 404  # not an IRI: names nothing


def test_a_country_keeps_its_wikidata_and_iso_links(api):
    graph = Graph().parse(data=api.get("/concept/country/BGD?format=ttl").text, format="turtle")
    assert (BGD, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q902")) in graph
    assert (BGD, SKOS.notation, Literal("BGD")) in graph and (BGD, RKG.isoAlpha2, Literal("BD")) in graph
    page = api.get("/concept/country/BGD", headers={"Accept": "text/html"}).text
    assert "http://www.wikidata.org/entity/Q902" in page


def test_named_queries_and_analyses_answer_csv_too(api):
    listed = api.get("/queries/coverage-matrix", params={"country": "BGD"}).json()
    answer = api.get("/queries/coverage-matrix", params={"country": "BGD", "format": "csv"})
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["x-total-count"] == str(listed["total"])
    found = rows(answer)
    assert list(found[0]) == listed["columns"] and len(found) == len(listed["items"])
    assert [(r["dimension"], r["level"], r["measures"]) for r in found] == \
        [(i["dimension"], i["level"], str(i["measures"])) for i in listed["items"]]
    gaps = api.get("/gaps/sustainability-risk", headers={"Accept": "text/csv"})
    assert gaps.headers["content-type"].startswith("text/csv")
    assert len(rows(gaps)) == api.get("/gaps/sustainability-risk").json()["total"]
