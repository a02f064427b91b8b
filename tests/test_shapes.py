"""The SHACL shapes on their own: a valid graph conforms, and each kind of bad record is refused
with the curator-facing message of its shape."""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import PROV, SH

from rkg.graph.build import build, shapes_graph
from rkg.loaders.schema import ORG, RKG, SCHEMA

ID = Namespace("https://w3id.org/reintegration-kg/id/")
PLACE = URIRef("https://w3id.org/reintegration-kg/concept/place/bgd-dhaka")
INDICATOR = URIRef("https://w3id.org/reintegration-kg/concept/indicator/bgd-rehabilitation-loans")
DIM_SOCIAL = URIRef("https://w3id.org/reintegration-kg/concept/dimension/social")
LEVEL_COMMUNITY = URIRef("https://w3id.org/reintegration-kg/concept/level/community")


@pytest.fixture(scope="module")
def valid_graph(tmp_path_factory):
    import shutil

    from support import FIXTURES
    root = tmp_path_factory.mktemp("shapes")
    shutil.copytree(FIXTURES / "mini", root / "data")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    return build(root / "data").graph


def messages(graph) -> list[str]:
    conforms, report, _ = validate(graph, shacl_graph=shapes_graph(), inference="none")
    return [str(m) for m in report.objects(None, SH.resultMessage)]


def test_valid_graph_conforms(valid_graph):
    assert messages(valid_graph) == []


def broken(graph, remove=(), add=()):
    g = graph.__class__()
    g += graph
    for triple in remove:
        g.remove(triple)
    for triple in add:
        g.add(triple)
    return g


M, A, P = ID["measure/prottasha"], ID["actor/brac"], ID["policy/bgd-act-2013"]
F, R, FIG = ID["finding/bgd-gap-data"], ID["recommendation/bgd-rec-data"], ID["figure/bgd-loans-2019"]

CASES = {
    "measure without source": (dict(remove=[(M, PROV.wasDerivedFrom, None)]), "cites no source"),
    "measure without status": (dict(remove=[(M, RKG.status, None)]), "needs exactly one `status`"),
    "measure with a level as dimension": (dict(add=[(M, RKG.dimension, LEVEL_COMMUNITY)]),
                                          "`dimensions` must be economic, social or psychosocial"),
    "measure without type": (dict(remove=[(M, RKG.measureType, None)]), "needs at least one `types`"),
    "measure naming a missing actor": (dict(add=[(M, RKG.involves, ID["actor/nobody"])]),
                                       "`roles` must name existing actors"),
    "measure implementing a missing policy": (dict(add=[(M, RKG.implementsPolicy, ID["policy/nothing"])]),
                                              "`implements` must name existing policies"),
    "measure with a bad date": (dict(remove=[(M, SCHEMA.endDate, None)],
                                     add=[(M, SCHEMA.endDate, Literal("March 2022"))]), "`end` must be one year"),
    "measure without country or scope": (dict(remove=[(M, RKG.country, None)]), "neither which `country`"),
    "actor without type": (dict(remove=[(A, RKG.actorType, None)]), "needs exactly one `type`"),
    "actor with two names": (dict(add=[(A, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("B R A C"))]),
                             "needs exactly one `name`"),
    "actor with members": (dict(add=[(A, ORG.hasMember, ID["actor/iom"])]), "only an actor of type coordination-body"),
    "policy without kind": (dict(remove=[(P, RKG.policyKind, None)]), "needs exactly one `kind`"),
    "policy designating a missing actor": (dict(add=[(P, RKG.designatesAgency, ID["actor/ghost"])]),
                                           "`designates` must name existing actors"),
    "finding without theme": (dict(remove=[(F, RKG.theme, None)]), "needs at least one `themes`"),
    "finding with a dimension as kind": (dict(remove=[(F, RKG.findingKind, None)],
                                              add=[(F, RKG.findingKind, DIM_SOCIAL)]), "gap, weakness or strength"),
    "recommendation answering a missing finding": (dict(add=[(R, RKG.addressesFinding, ID["finding/none"])]),
                                                   "`addresses` must name existing findings"),
    "recommendation without statement": (dict(remove=[(R, RKG.statement, None)]), "needs one `statement`"),
    "figure without value": (dict(remove=[(FIG, RKG.value, None)]), "numeric `value`"),
    "figure with text value": (dict(remove=[(FIG, RKG.value, None)], add=[(FIG, RKG.value, Literal("many"))]),
                               "numeric `value`"),
    "figure with two units": (dict(add=[(FIG, RKG.unit, URIRef("https://w3id.org/reintegration-kg/concept/unit/USD"))]),
                              "exactly one `unit`"),
    "figure without indicator": (dict(remove=[(FIG, RKG.indicator, None)]), "exactly one `indicator`"),
    "place without type": (dict(remove=[(PLACE, RKG.placeType, None)]), "`place_type`"),
    "indicator without name": (dict(remove=[(INDICATOR, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None)]),
                               "needs exactly one `name`"),
    "source passage without quote": (dict(remove=[(URIRef(str(M) + "#source-1"), RKG.quote, None)]),
                                     "verbatim `quote`"),
    "involvement without role": (dict(remove=[(URIRef(str(M) + "#funder-eu"), PROV.hadRole, None)]),
                                 "a role must be lead, funder"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_record_is_refused_with_its_message(valid_graph, case):
    change, expected = CASES[case]
    found = messages(broken(valid_graph, **change))
    assert any(expected in m for m in found), found


def test_validation_split_over_processes_finds_exactly_what_one_run_finds(valid_graph):
    from rkg.graph.validation import shacl_results, shares, targeted_shapes

    everything = {"remove": [], "add": []}
    for change, _ in CASES.values():
        for key in everything:
            everything[key] += change.get(key, [])
    graph = broken(valid_graph, **everything)
    alone = shacl_results(graph, shapes_graph(), workers=1)
    assert len({r.message for r in alone if r.is_violation}) >= len(CASES) - 2  # a few cases share a message
    dealt = shares(graph, shapes_graph(), 3)
    assert sorted(s for share in dealt for s in share) == targeted_shapes(shapes_graph())
    assert len(dealt) == 3
    for workers in (2, 3):
        assert shacl_results(graph, shapes_graph(), workers=workers) == alone
