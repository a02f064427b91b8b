"""The exports, each read back by the tool its users open it with (frictionless for the CSV and its
Data Package, openpyxl for the workbook, libhxl for the 3W table, the IATI 2.03 XSD for the
activities), with their row counts and a sample of values compared with SPARQL on the same store.

The fixture is the mini dataset plus what the exports must handle: a general-population scheme
whose implementer the source names only by kind of body, a component with dates stated to the day,
and a district inside a division."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from rkg.exports import bundle, files
from rkg.exports.extract import extract
from rkg.exports.hxl import COLUMNS
from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore
from support import exports_data

PREFIXES = """PREFIX rkg: <https://w3id.org/reintegration-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return exports_data(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def built(data_dir):
    result = build(data_dir)
    store = EmbeddedStore.from_graph(result.graph)
    return result, store, extract(store)


def count(store, where: str) -> int:
    return int(store.select(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


# ---------------------------------------------------------------------------- alignment (derived by the build)

def test_dac_purpose_and_gcm_objective_follow_the_stated_rules(built):
    _, store, x = built
    dac = {m: x.annotation("measures", m, "dacPurpose") for m in x.catalogue.kind("measures")}
    gcm = {m: x.annotation("measures", m, "gcmObjective") for m in x.catalogue.kind("measures")}
    # the general-population scheme has no purpose code; the others are for migrants
    assert dac == {"gp-loans": [], "pkb-loans": ["15190"], "prottasha": ["15190"], "prottasha-orientation": ["15190"]}
    # objective 21 needs return or post-return among the stated phases (or none stated)
    assert gcm == {"gp-loans": [], "pkb-loans": ["21"], "prottasha": ["21"], "prottasha-orientation": []}
    # the same counts from SPARQL on the store
    assert count(store, "?m rkg:dacPurpose ?c") == 3
    assert count(store, "?m rkg:gcmObjective <https://w3id.org/reintegration-kg/concept/gcm-objective/21>") == 2


# ---------------------------------------------------------------------------- CSV and the Data Package

@pytest.fixture(scope="module")
def csv_export(built, tmp_path_factory):
    result, store, x = built
    found = files(store, result.version, "csv", x)
    out = tmp_path_factory.mktemp("csv")
    for path, content in found.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(content)
    return out, found


def test_the_data_package_validates_with_frictionless(csv_export):
    from frictionless import validate

    out, found = csv_export
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    names = {r["name"] for r in __import__("json").loads(found["datapackage.json"])["resources"]}
    assert {"measures", "actors", "policies", "findings", "recommendations", "figures", "countries", "roles", "links",
            "sources", "queries-coverage-matrix", "queries-findings"} <= names


def test_csv_rows_and_values_equal_the_graph(built, csv_export):
    _, store, _ = built
    _, found = csv_export
    measures = {r["id"]: r for r in read_csv(found["measures.csv"])}
    assert len(measures) == count(store, "?m a rkg:SupportMeasure")
    assert len(read_csv(found["actors.csv"])) == count(store, "?a a rkg:Actor")
    assert len(read_csv(found["roles.csv"])) == count(store, "?m rkg:involvement ?i")
    assert len(read_csv(found["sources.csv"])) == count(store, "?s prov:wasDerivedFrom ?p")
    p = measures["prottasha"]
    assert p["iri"] == "https://w3id.org/reintegration-kg/id/measure/prottasha"
    assert p["dimensions"] == "economic; psychosocial; social" and p["implementer"] == "brac; iom"
    assert (p["funder"], p["status_iati"], p["measure_kind"], p["dac_purpose"], p["gcm_objectives"]) == \
        ("eu", "2", "dedicated", "15190", "21")
    assert (p["start"], p["end"], p["filed_under_dimension"]) == ("2019", "2022-03", "economic")
    assert measures["gp-loans"]["general_population"] == "true" and measures["gp-loans"]["dac_purpose"] == ""
    bank = next(r for r in read_csv(found["roles.csv"]) if r["measure"] == "gp-loans")
    assert (bank["actor"], bank["named"], bank["actor_type"], bank["stated_as"], bank["role_iati"]) == \
        ("", "false", "bank", "the bank", "4")
    coverage = read_csv(found["queries/coverage-matrix.csv"])
    assert coverage and {"country", "dimension", "level", "measures"} <= set(coverage[0])


def test_the_zip_is_the_same_bytes_for_the_same_data(built):
    result, store, x = built
    found = files(store, result.version, "hxl", x)
    first, second = bundle(found, "set"), bundle(files(store, result.version, "hxl", x), "set")
    assert first == second
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["set/reintegration-kg-3w.csv"]


# ---------------------------------------------------------------------------- XLSX

def test_the_workbook_opens_in_openpyxl_with_a_sheet_per_table(built):
    from openpyxl import load_workbook

    result, store, x = built
    (name, content), = files(store, result.version, "xlsx", x).items()
    assert name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames[0] == "index" and {"measures", "roles", "q coverage-matrix"} <= set(book.sheetnames)
    rows = list(book["measures"].iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "iri", "name")
    assert len(rows) - 1 == count(store, "?m a rkg:SupportMeasure")
    figures = list(book["figures"].iter_rows(values_only=True))
    value = figures[0].index("value")
    assert figures[1][value] == 163  # a number, not text


# ---------------------------------------------------------------------------- HXL

def test_the_3w_table_reads_back_with_libhxl(built, tmp_path):
    import hxl

    result, store, x = built
    path = tmp_path / "3w.csv"
    path.write_bytes(files(store, result.version, "hxl", x)["reintegration-kg-3w.csv"])
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert [c.display_tag for c in data.columns] == [tag for _, tag in COLUMNS]
    rows = list(data)
    # one row per measure x role x place, a measure without roles or places keeping its row
    assert len(rows) == count(store, "?m a rkg:SupportMeasure OPTIONAL { ?m rkg:involvement ?i } "
                                     "OPTIONAL { ?m rkg:place ?p }") == 7
    funders = [r for r in rows if r.get("#org+funder")]
    assert [(r.get("#activity+code"), r.get("#org+funder"), r.get("#org+role")) for r in funders] == \
        [("prottasha", "European Union", "funder")]
    again = hxl.data(str(path), hxl.InputOptions(allow_local=True))  # a libhxl source reads once
    impl = {r.get("#org+impl") for r in again.with_rows("#activity+code=prottasha")}
    assert {"BRAC", "International Organization for Migration"} <= impl
    # a role stated only by kind of body: no organisation, its type filled
    bank = next(r for r in rows if r.get("#activity+code") == "gp-loans")
    by_tag = dict(zip([c.display_tag for c in data.columns], bank.values))
    organisations = [f"#org+{a}" for a in ("lead", "funder", "accountable", "extending", "impl", "partner", "support",
                                           "id")]
    assert [tag for tag in organisations if by_tag[tag]] == []
    assert (bank.get("#org+type+code"), bank.get("#org+type"), bank.get("#meta+stated")) == \
        ("bank", "private or cooperative bank", "the bank")
    assert bank.get("#meta+source+quote") == "By 2019 the bank had provided rehabilitation loans"
    # the district's division is its first administrative level
    orientation = next(r for r in rows if r.get("#activity+code") == "prottasha-orientation")
    assert (orientation.get("#adm1+name"), orientation.get("#loc+name"), orientation.get("#country+code")) == \
        ("Dhaka Division", "Dhaka", "BGD")
    assert (orientation.get("#date+start"), orientation.get("#status+iati")) == ("2020-11-25", "4")


# ---------------------------------------------------------------------------- IATI

def test_the_iati_activities_validate_against_the_standards_schema(built):
    from lxml import etree
    from okfn_iati import IatiValidator

    result, store, x = built
    found = files(store, result.version, "iati", x)
    valid, errors = IatiValidator().validate_xml(found["iati-activities.xml"].decode("utf-8"))
    assert valid, errors
    root = etree.fromstring(found["iati-activities.xml"])
    activities = root.findall("iati-activity")
    # written: only what every required element can be filled for (here the component dated to the day)
    assert [a.findtext("iati-identifier") for a in activities] == \
        ["https://w3id.org/reintegration-kg/id/measure/prottasha-orientation"]
    a = activities[0]
    assert a.find("reporting-org").get("secondary-reporter") == "1"
    assert a.find("iati-identifier").text.startswith(a.find("reporting-org").get("ref"))
    assert [(o.get("role"), o.get("type"), o.get("ref"), o.findtext("narrative")) for o in a.findall("participating-org")] \
        == [("4", "24", None, "BRAC")]
    assert [(d.get("type"), d.get("iso-date")) for d in a.findall("activity-date")] == \
        [("2", "2020-11-25"), ("4", "2020-11-26")]
    assert a.find("activity-status").get("code") == "4" and a.find("recipient-country").get("code") == "BD"
    assert (a.find("sector").get("vocabulary"), a.find("sector").get("code")) == ("1", "15190")
    assert a.find("tag") is None  # pre-departure only: no GCM objective 21
    assert (a.find("related-activity").get("type"), a.find("related-activity").get("ref")) == \
        ("1", "https://w3id.org/reintegration-kg/id/measure/prottasha")
    # the others, each with what the schema requires and the graph lacks
    skipped = {r["id"]: r["missing"] for r in read_csv(found["iati-not-exported.csv"])}
    assert set(skipped) == {"prottasha", "pkb-loans", "gp-loans"}
    assert skipped["prottasha"] == "activity-date: no start or end stated to the day"
    assert "activity-status" in skipped["pkb-loans"] and "participating-org" in skipped["pkb-loans"]


def test_no_iati_file_when_no_measure_can_be_written(analytics_build, analytics_store):
    found = files(analytics_store, analytics_build.version, "iati")
    # an iati-activities file needs one activity at least; the list says why each is left out
    assert "iati-activities.xml" not in found
    assert len(read_csv(found["iati-not-exported.csv"])) == count(analytics_store, "?m a rkg:SupportMeasure")
