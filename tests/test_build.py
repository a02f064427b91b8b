"""Building the graph: round trips, stable IRIs, the CLI and the /health endpoint."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from rkg.api.app import create_app
from rkg.cli import main
from rkg.graph.build import build
from rkg.loaders.schema import RKG
from support import data_settings, replace_in


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")])
def test_round_trip_gives_an_isomorphic_graph(mini, tmp_path, suffix, fmt):
    out = tmp_path / f"graph{suffix}"
    assert main(["build", "--data", str(mini), "--out", str(out)]) == 0
    parsed = Graph().parse(out, format=fmt)
    assert isomorphic(parsed, build(mini).graph)


def test_two_builds_give_the_same_iris_and_triples(mini):
    first, second = build(mini).graph, build(mini).graph
    assert set(first.subjects()) == set(second.subjects())
    assert to_isomorphic(first) == to_isomorphic(second)


def test_no_blank_nodes_for_things_people_link_to(mini):
    g = build(mini).graph
    for cls in (RKG.SupportMeasure, RKG.Actor, RKG.Policy, RKG.Finding, RKG.Recommendation, RKG.Figure,
                RKG.SourcePassage, RKG.Involvement):
        subjects = list(g.subjects(RDF.type, cls))
        assert subjects and all(isinstance(s, URIRef) for s in subjects), cls


def _without_version(graph):
    from rdflib import DCTERMS

    from rkg.graph.build import DATASET
    graph.remove((DATASET, DCTERMS.hasVersion, None))  # the data version hashes the files themselves
    return graph


def test_iris_do_not_depend_on_file_layout_or_order(mini):
    before = _without_version(build(mini).graph)
    text = (mini / "records.yaml").read_text()
    # move the actors into a file of their own, after the measures that use them
    start, end = text.index("actors:\n"), text.index("policies:\n")
    (mini / "records.yaml").write_text(text[:start] + text[end:])
    (mini / "zz-actors.yaml").write_text(text[start:end])
    assert to_isomorphic(_without_version(build(mini).graph)) == to_isomorphic(before)


def test_roles_become_qualified_involvements_and_shortcuts(mini):
    g = build(mini).graph
    m = URIRef("https://w3id.org/reintegration-kg/id/measure/prottasha")
    eu = URIRef("https://w3id.org/reintegration-kg/id/actor/eu")
    assert (m, RKG.fundedBy, eu) in g and (m, RKG.involves, eu) in g
    node = URIRef(str(m) + "#funder-eu")
    assert (m, RKG.involvement, node) in g
    assert str(g.value(g.value(node, URIRef("http://www.w3.org/ns/prov#hadRole")),
                       URIRef("http://www.w3.org/2004/02/skos/core#notation"))) == "funder"


def test_filed_under_also_counts_as_a_dimension(mini):
    replace_in(mini / "records.yaml", "    dimensions: [economic, social, psychosocial]\n", "")
    g = build(mini).graph
    m = URIRef("https://w3id.org/reintegration-kg/id/measure/prottasha")
    dims = {str(d).rsplit("/", 1)[1] for d in g.objects(m, RKG.dimension)}
    assert dims == {"economic"}


def test_actors_are_active_where_their_measures_run(mini):
    g = build(mini).graph
    eu = URIRef("https://w3id.org/reintegration-kg/id/actor/eu")
    assert str(g.value(eu, RKG.activeIn)).endswith("/country/BGD")


def test_validate_prints_a_one_line_summary(mini, capsys):
    assert main(["validate", "--data", str(mini)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and re.match(r"valid: .*2 measures.*; \d+ triples", out[0])


def test_validate_json(mini, capsys):
    assert main(["validate", "--data", str(mini), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] and payload["records"]["actors"] == 6 and payload["triples"] == len(build(mini).graph)


def test_stats_counts_by_kind_and_country(mini, capsys):
    assert main(["stats", "--data", str(mini), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["by_kind"]["measures"] == 2
    assert payload["by_country"]["measures"] == {"BGD": 2}
    assert payload["by_country"]["actors"]["BGD"] == 5  # all but the committee's, which runs no measure


def test_build_refuses_an_unknown_extension(mini, tmp_path, capsys):
    assert main(["build", "--data", str(mini), "--out", str(tmp_path / "g.xyz")]) == 2
    assert ".ttl" in capsys.readouterr().err


def test_health_reports_the_triples_of_the_validated_graph(mini):
    client = TestClient(create_app(data_settings(mini)))
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["triples"] == len(build(mini).graph)
    assert body["records"]["measures"] == 2 and len(body["data_version"]) == 12


def test_data_version_changes_with_the_data(mini):
    before = build(mini).version
    replace_in(mini / "records.yaml", "    name: Prottasha\n", "    name: Prottasha programme\n")
    assert build(mini).version != before
