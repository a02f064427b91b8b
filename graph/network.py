"""The actor network: who works with whom, who brokers, who stands alone.

From the graph we build a bipartite actor-measure graph (an edge for each role an actor plays
in a measure) and project it onto the actors. Two actors are linked when they share measures
or work in the same country x dimension x level cells; the edge weight is
`shared_measures + shared_cells`. On the projection we compute degree, weighted degree and
betweenness centrality (distance = 1 / weight, so strong ties are short), communities
(greedy modularity), connected components, isolated actors, bridges (edges whose removal
splits a component) and the actors whose measures span several countries.
"""

from __future__ import annotations

import io
import itertools
import json
from collections import defaultdict

import networkx as nx
from networkx.algorithms import bipartite

from ..loaders.schema import ID
from .queries import internal, run


def _short(iri: str) -> str:
    return iri[len(ID):] if iri.startswith(ID) else iri  # "actor/iom", "measure/bgd-prottasha"


def bipartite_graph(store, country: str | None = None) -> nx.Graph:
    """Actors and measures as the two node sets; `country` keeps only that country's measures."""
    graph = nx.Graph()
    for row in run(store, internal("network-roles"), {"country": country} if country else {}):
        measure_country = str(row["measure_country"]) if row["measure_country"] is not None else None
        actor, measure = _short(str(row["actor"])), _short(str(row["measure"]))
        if actor not in graph:
            graph.add_node(actor, bipartite=0, kind="actor", label=str(row["actorName"]),
                           actor_type=str(row["actorType"]),
                           state=str(row["state"]) if row["state"] is not None else "unknown",
                           countries=set(), cells=set())
        if measure not in graph:
            graph.add_node(measure, bipartite=1, kind="measure", label=str(row["measureName"]),
                           countries=set(), cells=set())
        for node in (actor, measure):
            if measure_country:
                graph.nodes[node]["countries"].add(measure_country)
            if measure_country and row["dimension"] is not None and row["level"] is not None:
                graph.nodes[node]["cells"].add((measure_country, str(row["dimension"]), str(row["level"])))
        if graph.has_edge(actor, measure):
            graph.edges[actor, measure]["roles"].add(str(row["role"]))
        else:
            graph.add_edge(actor, measure, roles={str(row["role"])})
    return graph


def actor_projection(b: nx.Graph) -> nx.Graph:
    actors = [n for n, d in b.nodes(data=True) if d["kind"] == "actor"]
    if not actors:
        return nx.Graph()  # a country with no recorded actors has an empty network (networkx cannot project it)
    projection = bipartite.weighted_projected_graph(b, actors)  # weight = shared measures
    for _, _, data in projection.edges(data=True):
        data["shared_measures"] = data.pop("weight")
    for u, v in itertools.combinations(actors, 2):
        shared_cells = len(b.nodes[u]["cells"] & b.nodes[v]["cells"])
        if shared_cells:
            if not projection.has_edge(u, v):
                projection.add_edge(u, v, shared_measures=0)
            projection.edges[u, v]["shared_cells"] = shared_cells
    for _, _, data in projection.edges(data=True):
        data.setdefault("shared_cells", 0)
        data["weight"] = data["shared_measures"] + data["shared_cells"]
        data["distance"] = 1.0 / data["weight"]
    for node in actors:
        projection.nodes[node].update(b.nodes[node])
    return projection


def metrics(projection: nx.Graph) -> dict:
    betweenness = nx.betweenness_centrality(projection, weight="distance", normalized=True)
    degree = dict(projection.degree())
    strength = dict(projection.degree(weight="weight"))
    communities = nx.community.greedy_modularity_communities(projection, weight="weight") \
        if projection.number_of_edges() else [{n} for n in projection]
    community_of = {node: i for i, members in enumerate(communities) for node in members}
    components = sorted((sorted(c) for c in nx.connected_components(projection)), key=lambda c: (-len(c), c))
    actors = []
    for node in sorted(projection):
        data = projection.nodes[node]
        actors.append({
            "id": node.split("/", 1)[-1], "name": data["label"], "type": data["actor_type"],
            "state": data["state"], "countries": sorted(data["countries"]),
            "degree": degree[node], "weighted_degree": strength[node],
            "betweenness": round(betweenness[node], 6), "community": community_of[node],
        })
    return {
        "actors": actors,
        "edges": [{"source": u.split("/", 1)[-1], "target": v.split("/", 1)[-1], "weight": d["weight"],
                   "shared_measures": d["shared_measures"], "shared_cells": d["shared_cells"]}
                  for u, v, d in sorted(projection.edges(data=True))],
        "communities": [sorted(n.split("/", 1)[-1] for n in c) for c in communities],
        "components": [[n.split("/", 1)[-1] for n in c] for c in components],
        "isolated": sorted(n.split("/", 1)[-1] for n in nx.isolates(projection)),
        "bridges": sorted(sorted((u.split("/", 1)[-1], v.split("/", 1)[-1])) for u, v in nx.bridges(projection)),
        "cross_country": sorted(a["id"] for a in actors if len(a["countries"]) > 1),
    }


def network(store, country: str | None = None) -> tuple[nx.Graph, nx.Graph, dict]:
    b = bipartite_graph(store, country)
    projection = actor_projection(b)
    return b, projection, metrics(projection)


def _flat(graph: nx.Graph) -> nx.Graph:
    """A copy with set-valued attributes as sorted, ';'-joined strings (GraphML/GEXF want scalars)."""
    flat = nx.Graph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: ";".join(sorted(map(str, v))) if isinstance(v, set) else v
                               for k, v in data.items() if k != "cells"})
    for u, v, data in graph.edges(data=True):
        flat.add_edge(u, v, **{k: ";".join(sorted(v2)) if isinstance(v2, set) else v2 for k, v2 in data.items()})
    return flat


def export(store, fmt: str, country: str | None = None) -> str:
    """The actor network as json (metrics and edges), graphml or gexf (projection with metrics)."""
    _, projection, result = network(store, country)
    if fmt == "json":
        return json.dumps({"country": country} | result, indent=2)
    flat = _flat(projection)
    by_id = {a["id"]: a for a in result["actors"]}
    for node in flat:
        stats = by_id[node.split("/", 1)[-1]]
        flat.nodes[node].update(degree=stats["degree"], betweenness=stats["betweenness"],
                                community=stats["community"], countries=";".join(stats["countries"]))
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer)
    elif fmt == "gexf":
        nx.write_gexf(flat, buffer)
    else:
        raise ValueError(f"unknown network format {fmt!r}: use json, graphml or gexf")
    return buffer.getvalue().decode("utf-8")


def roles_by_actor(b: nx.Graph) -> dict[str, dict[str, set]]:
    """actor -> measure -> roles, from the bipartite graph (handy for reports and tests)."""
    table: dict[str, dict[str, set]] = defaultdict(dict)
    for u, v, data in b.edges(data=True):
        actor, measure = (u, v) if b.nodes[u]["kind"] == "actor" else (v, u)
        table[actor][measure] = set(data["roles"])
    return table
