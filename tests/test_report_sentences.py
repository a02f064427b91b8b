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
        "14 of 17 programmes with a stated dimension are economic and labour market (82.4%) and "
        "3 psychosocial (17.6%); none is social.")
    assert S.balance_sentence(rows, "level", label, ["individual", "community"]) == (
        "17 of 17 programmes with a stated level are at individual level (100%); none is at community level.")


def test_balance_sentence_explains_shares_over_100_and_no_data():
    rows = balance_rows(economic=10, social=10)
    assert S.balance_sentence(rows, "dimension", label).endswith(
        "A programme can cover several dimensions, so the shares add up to more than 100%.")
    empty = [{"facet": "dimension", "value": "economic", "measures": 0, "total": 0, "share": 0}]
    assert S.balance_sentence(empty, "dimension", label) == "No programme states a dimension."


def test_a_single_value_is_said_in_the_singular():
    rows = [{"facet": "dimension", "value": "social", "measures": 1, "total": 1, "share": Decimal(100)}]
    assert S.balance_sentence(rows, "dimension", label) == (
        "1 of 1 programme with a stated dimension is social (100%).")


def test_phase_sentence_counts_among_the_programmes_that_state_a_phase():
    rows = [{"phase": "pre-departure", "measures": 0, "stated": 3, "total": 12},
            {"phase": "return", "measures": 2, "stated": 3, "total": 12},
            {"phase": "post-return", "measures": 2, "stated": 3, "total": 12},
            {"phase": "not stated", "measures": 9, "stated": 3, "total": 12}]
    assert S.phase_sentence(rows, str) == (
        "3 of the 12 programmes state a phase of the migration cycle: 2 in the return phase and 2 in the post-return "
        "phase; none of the 3 is placed in the pre-departure phase. A programme can act in several phases.")
    none = [{"phase": "return", "measures": 0, "stated": 0, "total": 4}, {"phase": "not stated", "measures": 4,
                                                                          "stated": 0, "total": 4}]
    assert S.phase_sentence(none, str) == "None of the 4 programmes states a phase of the migration cycle."


def test_target_group_sentence_never_says_none_beyond_those_that_state_a_group():
    assert S.target_group_sentence({"women": 3}, 15, 43, str, ["women", "older-returnees"]) == (
        "15 of the 43 programmes state a target group; they aim at 1 of the 2 groups: women (3). None of the 15 is "
        "aimed at older-returnees.")
    assert S.target_group_sentence({}, 0, 43, str, ["women"]) == "None of the 43 programmes states a target group."


def test_coverage_sentence_counts_current_programmes():
    rows = [{"dimension": "economic", "level": "individual", "current": 3},
            {"dimension": "psychosocial", "level": "structural", "current": 0}]
    assert S.coverage_sentence(rows, label, str) == (
        "Current programmes cover 1 of the 2 dimension × level cells; the most covered cell is economic and labour "
        "market at individual level (3 programmes); no current programme covers psychosocial at structural level.")


def test_risk_sentence_counts_each_flag_among_those_that_state_the_field():
    rows = [{"no_state_actor": True, "external_funding_only": False, "ending": False, "pilot": False},
            {"no_state_actor": True, "external_funding_only": True, "ending": True, "pilot": True}]
    assert S.risk_sentence(rows, 15, 12, 4, "6 December 2026", 2028) == (
        "On 6 December 2026, 15 dedicated programmes are current (ended ones are history, not risks): no State actor "
        "takes part in 2 of the 12 whose actors the sources state, 1 of the 4 whose funders are stated is funded only "
        "from outside the State, 1 has a recorded end by 2028 and 1 is a pilot.")
    assert S.risk_sentence([], 0, 0, 0, "1 June 2021", 2023) == (
        "On 1 June 2021 no programme is current, so none carries a sustainability risk.")


def test_state_actor_sentence_names_the_completeness_of_the_field():
    assert S.state_actor_sentence(3, 12, 15) == (
        "No State actor takes part in 3 of the 12 programmes whose actors the sources state (15 in all).")
    assert S.state_actor_sentence(0, 0, 4) == "The sources name the actors of none of the 4 programmes."


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


def test_network_sentence_says_why_its_count_differs_from_the_summary():
    assert S.network_sentence(22, 29, 14, 35, 6, "Sri Lanka") == (
        "22 actors take part in the dedicated programmes of Sri Lanka; 29 pairs of them run at least one programme "
        "together. The chart shows the 14 taking part in the most programmes. The numbers count 35 actors recorded as "
        "active in Sri Lanka: 22 in its dedicated programmes, 6 only in components or schemes for everyone and 7 that "
        "the sources place in the country without a measure there (in a policy or a coordination body, or by name).")
    assert S.network_sentence(0, 0, 0, 3, 0, "Nepal") == "No programme names an actor, so there is no actor network."


def test_findings_sentence_counts_kinds_and_verdicts():
    assert S.findings_sentence({"supported": 1, "not testable": 2}, {"gap": 2, "strength": 1}, str,
                               ["gap", "weakness", "strength"], "on Nepal") == (
        "The assessment states 2 gaps, no weaknesses and 1 strength on Nepal. The data supports 1, contradicts 0 and "
        "cannot test 2 of them.")


# ---------------------------------------------------------------- sentences match their queries (fixture)

@pytest.fixture(scope="module")
def facts(analytics):
    return Facts(analytics.store)


def test_balance_sentence_matches_dimension_balance(analytics, facts):
    rows = analytics("dimension-balance", country="BGD")
    text = S.balance_sentence(rows, "dimension", lambda c: facts.label("dimensionScheme", c),
                              facts.codes("dimensionScheme"))
    assert text == ("3 of 5 programmes with a stated dimension are economic and labour market (60%), "
                    "1 social (20%) and 1 psychosocial (20%).")
    # the numbers in the sentence are the query's
    economic = next(r for r in rows if r["value"] == "economic")
    assert f"{economic['measures']} of {economic['total']}" in text


def test_zero_values_of_nepal_are_said_with_none(analytics, facts):
    rows = analytics("dimension-balance", country="NPL")
    assert S.balance_sentence(rows, "level", lambda c: facts.label("levelScheme", c), facts.codes("levelScheme")) == (
        "2 of 2 programmes with a stated level are at individual level (100%); none is at community level "
        "or at structural level.")


def test_phase_sentence_matches_phase_coverage(analytics, facts):
    phases = analytics("phase-coverage", country="BGD")
    order = facts.codes("phaseScheme")
    ordered = sorted(phases, key=lambda r: order.index(r["phase"]) if r["phase"] in order else 99)
    assert S.phase_sentence(ordered, lambda c: facts.label("phaseScheme", c)) == (
        "2 of the 5 programmes state a phase of the migration cycle: 1 in the pre-departure phase and 1 in the "
        "post-return phase; none of the 2 is placed in the in-service or return phase.")


def test_risk_sentence_matches_sustainability_risk(analytics):
    rows = analytics("sustainability-risk", country="BGD", as_of="2021-06-01")
    assert S.risk_counts(rows) == {"no_state_actor": 2, "external_funding_only": 2, "ending": 0, "pilot": 0}
    assert analytics("sustainability-risk", country="LKA", as_of="2021-06-01") == []
