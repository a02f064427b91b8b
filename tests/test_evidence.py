"""The rules that make a gap one the evidence supports, on a hand-made fixture whose answers are
worked out by hand (tests/fixtures/evidence/records.yaml says what each record is for): "not
stated" is never "none", the counting unit is the dedicated programme, a finding is weighed on its
own tags, overlaps rank by what actors do together, and ended measures are history."""

from __future__ import annotations

import pytest

from rkg.graph.build import build
from rkg.graph.evidence import Measures, assess
from rkg.graph.parameters import Vocabulary
from rkg.graph.queries import get, records, run
from rkg.graph.store import EmbeddedStore
from support import FIXTURES


@pytest.fixture(scope="module")
def evidence():
    store = EmbeddedStore.from_graph(build(FIXTURES / "evidence", FIXTURES / "sources").graph)
    vocabulary = Vocabulary.from_store(store)

    class Runner:
        def __init__(self):
            self.store, self.vocabulary = store, vocabulary

        def __call__(self, name, **params):
            query = get(name)
            return records(run(store, query, {k: str(v) for k, v in params.items()}, vocabulary), query)

    return Runner()


def cell(rows, dimension, level):
    [found] = [r for r in rows if (r["dimension"], r["level"]) == (dimension, level)]
    return found


def test_a_measure_whose_sources_name_no_actor_is_actor_not_stated_never_no_state_actor(evidence):
    economic = cell(evidence("coverage-matrix", country="BGD"), "economic", "individual")
    assert (economic["measures"], economic["state"], economic["non_state"], economic["actor_not_stated"]) == (2, 0, 1, 1)
    risks = {r["measure"]: r for r in evidence("sustainability-risk", country="BGD", as_of="2022-06-30")}
    assert "e1" not in risks  # nothing stated, so nothing flagged
    assert risks["e2"]["no_state_actor"] and risks["e2"]["actor_sector"] == "non-state"  # a non-State kind of body


def test_components_and_general_population_schemes_are_counted_only_on_request(evidence):
    default = evidence("coverage-matrix", country="BGD")
    assert cell(default, "social", "individual")["measure_ids"] == ["e4"]
    assert cell(default, "economic", "individual")["measure_ids"] == ["e1", "e2"]
    components = evidence("coverage-matrix", country="BGD", unit="with-components")
    assert cell(components, "social", "individual")["measure_ids"] == ["e3", "e4"]
    general = evidence("coverage-matrix", country="BGD", unit="with-general")
    assert cell(general, "economic", "individual")["measure_ids"] == ["e1", "e2", "e5"]
    assert cell(general, "economic", "individual")["measure_names"] == ["E Five", "E One", "E Two"]


def test_a_component_takes_its_programmes_actors_and_a_kind_of_body_counts(evidence):
    rows = {r["measure"]: r for r in records(run(evidence.store, get("sustainability-risk"),
                                                 {"country": "BGD", "as_of": "2022-06-30", "unit": "all"}),
                                             get("sustainability-risk"))}
    assert "e3" not in rows and "e5" not in rows  # State-led: the programme's lead, a State body named by kind
    completeness = {r["field"]: r for r in evidence("field-completeness", country="BGD")}
    assert (completeness["actors"]["measures"], completeness["actors"]["stated"]) == (9, 8)  # e1 states none
    assert completeness["funders"]["stated"] == 2 and completeness["target group"]["stated"] == 2


def test_ended_measures_are_history_and_ending_is_judged_on_the_reference_date(evidence):
    in_2022 = {r["measure"]: r for r in evidence("sustainability-risk", country="BGD", as_of="2022-06-30")}
    assert "e6" not in in_2022  # ended in 2011
    assert in_2022["e7"]["ending"] and in_2022["e7"]["pilot"] and in_2022["e7"]["external_funding_only"]
    in_2026 = {r["measure"] for r in evidence("sustainability-risk", country="BGD", as_of="2026-01-01")}
    assert "e7" not in in_2026  # its recorded end (2023) has passed
    # completed: whatever the reference date, a completed measure is not a risk
    assert "e6" not in {r["measure"] for r in evidence("sustainability-risk", country="BGD", as_of="2010-01-01")}


def test_a_finding_is_weighed_on_its_own_tags(evidence):
    findings = evidence("findings", country="BGD")
    judged = {f["finding"]: f for f in assess(findings, Measures.from_store(evidence.store, evidence.vocabulary))}
    # one cell: economic x structural holds 1 current programme against 8 over 9 cells
    [cell_weighing] = judged["fg-cell"]["evidence"]
    assert (cell_weighing["in_scope"], cell_weighing["baseline"]) == (1, 0.89)
    assert judged["fg-cell"]["verdict"] == "contradicted"
    # one dimension: 2 psychosocial programmes against an average of 8 / 3
    [dimension] = judged["fg-psychosocial"]["evidence"]
    assert (dimension["in_scope"], dimension["baseline"]) == (2, 2.67)
    assert judged["fg-psychosocial"]["verdict"] == "supported"
    assert judged["fg-data"]["verdict"] == "not testable" and "data" in judged["fg-data"]["reason"]
    # 2 of the 8 current programmes state a target group: too few to say that none serves older returnees
    assert judged["fg-older"]["verdict"] == "not testable"
    assert "only 2 of its 8 current measures state a target group" in judged["fg-older"]["reason"]


def test_a_strength_is_supported_by_the_support_it_names_not_by_outnumbering_the_rest(evidence):
    findings = evidence("findings", country="BGD")
    judged = {f["finding"]: f for f in assess(findings, Measures.from_store(evidence.store, evidence.vocabulary))}
    # 2 psychosocial programmes, below the average of 8 / 3: a gap would be supported, the strength is too
    [weighing] = judged["fg-strength"]["evidence"]
    assert (weighing["in_scope"], weighing["baseline"]) == (2, 2.67)
    assert judged["fg-strength"]["verdict"] == "supported"
    assert judged["fg-strength-none"]["verdict"] == "contradicted"
    assert judged["fg-strength-none"]["reason"] == "no current measure in scope"


def _programme(groups: list[str], phases: list[str] = ()) -> dict:
    return {"status": "ongoing", "dimensions": ["economic"], "levels": ["individual"], "target_groups": groups,
            "phases": list(phases)}


VALUES = {"dimensions": ["economic"], "levels": ["individual"], "phases": ["post-return", "pre-departure"],
          "target_groups": ["children", "older-returnees", "women", "youth"]}


def _judge(finding: dict, countries: dict[str, list[dict]]) -> dict:
    rows = [finding | {"country": country} for country in countries]
    [judged] = assess(rows, Measures(countries, VALUES))
    return judged


def test_a_finding_over_several_countries_needs_most_of_them_testable():
    # target groups stated by every programme in BGD, by none in IND and NPL
    stated = [_programme(["women"])] * 3 + [_programme(["older-returnees"])]
    silent = [_programme([])] * 4
    gap = {"finding": "older-left-out", "kind": "gap", "themes": ["targeting"], "target_groups": ["older-returnees"],
           "phases": [], "dimensions": [], "levels": []}

    def verdict(countries: dict[str, list[dict]]) -> dict:
        return _judge(gap, countries)

    # BGD: 1 programme for older returnees against an average of 1: decides nothing alone
    assert verdict({"BGD": stated})["verdict"] == "not testable"
    few = stated[:3] + [_programme(["youth"])]
    assert verdict({"BGD": few})["verdict"] == "supported"
    # supported in BGD, not testable in the two others: one country of three does not carry it
    judged = verdict({"BGD": few, "IND": silent, "NPL": silent})
    assert judged["verdict"] == "not testable"
    assert judged["reason"].startswith("testable in only 1 of its 3 countries")
    assert verdict({"BGD": few, "IND": few, "NPL": silent})["verdict"] == "supported"
    # a country with no current programme in the data tells nothing, not "none"
    assert verdict({"BGD": few, "IND": []})["evidence"][1]["verdict"] == "not testable"


def test_no_programme_on_a_dimension_is_read_only_where_most_programmes_state_their_dimension():
    # a gap on psychosocial support: no current programme is psychosocial in either country, but in
    # NPL three of four programmes state no dimension at all, so "none" is not known there
    known = [_programme(["women"])] * 4
    unknown = [_programme(["women"])] + [_programme(["women"]) | {"dimensions": []}] * 3
    gap = {"finding": "no-psychosocial", "kind": "gap", "themes": ["psychosocial-support"],
           "dimensions": ["psychosocial"], "levels": [], "target_groups": [], "phases": []}
    values = VALUES | {"dimensions": ["economic", "psychosocial", "social"]}
    [known_judged] = assess([gap | {"country": "BGD"}], Measures({"BGD": known}, values))
    [unknown_judged] = assess([gap | {"country": "NPL"}], Measures({"NPL": unknown}, values))
    assert known_judged["verdict"] == "supported"
    assert unknown_judged["verdict"] == "not testable"
    assert unknown_judged["evidence"][0]["stated"] == {"dimensions": 1}
    assert unknown_judged["evidence"][0]["reason"].startswith("only 1 of its 4 current measures state a dimension")


def test_counting_pre_departure_programmes_does_not_test_preparation_for_return():
    # every programme states its phase, and none acts before departure: still, whether pre-departure
    # training prepares migrants for return is a matter of its content, which counts cannot see
    programmes = [_programme(["women"], ["post-return"])] * 4
    weakness = {"finding": "no-preparation", "kind": "weakness", "themes": ["pre-departure-preparation"],
                "phases": ["pre-departure"], "target_groups": [], "dimensions": [], "levels": []}
    judged = _judge(weakness, {"PAK": programmes})
    assert judged["verdict"] == "not testable" and "pre-departure-preparation" in judged["reason"]


def test_an_overlap_with_a_joint_measure_outranks_one_with_only_a_shared_cell(evidence):
    pairs = evidence("overlapping-actors", country="BGD")
    order = [(p["actor_a"], p["actor_b"]) for p in pairs]
    joint = order.index(("un-p", "un-q"))
    cell_only = order.index(("ngo-y", "ngo-z"))
    assert joint < cell_only and joint == 0
    top = pairs[0]
    assert (top["joint_measures"], top["shared_places"], top["cell_overlap"], top["score"]) == (1, 1, 1, 6)
    by_pair = {(p["actor_a"], p["actor_b"]): p for p in pairs}
    assert by_pair[("ngo-y", "ngo-z")]["score"] == pytest.approx(0.333)
    related = [k for k, p in by_pair.items() if p["related"]]
    assert related == [("agency", "donor-gov")]


def test_the_api_serves_the_evidence_and_the_completeness():
    from fastapi.testclient import TestClient

    from rkg.api.app import create_app
    from support import fixture_settings

    api = TestClient(create_app(fixture_settings("evidence")))
    findings = {f["finding"]: f for f in api.get("/gaps/findings", params={"country": "BGD"}).json()["items"]}
    assert findings["fg-psychosocial"]["verdict"] == "supported" and findings["fg-cell"]["verdict"] == "contradicted"
    completeness = api.get("/gaps/completeness", params={"country": "BGD"}).json()["items"]
    assert {r["field"]: r["stated"] for r in completeness}["actors"] == 8
    measure = api.get("/programmes/e3").json()
    assert (measure["kind"], measure["actor_sector"], measure["part_of"]["id"]) == ("component", "state", "e4")
    assert api.get("/programmes/e1").json().get("actor_sector") is None
    assert api.get("/programmes", params={"kind": "general-population"}).json()["total"] == 1
