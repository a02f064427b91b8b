"""The actor network on the analytics fixture, whose structure is known."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx

from rkg.cli import main
from rkg.graph.network import actor_projection, bipartite_graph, export, metrics, roles_by_actor
from support import FIXTURES


def test_bipartite_graph_has_actors_measures_and_roles(analytics):
    b = bipartite_graph(analytics.store)
    actors = {n for n, d in b.nodes(data=True) if d["kind"] == "actor"}
    measures = {n for n, d in b.nodes(data=True) if d["kind"] == "measure"}
    assert actors == {"actor/gov-a", "actor/gov-n", "actor/ngo-x", "actor/un-1", "actor/donor-d"}
    assert len(measures) == 7 and nx.is_bipartite(b)
    assert roles_by_actor(b)["actor/gov-a"]["measure/m5"] == {"lead", "funder"}


def test_projection_weights_count_shared_measures_and_cells(analytics):
    p = actor_projection(bipartite_graph(analytics.store))
    edge = p.edges["actor/un-1", "actor/donor-d"]
    # m2, m4 (BGD) and n1 (NPL) together; cells BGD econ/ind, BGD psy/ind, NPL econ/ind
    assert (edge["shared_measures"], edge["shared_cells"], edge["weight"]) == (3, 3, 6)
    assert p.edges["actor/gov-a", "actor/ngo-x"]["weight"] == 1 + 1  # m1, and the BGD econ/ind cell
    assert not p.has_edge("actor/gov-n", "actor/gov-a")


def test_metrics_on_the_fixture(analytics):
    result = metrics(actor_projection(bipartite_graph(analytics.store)))
    by_id = {a["id"]: a for a in result["actors"]}
    assert by_id["gov-n"]["degree"] == 0 and result["isolated"] == ["gov-n"]
    assert [len(c) for c in result["components"]] == [4, 1]
    assert result["cross_country"] == ["donor-d", "un-1"]
    assert by_id["donor-d"]["degree"] == 3 and by_id["donor-d"]["weighted_degree"] == 6 + 2 + 2
    # every shortest path between the four BGD actors runs over the strong un-1/donor-d tie or direct
    assert max(by_id.values(), key=lambda a: a["betweenness"])["id"] in {"donor-d", "un-1", "gov-a", "ngo-x"}
    assert sum(len(c) for c in result["communities"]) == 5


def test_country_filter_keeps_only_that_countrys_measures(analytics):
    b = bipartite_graph(analytics.store, "NPL")
    assert {n for n, d in b.nodes(data=True) if d["kind"] == "measure"} == {"measure/n1", "measure/n2"}
    result = metrics(actor_projection(b))
    assert result["isolated"] == ["gov-n"] and result["edges"][0]["weight"] == 2


def test_exports_open_as_graphml_gexf_and_json(analytics, tmp_path):
    path = tmp_path / "n.graphml"
    path.write_text(export(analytics.store, "graphml"))
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == 5 and g.nodes["actor/un-1"]["countries"] == "BGD;NPL"
    assert ET.fromstring(export(analytics.store, "gexf")).tag.endswith("gexf")
    payload = json.loads(export(analytics.store, "json", "BGD"))
    assert payload["country"] == "BGD" and {"actors", "edges", "bridges", "communities"} <= set(payload)


def test_network_cli(tmp_path, capsys):
    out = tmp_path / "net.gexf"
    assert main(["network", "--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources"),
                 "--format", "gexf", "--out", str(out)]) == 0
    assert nx.read_gexf(out).number_of_nodes() == 5
    capsys.readouterr()
    assert main(["network", "--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources"),
                 "--country", "npl"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["country"] == "NPL" and payload["isolated"] == ["gov-n"]


def test_a_country_with_no_actors_has_an_empty_network(analytics):
    result = metrics(actor_projection(bipartite_graph(analytics.store, "LKA")))
    assert result["actors"] == [] and result["edges"] == [] and result["components"] == []
