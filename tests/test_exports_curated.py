"""The exports of the whole curated data, read back by their users' tools, with counts computed
independently by SPARQL on the same store (the rules of docs/EXPORTS.md written as queries)."""

from __future__ import annotations

import csv
import io

import pytest

from rkg.exports import files
from rkg.exports.extract import extract
from rkg.graph.store import EmbeddedStore

pytestmark = pytest.mark.slow

PREFIXES = """PREFIX rkg: <https://w3id.org/reintegration-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def curated(curated_build):
    store = EmbeddedStore.from_graph(curated_build.graph)
    return curated_build, store, extract(store)


def count(store, where: str) -> int:
    return int(store.select(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def test_dac_and_gcm_alignment_follow_their_rules(curated):
    _, store, _ = curated
    gp = "<https://w3id.org/reintegration-kg/concept/measure-kind/general-population>"
    for_migrants = f"""?m a rkg:SupportMeasure .
        FILTER NOT EXISTS {{ ?m rkg:partOf* ?up . ?up rkg:measureKind {gp} }}
        FILTER NOT EXISTS {{ ?m rkg:partOf* ?up2 . ?up2 rkg:generalPopulation true }}"""
    assert count(store, "?m rkg:dacPurpose ?c") == count(store, for_migrants) > 100
    assert count(store, f"?m rkg:measureKind {gp} ; rkg:dacPurpose ?c") == 0
    returning = """FILTER(NOT EXISTS { ?m rkg:phase ?any } || EXISTS { ?m rkg:phase ?p
        FILTER(?p IN (<https://w3id.org/reintegration-kg/concept/phase/return>,
                      <https://w3id.org/reintegration-kg/concept/phase/post-return>)) })"""
    assert count(store, "?m rkg:gcmObjective ?o") == count(store, for_migrants + returning) > 100


def test_the_csv_export_validates_and_counts_as_the_graph(curated, tmp_path):
    from frictionless import validate

    result, store, x = curated
    found = files(store, result.version, "csv", x)
    for path, content in found.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

    def rows(path):
        return list(csv.DictReader(io.StringIO(found[path].decode("utf-8"))))

    assert len(rows("measures.csv")) == count(store, "?m a rkg:SupportMeasure") > 200
    assert len(rows("roles.csv")) == count(store, "?m rkg:involvement ?i")
    unnamed = [r for r in rows("roles.csv") if r["named"] == "false"]
    assert len(unnamed) == count(store, "?m rkg:involvement ?i . ?i rkg:agentType ?t") > 0
    assert all(r["actor"] == "" and r["actor_type"] and r["stated_as"] for r in unnamed)
    nepal = [r for r in rows("measures.csv") if "NPL" in r["country"].split("; ")]
    assert len(nepal) == count(store, "?m a rkg:SupportMeasure ; rkg:country/skos:notation 'NPL'")


def test_the_hxl_table_counts_as_the_graph_and_invents_no_organisation(curated, tmp_path):
    import hxl

    result, store, x = curated
    path = tmp_path / "3w.csv"
    path.write_bytes(files(store, result.version, "hxl", x)["reintegration-kg-3w.csv"])
    rows = list(hxl.data(str(path), hxl.InputOptions(allow_local=True)))
    assert len(rows) == count(store, "?m a rkg:SupportMeasure OPTIONAL { ?m rkg:involvement ?i } "
                                     "OPTIONAL { ?m rkg:place ?p }")
    by_type = [r for r in rows if r.get("#org+type+code") and not r.get("#org+id")]
    assert len(by_type) == count(store, "?m rkg:involvement ?i . ?i rkg:agentType ?t OPTIONAL { ?m rkg:place ?p }")
    assert all(r.get("#meta+stated") for r in by_type)
    with_adm1 = {r.get("#activity+code") for r in rows if r.get("#adm1+name")}
    assert with_adm1 and all(r.get("#loc+name") for r in rows if r.get("#adm1+name"))


def test_the_iati_activities_validate_and_are_those_the_rules_allow(curated):
    from lxml import etree
    from okfn_iati import IatiValidator

    result, store, x = curated
    found = files(store, result.version, "iati", x)
    valid, errors = IatiValidator().validate_xml(found["iati-activities.xml"].decode("utf-8"))
    assert valid, errors[:5]
    written = [a.findtext("iati-identifier") for a in etree.fromstring(found["iati-activities.xml"])
               .findall("iati-activity")]
    expected = store.select(PREFIXES + """SELECT DISTINCT ?m WHERE {
        ?m a rkg:SupportMeasure ; rkg:status/rkg:iatiCode ?status .
        FILTER EXISTS { ?m rkg:involvement/prov:hadRole/rkg:iatiCode ?role }
        FILTER EXISTS { ?m schema:startDate|schema:endDate ?d FILTER(DATATYPE(?d) = xsd:date) } }""")
    assert sorted(written) == sorted(str(r["m"]) for r in expected)
    skipped = list(csv.DictReader(io.StringIO(found["iati-not-exported.csv"].decode("utf-8"))))
    assert len(written) + len(skipped) == count(store, "?m a rkg:SupportMeasure")
