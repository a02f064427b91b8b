"""The small functions that turn query rows into sentences: wording on hand-made rows, and the
sentences of the analytics fixture against what its queries return."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rkg.reports import sentences as S
from rkg.reports.facts import Facts


def label(code: str) -> str:
    return {"economic": "economic and labour market"}.get(code, code)


# ---------------------------------------------------------------- words

@pytest.mark.parametrize("n, word, expected", [
    (0, "measure", "no measures"), (1, "measure", "1 measure"), (3, "measure", "3 measures"),
    (2, "policy", "2 policies"), (1, "policy", "1 policy"), (2, "weakness", "2 weaknesses"),
    (0, "coordination body", "no coordination bodies"), (4, "day", "4 days"), (2, "pair", "2 pairs"),
])
def test_count_pluralises(n, word, expected):
    assert S.count(n, word) == expected


def test_join_lists_with_commas_and_a_conjunction():
    assert S.join([]) == ""
    assert S.join(["a"]) == "a"
    assert S.join(["a", "b"]) == "a and b"
    assert S.join(["a", "b", "c"], "or") == "a, b or c"


def test_numbers_and_percentages():
    assert S.percent(Decimal("74.1")) == "74.1%"
    assert S.percent(Decimal("60.0")) == "60%"
    assert S.percent(0) == "0%"
    assert S.number(Decimal("0.333")) == "0.333"
    assert S.number(Decimal("1.000")) == "1"
    assert S.number(True) == "yes"


# ---------------------------------------------------------------- sentences on hand-made rows

def balance_rows(**measures):
    total = 17
    return [{"facet": "dimension", "value": v, "measures": n, "total": total,
             "share": Decimal(round(1000 * n / total) / 10)} for v, n in measures.items()]


def test_balance_sentence_says_none_for_values_without_measures():
    rows = balance_rows(economic=14, social=0, psychosocial=3) + [
        {"facet": "level", "value": "community", "measures": 0, "total": 17, "share": Decimal(0)},
        {"facet": "level", "value": "individual", "measures": 17, "total": 17, "share": Decimal(100)}]
    assert S.balance_sentence(rows, "dimension", label) == (
        "14 of 17 measures with a recorded dimension are economic and labour market (82.4%) and "
        "3 psychosocial (17.6%); none is social.")
    assert S.balance_sentence(rows, "level", label, ["individual", "community"]) == (
        "17 of 17 measures with a recorded level are at individual level (100%); none is at community level.")


def test_balance_sentence_explains_shares_over_100_and_no_data():
    rows = balance_rows(economic=10, social=10)
    assert S.balance_sentence(rows, "dimension", label).endswith(
        "A measure can cover several dimensions, so the shares add up to more than 100%.")
    empty = [{"facet": "dimension", "value": "economic", "measures": 0, "total": 0, "share": 0}]
    assert S.balance_sentence(empty, "dimension", label) == "No measure has a recorded dimension."


def test_a_single_value_is_said_in_the_singular():
    rows = [{"facet": "dimension", "value": "social", "measures": 1, "total": 1, "share": Decimal(100)}]
    assert S.balance_sentence(rows, "dimension", label) == (
        "1 of 1 measure with a recorded dimension is social (100%).")


def test_phase_sentence():
    rows = [{"phase": "pre-departure", "measures": 0}, {"phase": "return", "measures": 2},
            {"phase": "post-return", "measures": 1}, {"phase": "unrecorded", "measures": 1}]
    assert S.phase_sentence(rows, str) == (
        "2 measures act in the return phase and 1 in the post-return phase; none acts in the pre-departure "
        "phase. 1 measure has no phase recorded.")
    assert S.phase_sentence([{"phase": "return", "measures": 0}, {"phase": "unrecorded", "measures": 4}], str) == (
        "None of the 4 measures has a migration-cycle phase recorded.")


def test_thin_cell_sentence_names_every_flag():
    row = {"dimension": "psychosocial", "level": "structural", "empty": False, "single_measure": True,
           "single_actor": True, "external_only": True}
    assert S.thin_cell_sentence(row, label, str) == (
        "Psychosocial support at structural level: a single current measure, a single actor behind all its "
        "current measures and only externally funded current measures.")
    assert S.thin_cell_sentence({"dimension": "economic", "level": "community", "empty": True}, label, str) == (
        "Economic and labour market support at community level: no current measure.")


def test_risk_sentence_counts_flags_and_says_none():
    rows = [{"no_state_actor": True, "external_funding_only": False, "ended": True, "ending": False, "pilot": False},
            {"no_state_actor": True, "external_funding_only": False, "ended": False, "ending": False, "pilot": True}]
    assert S.risk_sentence(rows, "2022") == (
        "2 measures carry at least one sustainability risk: 2 with no State actor, 1 ended and 1 pilot; "
        "none is funded only from outside the State or ends by 2022.")
    assert S.risk_sentence([], "2022") == "No measure carries a recorded sustainability risk."


def test_policy_sentences():
    implementation = [{"name": "Act A", "measures": 2}, {"name": "Plan B", "measures": 0}]
    without = [{"name": "Plan B"}]
    assert S.policy_sentence(implementation, without, "Nepal") == (
        "2 policies of Nepal address reintegration; 1 of them has at least one implementing measure recorded, "
        "and 1 has none: Plan B.")
    assert S.policy_sentence([], [], "Nepal") == "No policy of Nepal is recorded as addressing reintegration."
    rows = [{"country": "NPL", "drafted_or_proposed": 1}]
    assert S.policy_in_force_sentence(rows, "NPL", "Nepal") == (
        "Nepal has no policy in force that addresses reintegration (1 policy drafted or proposed).")
    assert S.policy_in_force_sentence(rows, "BGD", "Bangladesh") == (
        "Bangladesh has at least one policy in force that addresses reintegration.")


def test_network_sentence():
    metrics = {"actors": [{"id": "a", "betweenness": 0.5}, {"id": "b", "betweenness": 0.0},
                          {"id": "c", "betweenness": 0.0}],
               "edges": [1, 2], "components": [["a", "b", "c"]], "isolated": []}
    assert S.network_sentence(metrics, str.upper) == (
        "The actor network has 3 actors and 2 links in 1 connected part; no actors are isolated. "
        "The main broker (highest betweenness) is A.")
    assert S.network_sentence({"actors": []}, str) == "No measure names an actor, so there is no actor network."


# ---------------------------------------------------------------- sentences match their queries (fixture)

@pytest.fixture(scope="module")
def facts(analytics):
    return Facts(analytics.store)


def test_balance_sentence_matches_dimension_balance(analytics, facts):
    rows = analytics("dimension-balance", country="BGD")
    text = S.balance_sentence(rows, "dimension", lambda c: facts.label("dimensionScheme", c),
                              facts.codes("dimensionScheme"))
    assert text == ("3 of 5 measures with a recorded dimension are economic and labour market (60%), "
                    "1 social (20%) and 1 psychosocial (20%).")
    # the numbers in the sentence are the query's
    economic = next(r for r in rows if r["value"] == "economic")
    assert f"{economic['measures']} of {economic['total']}" in text


def test_zero_values_of_nepal_are_said_with_none(analytics, facts):
    rows = analytics("dimension-balance", country="NPL")
    assert S.balance_sentence(rows, "level", lambda c: facts.label("levelScheme", c), facts.codes("levelScheme")) == (
        "2 of 2 measures with a recorded level are at individual level (100%); none is at community level "
        "or at structural level.")


def test_phase_and_coverage_sentences_match_their_queries(analytics, facts):
    phases = analytics("phase-coverage", country="BGD")
    order = facts.codes("phaseScheme")
    ordered = sorted(phases, key=lambda r: order.index(r["phase"]) if r["phase"] in order else 99)
    assert S.phase_sentence(ordered, lambda c: facts.label("phaseScheme", c)) == (
        "1 measure acts in the pre-departure phase and 1 in the post-return phase; none acts in the in-service "
        "or return phase. 3 measures have no phase recorded.")
    cells = analytics("coverage-matrix", country="BGD")
    text = S.coverage_sentence(cells, lambda c: facts.label("dimensionScheme", c), str)
    assert text.startswith("Measures cover 4 of the 9 dimension × level cells; the most covered cell is "
                           "economic and labour market at individual level (2 measures)")


def test_risk_sentence_matches_sustainability_risk(analytics):
    rows = analytics("sustainability-risk", country="BGD")
    assert S.risk_sentence(rows, "2022") == (
        "4 measures carry at least one sustainability risk: 3 with no State actor, 3 funded only from outside "
        "the State, 1 ended, 1 ending by 2022 and 1 pilot.")
    assert S.risk_sentence(analytics("sustainability-risk", country="LKA"), "2022") == (
        "No measure carries a recorded sustainability risk.")
