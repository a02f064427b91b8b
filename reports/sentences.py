"""Small, tested functions that turn query rows into English sentences.

Nothing here knows a fact: every function takes rows (or numbers) that a query returned and
says what they say, with the pluralisation, "none" and list wording done once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for n things: plural(1, 'measure') -> 'measure', plural(2, 'policy') -> 'policies'.

    Regular English plurals of the last word; pass `plural_form` for anything else."""
    if n == 1:
        return singular
    if plural_form:
        return plural_form
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if len(singular) > 1 and singular.endswith("y") and singular[-2] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"


def count(n: int, singular: str, plural_form: str | None = None, zero: str = "no") -> str:
    """'no measures', '1 measure', '3 measures' ('no' can be changed, e.g. to '0')."""
    if n == 0:
        return f"{zero} {plural(0, singular, plural_form)}"
    return f"{n} {plural(n, singular, plural_form)}"


def number_word(n: int) -> str:
    """'two' ... 'nine' for a count a headline starts with; digits from 10."""
    return ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")[n] if 0 <= n < 10 else str(n)


def verb(n: int, singular: str, plural_form: str) -> str:
    """The verb agreeing with n: verb(1, 'is', 'are') -> 'is'."""
    return singular if n == 1 else plural_form


def join(items: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; '' for nothing."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str) -> str:
    """Capitalised, with a full stop."""
    text = capitalise(text.strip())
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def percent(value) -> str:
    """74.1 -> '74.1%', 60.0 -> '60%'."""
    number = float(value) if isinstance(value, (Decimal, int, float)) else float(str(value))
    return f"{number:.1f}".rstrip("0").rstrip(".") + "%"


def number(value) -> str:
    """A query number for display: integers without decimals, decimals as short as they go."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        text = f"{float(value):.3f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


# ---------------------------------------------------------------- facet shares (dimension-balance)

def balance_sentence(rows: Sequence[dict], facet: str, label: Callable[[str], str],
                     order: Sequence[str] = ()) -> str:
    """From the dimension-balance rows of one country and one facet ('dimension' or 'level').

    "3 of 5 measures with a recorded dimension are economic and labour market (60%), 1 social
    (20%) and 1 psychosocial (20%)." Values with no measure are said with "none".
    """
    rows = [r for r in rows if r["facet"] == facet]
    total = max((int(r["total"]) for r in rows), default=0)
    if total == 0:
        return f"No programme states a {facet}."

    def phrase(value: str) -> str:
        return f"at {label(value)} level" if facet == "level" else label(value)

    rank = {code: i for i, code in enumerate(order)}
    rows = sorted(rows, key=lambda r: (-int(r["measures"]), rank.get(r["value"], len(rank)), r["value"]))
    present = [r for r in rows if int(r["measures"]) > 0]
    absent = [r for r in rows if int(r["measures"]) == 0]
    parts = []
    for index, r in enumerate(present):
        n = int(r["measures"])
        if index == 0:
            parts.append(f"{n} of {total} {plural(total, 'programme')} with a stated {facet} "
                         f"{verb(n, 'is', 'are')} {phrase(r['value'])} ({percent(r['share'])})")
        else:
            parts.append(f"{n} {phrase(r['value'])} ({percent(r['share'])})")
    text = join(parts)
    if absent:
        text += f"; none is {join([phrase(r['value']) for r in absent], 'or')}"
    text = sentence(text)
    if sum(float(r["share"]) for r in present) > 100.05:
        text += f" A programme can cover several {plural(2, facet)}, so the shares add up to more than 100%."
    return text


# ---------------------------------------------------------------- phases (phase-coverage)

def phase_sentence(rows: Sequence[dict], label: Callable[[str], str], not_stated: str = "not stated") -> str:
    """From the phase-coverage rows of one country (rows in display order): how many programmes
    state a phase at all, then the phases among those that do. A phase no programme is placed in
    is said to be missing only among those that state one."""
    phases = [r for r in rows if r["phase"] != not_stated]
    if not rows:
        return "No programme is recorded, so no phase is covered."
    stated, total = int(rows[0]["stated"]), int(rows[0]["total"])
    if total == 0:
        return "No programme is recorded, so no phase is covered."
    if stated == 0:
        return sentence(f"none of the {count(total, 'programme')} states a phase of the migration cycle")
    present = [r for r in phases if int(r["measures"]) > 0]
    absent = [r for r in phases if int(r["measures"]) == 0]
    parts = [f"{int(r['measures'])} in the {label(r['phase'])} phase" for r in present]
    text = (f"{stated} of the {count(total, 'programme')} {verb(stated, 'states', 'state')} a phase of the "
            f"migration cycle: {join(parts)}")
    if absent:
        text += (f"; none of the {stated} is placed in the {join([label(r['phase']) for r in absent], 'or')} "
                 f"phase")
    text = sentence(text)
    if sum(int(r["measures"]) for r in present) > stated:
        text += " A programme can act in several phases."
    return text


# ---------------------------------------------------------------- target groups (target-group-coverage)

def target_group_sentence(counts: dict[str, int], stated: int, total: int, label: Callable[[str], str],
                          groups: Sequence[str]) -> str:
    """From the programmes aimed at each target group (distinct programmes per group), with how many
    programmes state a target group at all: a group no programme is aimed at is said to be missing
    only among those that state one."""
    if total == 0:
        return "No programme is recorded, so no target group is covered."
    if stated == 0:
        return sentence(f"none of the {count(total, 'programme')} states a target group")
    targeted = [g for g in groups if counts.get(g)]
    untargeted = [g for g in groups if not counts.get(g)]
    text = (f"{stated} of the {count(total, 'programme')} {verb(stated, 'states', 'state')} a target group; they "
            f"aim at {len(targeted)} of the {len(groups)} groups: "
            + join(f"{label(g)} ({counts[g]})" for g in targeted))
    if untargeted:
        text += f". None of the {stated} is aimed at {join([label(g) for g in untargeted], 'or')}"
    return sentence(text)


# ---------------------------------------------------------------- coverage (coverage-matrix)

def coverage_sentence(rows: Sequence[dict], dimension_label: Callable[[str], str],
                      level_label: Callable[[str], str]) -> str:
    """From one row per dimension × level cell of a country with its `current` programmes
    (ongoing or of unknown status, as empty-and-thin-cells counts them)."""
    cells = len(rows)
    covered = [r for r in rows if int(r["current"]) > 0]
    if not covered:
        return sentence(f"no current programme covers any of the {cells} dimension × level cells")
    top = max(int(r["current"]) for r in covered)
    tops = [f"{dimension_label(r['dimension'])} at {level_label(r['level'])} level" for r in covered
            if int(r["current"]) == top]
    text = (f"current programmes cover {len(covered)} of the {cells} dimension × level cells; the most covered "
            f"{plural(len(tops), 'cell is', 'cells are')} {join(tops)} ({count(top, 'programme')})")
    empty = [r for r in rows if int(r["current"]) == 0]
    if empty:
        names = [f"{dimension_label(r['dimension'])} at {level_label(r['level'])} level" for r in empty]
        text += f"; no current programme covers {join(names)}"
    return sentence(text)


# ---------------------------------------------------------------- sustainability (sustainability-risk)

# (column of sustainability-risk, words)
RISK_FLAGS = (
    ("no_state_actor", "no State actor"),
    ("external_funding_only", "funded only from outside the State"),
    ("ending", "ending soon"),
    ("pilot", "pilot"),
)


def risk_counts(rows: Sequence[dict]) -> dict[str, int]:
    return {key: sum(1 for r in rows if r.get(key)) for key, _ in RISK_FLAGS}


def risk_sentence(rows: Sequence[dict], current: int, actors_stated: int, funders_stated: int,
                  date: str, end_year: int) -> str:
    """From the sustainability-risk rows of one country, with the number of current programmes and of
    those whose actors and funders the sources state (a flag is counted only among those)."""
    if current == 0:
        return sentence(f"on {date} no programme is current, so none carries a sustainability risk")
    counts = risk_counts(rows)
    parts = [f"no State actor takes part in {counts['no_state_actor']} of the {actors_stated} whose actors the "
             f"sources state",
             f"{counts['external_funding_only']} of the {funders_stated} whose funders are stated "
             f"{verb(counts['external_funding_only'], 'is', 'are')} funded only from outside the State",
             f"{counts['ending']} {verb(counts['ending'], 'has', 'have')} a recorded end by {end_year}",
             "none is a pilot" if not counts["pilot"] else
             f"{counts['pilot']} {verb(counts['pilot'], 'is a pilot', 'are pilots')}"]
    return sentence(f"on {date}, {count(current, 'dedicated programme')} {verb(current, 'is', 'are')} current "
                    f"(ended ones are history, not risks): {join(parts)}")


def state_actor_sentence(without: int, stated: int, total: int) -> str:
    """'No State actor in 3 of the 12 programmes whose actors the sources state (15 in all).'"""
    if stated == 0:
        return sentence(f"the sources name the actors of none of the {count(total, 'programme')}")
    return sentence(f"no State actor takes part in {without} of the {count(stated, 'programme')} whose actors the "
                    f"sources state ({total} in all)")


# ---------------------------------------------------------------- policies

def policy_sentence(implementation: Sequence[dict], without: Sequence[dict], country_name: str) -> str:
    """From policy-implementation and policies-without-measures rows of one country."""
    n = len(implementation)
    if n == 0:
        return sentence(f"no policy of {country_name} is recorded as addressing reintegration")
    implemented = sum(1 for r in implementation if int(r["measures"]) > 0)
    text = (f"{count(n, 'policy')} of {country_name} {verb(n, 'addresses', 'address')} reintegration; "
            f"{implemented} of them {verb(implemented, 'has', 'have')} at least one implementing measure recorded")
    if without:
        names = join(r["name"] for r in without)
        text += f", and {len(without)} {verb(len(without), 'has', 'have')} none: {names}"
    return sentence(text)


def policy_in_force_sentence(rows: Sequence[dict], country: str, country_name: str) -> str:
    """From countries-without-reintegration-policy rows (all countries): is this one listed?"""
    row = next((r for r in rows if r["country"] == country), None)
    if row is None:
        return sentence(f"{country_name} has at least one policy in force that addresses reintegration")
    pending = int(row["drafted_or_proposed"])
    return sentence(f"{country_name} has no policy in force that addresses reintegration "
                    f"({count(pending, 'policy')} drafted or proposed)")


# ---------------------------------------------------------------- coordination

def overlap_sentence(rows: Sequence[dict], shown: int) -> str:
    """From the overlapping-actors rows of one country."""
    if not rows:
        return "No two actors work in the same dimension × level cell."
    joint = sum(1 for r in rows if r.get("joint_measures"))
    text = (f"{count(len(rows), 'pair')} of actors work in the same dimension × level cells; "
            f"{joint} of these {plural(len(rows), 'pair')} also run at least one measure together")
    text = sentence(text)
    if shown < len(rows):
        text += f" The {shown} pairs with the highest overlap score are listed."
    return text


def funding_sentence(rows: Sequence[dict]) -> str:
    """From the who-funds-whom rows of one country (a row without implementer: a funder whose
    implementer the sources do not name)."""
    unnamed = len({r["funder_id"] for r in rows if not r["implementer"]})
    rows = [r for r in rows if r["implementer"]]
    text = "No funder → implementer link is recorded."
    if rows:
        funders = len({r["funder_id"] for r in rows})
        implementers = len({r["implementer"] for r in rows})
        text = sentence(f"{count(len(rows), 'funder → implementer link')} {verb(len(rows), 'is', 'are')} recorded, "
                        f"from {count(funders, 'funder')} to {count(implementers, 'implementer')}")
    if unnamed:
        text += " " + sentence(f"{count(unnamed, 'funder')} {verb(unnamed, 'funds', 'fund')} measures whose "
                               "implementer the sources do not name")
    return text


def bodies_sentence(rows: Sequence[dict], country_name: str) -> str:
    """From the coordination-bodies rows of one country."""
    if not rows:
        return sentence(f"no coordination body is recorded for {country_name}")
    members = sum(int(r["members"]) for r in rows)
    with_head = sum(1 for r in rows if r.get("head"))
    return sentence(f"{count(len(rows), 'coordination body')} "
                    f"{verb(len(rows), 'is', 'are')} recorded for {country_name}, "
                    f"{with_head} with a recorded head and {count(members, 'recorded member')} in all")


def outside_sentence(rows: Sequence[dict]) -> str:
    """From the actors-outside-coordination rows of one country."""
    if not rows:
        return "Every actor taking part in a measure is a member or head of a coordination body."
    return sentence(f"{count(len(rows), 'actor')} {verb(len(rows), 'takes', 'take')} part in measures but "
                    f"{verb(len(rows), 'is', 'are')} not recorded as member or head of any coordination body")


def network_sentence(actors: int, links: int, shown: int, recorded: int, elsewhere: int, country_name: str) -> str:
    """The actors of the network chart, and how their number relates to the summary's: `recorded` actors
    are recorded as active in the country, `elsewhere` take part only in its other measures
    (components, schemes for everyone)."""
    if actors == 0:
        return "No programme names an actor, so there is no actor network."
    text = sentence(f"{count(actors, 'actor')} {verb(actors, 'takes', 'take')} part in the dedicated programmes of "
                    f"{country_name}; {count(links, 'pair')} of them run at least one programme together")
    if shown < actors:
        text += f" The chart shows the {shown} taking part in the most programmes."
    rest = recorded - actors - elsewhere
    if recorded != actors and rest >= 0:
        parts = [f"{actors} in its dedicated programmes"]
        if elsewhere:
            parts.append(f"{elsewhere} only in components or schemes for everyone")
        if rest:
            parts.append(f"{rest} that the sources place in the country without a measure there (in a policy or "
                         "a coordination body, or by name)")
        text += f" The numbers count {recorded} actors recorded as active in {country_name}: {join(parts)}."
    elif recorded != actors:
        text += (f" The numbers count {recorded} actors recorded as active in {country_name}; some take part in its "
                 "programmes without being recorded as active there.")
    return text


def findings_sentence(verdicts: dict[str, int], kinds: dict[str, int], kind_label: Callable[[str], str],
                      kind_order: Sequence[str], where: str) -> str:
    """From the assessed findings of one country (or scope): how many of each kind, and how the
    data weighs them."""
    total = sum(kinds.values())
    if total == 0:
        return sentence(f"the assessment states no findings {where}")
    listed = join(count(kinds.get(k, 0), kind_label(k)) for k in kind_order)
    return sentence(f"the assessment states {listed} {where}. The data supports {verdicts.get('supported', 0)}, "
                    f"contradicts {verdicts.get('contradicted', 0)} and cannot test "
                    f"{verdicts.get('not testable', 0)} of them")


def shorten(text: str, width: int = 90) -> str:
    """A statement cut at a word boundary, for cross-references (a title: no full stop at its end)."""
    text = " ".join(str(text).split()).rstrip(".")
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def countries_phrase(codes: Sequence[str], name: Callable[[str], str]) -> str:
    return join(name(c) for c in codes)
