"""The named query library on a hand-made fixture with known answers (tests/fixtures/analytics)."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import PROV
from rdflib.plugins.sparql import prepareQuery

from rkg.errors import InvalidValue, NotFound
from rkg.graph import queries as Q
from rkg.graph.build import build
from rkg.graph.parameters import Vocabulary
from rkg.graph.store import EmbeddedStore, with_values
from rkg.loaders.schema import CONCEPT, ID, RKG
from support import FIXTURES, replace_in


def cell(rows, **match):
    found = [r for r in rows if all(str(r.get(k)) == str(v) for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


# ---------------------------------------------------------------- the library itself

def test_every_query_documents_itself():
    library = Q.library()
    assert len([q for q in library.values() if not q.check]) >= 14
    for q in library.values():
        assert q.title and q.answers and q.columns, q.name
        if not q.check:
            assert q.examples and all(e.startswith(f"rkg query run {q.name}") for e in q.examples), q.name
        for p in q.params:
            assert p.help, (q.name, p.name)


def test_every_query_parses_and_declares_its_real_columns(analytics):
    for q in Q.library().values():
        prepareQuery(q.text)  # a SPARQL 1.1 parser other than the store's
        rows = analytics.store.store.query(q.text)
        produced = [v.value for v in rows.variables]
        echoed = {p.name for p in q.params} - set(q.columns)  # parameters some queries echo back
        assert [c for c in produced if c not in echoed] == q.columns, q.name


def test_check_queries_follow_the_naming_convention():
    checks = [q for q in Q.library().values() if q.check]
    assert len(checks) >= 6
    assert all(q.path.name.endswith("-violation.rq") and q.path.parent.name == "checks" for q in checks)


def test_parameters_are_bound_not_pasted(analytics):
    query = Q.get("coverage-matrix")
    hostile = 'BGD" } } DROP ALL #'
    with pytest.raises(InvalidValue) as caught:
        Q.check_values(query, {"country": hostile}, Vocabulary.from_store(analytics.store))
    assert "BGD" in caught.value.allowed and caught.value.code == "invalid-parameter"
    text = with_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": __import__("rdflib").Literal('a"b')})
    assert 'VALUES (?x) { ("a\\"b") }' in text


def test_a_marked_sub_select_gets_the_value_and_restricts_nothing_unbound(analytics):
    from rdflib import Literal
    text = "SELECT ?x WHERE { { SELECT ?x ?country WHERE { VALUES ?country { UNDEF } ?x ?p ?country } } }"
    assert 'VALUES ?country { "BGD" }' in with_values(text, {"country": Literal("BGD")})
    assert with_values(text, {"x": Literal("a")}).count("UNDEF") == 1
    # the overlap query marks its sub-selects: one country's rows are exactly that country's share of all rows
    every = analytics("overlapping-actors")
    for country in ("BGD", "NPL"):
        assert analytics("overlapping-actors", country=country) == [r for r in every if r["country"] == country]
    assert any(r["country"] == "NPL" for r in every) and any(r["country"] == "BGD" for r in every)


def test_bad_parameters_say_what_is_allowed(analytics):
    vocabulary = Vocabulary.from_store(analytics.store)
    with pytest.raises(InvalidValue) as caught:
        Q.check_values(Q.get("coverage-matrix"), {"target_group": "woman"}, vocabulary)
    assert "women" in caught.value.allowed
    with pytest.raises(InvalidValue) as caught:
        Q.check_values(Q.get("coverage-matrix"), {"colour": "red"}, vocabulary)
    assert caught.value.allowed == ["country", "target_group", "phase", "unit"]
    with pytest.raises(InvalidValue) as caught:
        Q.check_values(Q.get("overlapping-actors"), {"actor": "un-one"}, vocabulary)
    assert "un-1" in str(caught.value)
    for bad in ("two", "1_0", "+1", " 5", "1.5"):
        with pytest.raises(InvalidValue):
            Q.check_values(Q.get("actors-across-countries"), {"min_countries": bad}, vocabulary)
    for bad in ("nan", "Infinity", "+0.0", "0,5", "1_0", " 5", ".5", "1e12", "1" * 41, ""):
        with pytest.raises(InvalidValue):
            Q.check_values(Q.get("overlapping-actors"), {"min_score": bad}, vocabulary)
    for number in ("1e-05", "-2.5E+3", "0.30000000000000004", "2"):  # JSON numbers, as the OpenAPI types them
        assert Q.check_values(Q.get("overlapping-actors"), {"min_score": number}, vocabulary)["min_score"] \
            == Decimal(number)
    for empty in ({"unit": ""}, {"country": ""}):  # an empty code is no code: refused, never read as "all"
        with pytest.raises(InvalidValue, match="empty"):
            Q.check_values(Q.get("coverage-matrix"), empty, vocabulary)
    with pytest.raises(NotFound) as caught:
        Q.get("coverage-matrx")
    assert caught.value.code == "not-found" and "coverage-matrix" in str(caught.value)


def test_an_actor_is_found_by_its_id_name_acronym_or_alias(analytics):
    vocabulary = Vocabulary.from_store(analytics.store)
    for given in ("un-1", "UN One", "un one", "UN1", "un1"):
        assert Q.check_values(Q.get("overlapping-actors"), {"actor": given}, vocabulary)["actor"] == "un-1"


def test_country_codes_are_case_insensitive(analytics):
    assert analytics("coverage-matrix", country="bgd") == analytics("coverage-matrix", country="BGD")


# ---------------------------------------------------------------- gaps

def test_coverage_matrix_counts_by_status_and_state_lead(analytics):
    rows = analytics("coverage-matrix", country="BGD")
    assert len(rows) == 9
    ei = cell(rows, dimension="economic", level="individual")
    assert (ei["measures"], ei["ongoing"], ei["ended"], ei["state"], ei["non_state"]) == (2, 1, 1, 1, 1)
    es = cell(rows, dimension="economic", level="structural")
    assert (es["measures"], es["ongoing"], es["state"]) == (1, 1, 1)
    sc = cell(rows, dimension="social", level="community")
    assert (sc["measures"], sc["status_unknown"], sc["non_state"]) == (1, 1, 1)
    pi = cell(rows, dimension="psychosocial", level="individual")
    assert (pi["measures"], pi["planned"]) == (1, 1)
    assert cell(rows, dimension="social", level="structural")["measures"] == 0


def test_coverage_matrix_lists_every_cell_of_every_country(analytics):
    rows = analytics("coverage-matrix")
    assert len(rows) == 5 * 9
    assert cell(rows, country="NPL", dimension="social", level="individual")["measures"] == 1
    assert sum(r["measures"] for r in rows if r["country"] == "LKA") == 0


def test_coverage_matrix_filters_by_target_group_and_phase(analytics):
    women = analytics("coverage-matrix", country="BGD", target_group="women")
    assert cell(women, dimension="economic", level="individual")["measures"] == 2
    assert sum(r["measures"] for r in women) == 2
    pre = analytics("coverage-matrix", country="BGD", phase="pre-departure")
    assert [(r["dimension"], r["level"]) for r in pre if r["measures"]] == [("social", "community")]


def test_empty_and_thin_cells(analytics):
    rows = analytics("empty-and-thin-cells", country="BGD")
    assert len(rows) == 9  # every cell of the fixture is empty or thin
    ei = cell(rows, dimension="economic", level="individual")
    assert (ei["current"], ei["single_measure"], ei["single_actor"], ei["external_only"]) == (1, True, False, True)
    es = cell(rows, dimension="economic", level="structural")
    assert (es["single_actor"], es["external_only"]) == (True, False)
    assert cell(rows, dimension="psychosocial", level="individual")["empty"] is True  # only a planned measure


def test_dimension_balance(analytics):
    rows = analytics("dimension-balance", country="BGD")
    assert cell(rows, facet="dimension", value="economic")["share"] == 60
    assert cell(rows, facet="dimension", value="social")["share"] == 20
    assert cell(rows, facet="level", value="individual")["measures"] == 3
    assert {r["total"] for r in rows} == {5}


def test_phase_coverage(analytics):
    rows = analytics("phase-coverage", country="BGD")
    assert {r["phase"]: r["measures"] for r in rows} == {
        "pre-departure": 1, "in-service": 0, "return": 0, "post-return": 1, "not stated": 3}
    assert {(r["stated"], r["total"]) for r in rows} == {(2, 5)}  # m1 and m3 state a phase


def test_zero_rows_survive_when_other_countries_have_measures(analytics):
    """A cell, phase or dimension empty in one country but filled in another is still listed
    with 0 (an OPTIONAL evaluated apart from its country would drop it)."""
    phases = {r["phase"]: r["measures"] for r in analytics("phase-coverage", country="NPL")}
    assert phases == {"pre-departure": 0, "in-service": 0, "return": 0, "post-return": 0, "not stated": 2}
    balance = analytics("dimension-balance", country="NPL")
    assert cell(balance, facet="dimension", value="psychosocial")["measures"] == 0
    assert cell(balance, facet="level", value="community")["share"] == 0


def test_target_group_coverage(analytics):
    rows = analytics("target-group-coverage", country="BGD", target_group="women")
    assert {r["dimension"]: r["measures"] for r in rows} == {"economic": 2, "social": 0, "psychosocial": 0}
    assert cell(analytics("target-group-coverage", country="NPL"), target_group="women",
                dimension="economic")["measures"] == 0


def test_policy_implementation(analytics):
    rows = analytics("policy-implementation", country="BGD")
    assert [(r["policy"], r["measures"]) for r in rows] == [("pol-b", 0), ("pol-a", 1)]
    assert cell(rows, policy="pol-a")["agencies"] == ["Government A"]
    assert cell(rows, policy="pol-a")["implementing_measures"] == ["Measure One"]
    assert [r["policy"] for r in analytics("policy-implementation", status="proposed")] == ["pol-n"]


def test_policies_without_measures(analytics):
    assert [(r["country"], r["policy"]) for r in analytics("policies-without-measures")] == [
        ("BGD", "pol-b"), ("NPL", "pol-n")]


def test_countries_without_reintegration_policy(analytics):
    rows = analytics("countries-without-reintegration-policy")
    assert [r["country"] for r in rows] == ["IND", "LKA", "NPL", "PAK"]
    assert cell(rows, country="NPL")["drafted_or_proposed"] == 1


def test_sustainability_risk(analytics):
    rows = {r["measure"]: r for r in analytics("sustainability-risk", country="BGD", as_of="2019-06-30")}
    # m2 is completed (history, not a risk); m5 is State-led and State-funded
    assert set(rows) == {"m1", "m3", "m4"}
    assert rows["m1"]["external_funding_only"] and not rows["m1"]["no_state_actor"]
    assert rows["m3"]["no_state_actor"] and rows["m3"]["funder_sector"] is None  # not stated
    assert not rows["m3"]["external_funding_only"]
    assert rows["m4"]["no_state_actor"] and rows["m4"]["external_funding_only"] and not rows["m4"]["ending"]


def test_findings_with_evidence(analytics):
    rows = analytics("findings", country="BGD")
    [gap] = rows
    assert (gap["finding"], gap["scope"], gap["kind"], gap["dimensions"], gap["levels"], gap["about"]) == (
        "f-bgd-gap", "country", "gap", ["psychosocial"], [], ["m4"])
    assert gap["themes"] == ["dimension-balance", "psychosocial-support"]
    assert analytics("findings", theme="data")[0]["finding"] == "f-npl-weak"
    assert analytics("findings", kind="strength") == []


# ---------------------------------------------------------------- coordination

def test_overlapping_actors_rank_pairs_by_what_they_do_together(analytics):
    rows = analytics("overlapping-actors", country="BGD")
    pairs = {(r["actor_a"], r["actor_b"]): r for r in rows}
    assert len(pairs) == 6  # every pair of the four actors of BGD measures, once
    # donor-d and un-1: 2 joint measures (m2, m4), 1 shared place, 1 shared target group, the same 2 cells
    top = rows[0]
    assert (top["actor_a"], top["actor_b"], top["joint_measures"], top["shared_places"],
            top["shared_target_groups"], top["cell_overlap"], top["score"]) == ("donor-d", "un-1", 2, 1, 1, 1, 10)
    # three pairs tie at 3 + 2 + 1 + 1/3 (m1 together): in order of the evidence, then of the ids
    assert [(r["actor_a"], r["actor_b"]) for r in rows[1:4]] == [("donor-d", "gov-a"), ("donor-d", "ngo-x"),
                                                                  ("gov-a", "ngo-x")]
    assert pairs[("gov-a", "ngo-x")]["score"] == pytest.approx(6.333)
    assert pairs[("gov-a", "ngo-x")]["cells"] == 3 and pairs[("gov-a", "ngo-x")]["cell_overlap"] == pytest.approx(0.333)
    assert pairs[("gov-a", "un-1")]["score"] == pytest.approx(3.333)  # no joint measure
    assert not any(r["related"] for r in rows)


def test_overlapping_actors_for_one_actor(analytics):
    rows = analytics("overlapping-actors", country="BGD", actor="un-1")
    assert [(r["actor_b"], r["score"]) for r in rows][0] == ("donor-d", 10)
    assert {r["actor_a"] for r in rows} == {"un-1"} and len(rows) == 3
    assert analytics("overlapping-actors", country="BGD", actor="un-1", min_score="5")[0]["actor_b"] == "donor-d"
    assert len(analytics("overlapping-actors", country="BGD", actor="un-1", min_score="5")) == 1


def test_who_funds_whom(analytics):
    rows = analytics("who-funds-whom", country="BGD")
    assert [(r["funder_id"], r["implementer"], r["measures"]) for r in rows] == [
        ("donor-d", "ngo-x", 1), ("donor-d", "un-1", 2), ("gov-a", None, 1)]
    assert [r["country"] for r in analytics("who-funds-whom", funder="donor-d")] == ["BGD", "BGD", "NPL"]
    # gov-a funds m5, which names no implementer: the funder is listed, the implementer columns empty
    [m5] = analytics("who-funds-whom", funder="gov-a")
    assert (m5["implementer"], m5["implementer_name"], m5["measure_ids"], m5["measure_names"]) == (
        None, None, ["m5"], ["Measure Five"])


def test_actors_across_countries(analytics):
    rows = analytics("actors-across-countries")
    assert {r["actor"]: r["countries"] for r in rows} == {"donor-d": 2, "un-1": 2}
    assert [(r["country"], r["measures"], r["roles"]) for r in rows if r["actor"] == "un-1"] == [
        ("BGD", 2, ["implementer"]), ("NPL", 1, ["implementer"])]
    # active in a country (rkg:activeIn): stated (body-c in BGD) or inferred from measures and policies
    everyone = analytics("actors-across-countries", min_countries=1)
    assert len({r["actor"] for r in everyone}) == 6
    assert [(r["country"], r["measures"], r["roles"]) for r in everyone if r["actor"] == "body-c"] == [("BGD", 0, [])]


def test_coordination_bodies_and_who_sits_outside(analytics):
    [body] = analytics("coordination-bodies", country="BGD")
    assert (body["body"], body["head"], body["members"]) == ("body-c", "Government A", 2)
    outside = analytics("actors-outside-coordination", country="BGD")
    assert {r["actor"]: r["measures"] for r in outside} == {"donor-d": 3, "ngo-x": 2}


# ---------------------------------------------------------------- checks

def test_checks_pass_on_the_fixture(analytics):
    for q in Q.library().values():
        if q.check:
            assert analytics(q.name) == [], q.name


# the passage every record of the analytics fixture cites
SRC = '{document: mini-report, section: "1", quote: "Reintegration support spans economic"}'


@pytest.mark.parametrize("check,old,new", [
    ("funder-without-implementer-violation",
     "roles: {implementer: [un-1], funder: [donor-d]}\n    source: " + SRC + "\n  - id: n2",
     "roles: {funder: [donor-d]}\n    source: " + SRC + "\n  - id: n2"),
    ("unused-actor-violation", "  - {id: donor-d, name: Donor D, type: donor-government, source: " + SRC + "}",
     "  - {id: donor-d, name: Donor D, type: donor-government, source: " + SRC + "}\n"
     "  - {id: lonely, name: Lonely Actor, type: ngo, source: " + SRC + "}"),
    ("duplicate-actor-name-violation", "{id: gov-n, name: Government N,", "{id: gov-n, name: government a,"),
    ("coordination-body-without-country-violation", "    countries: [BGD]\n    headed_by: gov-a", "    headed_by: gov-a"),
    ("recommendation-addresses-other-country-violation", "    addresses: [f-bgd-gap]", "    addresses: [f-npl-weak]"),
    ("place-outside-country-violation", "  - id: n1\n    name: Measure N One\n    types: [grant]\n    country: NPL\n",
     "  - id: n1\n    name: Measure N One\n    types: [grant]\n    country: NPL\n    places: [bgd-p1]\n"),
])
def test_each_check_catches_its_violation(tmp_path, check, old, new):
    shutil.copytree(FIXTURES / "analytics", tmp_path / "data")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    replace_in(tmp_path / "data" / "records.yaml", old, new)
    store = EmbeddedStore.from_graph(build(tmp_path / "data").graph)
    assert len(store.select(Q.get(check).text)) >= 1


def test_checks_of_what_the_loader_cannot_write_catch_a_graph_from_elsewhere(analytics_build):
    """Two checks guard graphs that did not come from the loader (a store or endpoint filled by
    other means): a figure in another unit than its indicator's, a finding citing no section. The
    loader refuses both, so the violations are written into a copy of the built graph."""
    graph = Graph() + analytics_build.graph
    finding = URIRef(ID + "finding/f-bgd-gap")
    for passage in list(graph.objects(finding, PROV.wasDerivedFrom)):
        graph.remove((passage, RKG.section, None))
    figure, indicator = URIRef(ID + "figure/odd"), URIRef(CONCEPT + "indicator/odd")
    unit = lambda code: URIRef(CONCEPT + "unit/" + code)
    graph.add((figure, RDF.type, RKG.Figure))
    graph.add((figure, RKG.unit, unit("percent")))
    graph.add((figure, RKG.indicator, indicator))
    graph.add((indicator, RKG.unit, unit("person")))
    store = EmbeddedStore.from_graph(graph)
    assert [r["record"] for r in Q.records(Q.run(store, Q.get("finding-without-section-violation")),
                                           Q.get("finding-without-section-violation"))] == [str(finding)]
    mismatch = Q.records(Q.run(store, Q.get("figure-unit-mismatch-violation")), Q.get("figure-unit-mismatch-violation"))
    assert mismatch == [{"figure": "odd", "figure_unit": "percent", "indicator_unit": "person"}]
    clean = EmbeddedStore.from_graph(analytics_build.graph)
    for name in ("finding-without-section-violation", "figure-unit-mismatch-violation"):
        assert Q.run(clean, Q.get(name)) == []


# rdflib joins sub-selects by nested loops and re-evaluates them per row: the overlap query, which
# joins eight grouped sub-selects so that Oxigraph never pairs measures one by one, runs for
# minutes in rdflib even on the test fixture. Its portability is checked on the SPARQL servers
# of tests/test_backends.py instead.
TOO_SLOW_FOR_RDFLIB = {"overlapping-actors"}


@pytest.mark.slow
def test_rdflib_gives_the_same_answers_as_the_embedded_store(analytics):
    """The queries are portable SPARQL 1.1: a second engine (rdflib's) agrees on every row."""
    vocabulary = Vocabulary.from_store(analytics.store)
    assert set(Q.library()) >= TOO_SLOW_FOR_RDFLIB
    for q in Q.library().values():
        if q.name in TOO_SLOW_FOR_RDFLIB:
            continue
        for params in ({}, {"country": "BGD"} if q.param("country") else None):
            if params is None:
                continue
            checked = Q.check_values(q, params, vocabulary)
            bindings = Q.bindings(q, checked)
            ours = Q.run(analytics.store, q, params, vocabulary)
            result = analytics.graph.query(with_values(q.text, bindings))
            theirs = [{str(v): row[v] for v in result.vars} for row in result]

            def norm(rows, lists=tuple(q.lists)):
                return sorted(tuple(sorted((k, "; ".join(sorted(str(v).split("; "))) if k in lists else str(v))
                                           for k, v in r.items()
                                           if v is not None and not (k in lists and str(v) == ""))) for r in rows)
            assert norm(ours) == norm(theirs), (q.name, params)
