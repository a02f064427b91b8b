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
        return f"No measure has a recorded {facet}."

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
            parts.append(f"{n} of {total} {plural(total, 'measure')} with a recorded {facet} "
                         f"{verb(n, 'is', 'are')} {phrase(r['value'])} ({percent(r['share'])})")
        else:
            parts.append(f"{n} {phrase(r['value'])} ({percent(r['share'])})")
    text = join(parts)
    if absent:
        text += f"; none is {join([phrase(r['value']) for r in absent], 'or')}"
    text = sentence(text)
    if sum(float(r["share"]) for r in present) > 100.05:
        text += f" A measure can cover several {plural(2, facet)}, so the shares add up to more than 100%."
    return text


# ---------------------------------------------------------------- phases (phase-coverage)

def phase_sentence(rows: Sequence[dict], label: Callable[[str], str], unrecorded: str = "unrecorded") -> str:
    """From the phase-coverage rows of one country (rows in display order)."""
    phases = [r for r in rows if r["phase"] != unrecorded]
    missing = sum(int(r["measures"]) for r in rows if r["phase"] == unrecorded)
    present = [r for r in phases if int(r["measures"]) > 0]
    absent = [r for r in phases if int(r["measures"]) == 0]
    if not present:
        if missing:
            return sentence(f"none of the {count(missing, 'measure')} has a migration-cycle phase recorded")
        return "No measure is recorded, so no phase is covered."
    parts = []
    for index, r in enumerate(present):
        n = int(r["measures"])
        if index == 0:
            parts.append(f"{count(n, 'measure')} {verb(n, 'acts', 'act')} in the {label(r['phase'])} phase")
        else:
            parts.append(f"{n} in the {label(r['phase'])} phase")
    text = join(parts)
    if absent:
        text += f"; none acts in the {join([label(r['phase']) for r in absent], 'or')} phase"
    text = sentence(text)
    if missing:
        text += f" {count(missing, 'measure').capitalize()} {verb(missing, 'has', 'have')} no phase recorded."
    return text


# ---------------------------------------------------------------- target groups (target-group-coverage)

def target_group_sentence(rows: Sequence[dict], group_label: Callable[[str], str],
                          dimension_label: Callable[[str], str], groups: Sequence[str],
                          dimensions: Sequence[str]) -> str:
    """From the target-group-coverage rows of one country (group x dimension counts).

    `groups` and `dimensions` give the display order. A measure aimed at a group counts once per
    dimension it covers, so the counts are given per dimension."""
    table = {(r["target_group"], r["dimension"]): int(r["measures"]) for r in rows}
    targeted, untargeted = [], []
    for group in groups:
        counts = [(d, table.get((group, d), 0)) for d in dimensions]
        if any(n for _, n in counts):
            detail = ", ".join(f"{dimension_label(d)} {n}" for d, n in counts if n)
            targeted.append(f"{group_label(group)} ({detail})")
        else:
            untargeted.append(group_label(group))
    if not groups:
        return "The graph has no target groups."
    if not targeted:
        return sentence(f"no measure is aimed at any of the {len(groups)} target groups")
    text = (f"{len(targeted)} of the {len(groups)} target groups {verb(len(targeted), 'is', 'are')} aimed at by at "
            f"least one measure (measures by dimension): {join(targeted)}")
    if untargeted:
        text += f"; no measure is aimed at {join(untargeted, 'or')}"
    return sentence(text)


# ---------------------------------------------------------------- coverage (coverage-matrix)

def coverage_sentence(rows: Sequence[dict], dimension_label: Callable[[str], str],
                      level_label: Callable[[str], str]) -> str:
    """From the coverage-matrix rows of one country (one row per dimension × level cell)."""
    cells = len(rows)
    covered = [r for r in rows if int(r["measures"]) > 0]
    if not covered:
        return sentence(f"no measure covers any of the {cells} dimension × level cells")
    top = max(int(r["measures"]) for r in covered)
    tops = [f"{dimension_label(r['dimension'])} at {level_label(r['level'])} level" for r in covered
            if int(r["measures"]) == top]
    text = (f"measures cover {len(covered)} of the {cells} dimension × level cells; the most covered "
            f"{plural(len(tops), 'cell is', 'cells are')} {join(tops)} ({count(top, 'measure')})")
    empty = [r for r in rows if int(r["measures"]) == 0]
    if empty:
        names = [f"{dimension_label(r['dimension'])} at {level_label(r['level'])} level" for r in empty]
        text += f"; {join(names)} {verb(len(empty), 'has', 'have')} no measure at all"
    return sentence(text)


CELL_FLAGS = (
    ("empty", "no current measure"),
    ("single_measure", "a single current measure"),
    ("single_actor", "a single actor behind all its current measures"),
    ("external_only", "only externally funded current measures"),
)


def cell_flags(row: dict) -> list[str]:
    """The flags of an empty-and-thin-cells row, in words."""
    return [words for key, words in CELL_FLAGS if row.get(key)]


def thin_cell_sentence(row: dict, dimension_label: Callable[[str], str], level_label: Callable[[str], str]) -> str:
    """One empty-and-thin-cells row: "Psychosocial support at structural level: a single current measure."""
    subject = f"{dimension_label(row['dimension'])} support at {level_label(row['level'])} level"
    return sentence(f"{subject}: {join(cell_flags(row))}")


def thin_cells_summary(rows: Sequence[dict], cells: int) -> str:
    empty = sum(1 for r in rows if r.get("empty"))
    thin = sum(1 for r in rows if not r.get("empty"))
    if not rows:
        return sentence(f"none of the {cells} dimension × level cells is empty or thin")
    return sentence(f"{empty} of the {cells} dimension × level cells {verb(empty, 'is', 'are')} empty and "
                    f"{thin} {verb(thin, 'is', 'are')} thin")


# ---------------------------------------------------------------- sustainability (sustainability-risk)

# (column of sustainability-risk, words after a number, words after "none")
RISK_FLAGS = (
    ("no_state_actor", "with no State actor", "lacks a State actor"),
    ("external_funding_only", "funded only from outside the State", "is funded only from outside the State"),
    ("ended", "ended", "has ended"),
    ("ending", "ending by {year}", "ends by {year}"),
    ("pilot", "{pilot}", "is a pilot"),
)


def risk_counts(rows: Sequence[dict]) -> dict[str, int]:
    return {key: sum(1 for r in rows if r.get(key)) for key, _, _ in RISK_FLAGS}


def risk_sentence(rows: Sequence[dict], ending_by) -> str:
    """From the sustainability-risk rows of one country."""
    if not rows:
        return "No measure carries a recorded sustainability risk."
    counts = risk_counts(rows)
    present, absent = [], []
    for key, words, none_words in RISK_FLAGS:
        n = counts[key]
        if n:
            present.append(f"{n} {words.format(year=ending_by, pilot=plural(n, 'pilot'))}")
        else:
            absent.append(none_words.format(year=ending_by))
    n = len(rows)
    text = f"{count(n, 'measure')} {verb(n, 'carries', 'carry')} at least one sustainability risk: {join(present)}"
    if absent:
        text += f"; none {join(absent, 'or')}"
    return sentence(text)


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


def network_sentence(metrics: dict, name: Callable[[str], str], top: int = 3) -> str:
    """From the actor network metrics (rkg.graph.network.metrics)."""
    actors = metrics["actors"]
    if not actors:
        return "No measure names an actor, so there is no actor network."
    edges = len(metrics["edges"])
    parts = len(metrics["components"])
    isolated = len(metrics["isolated"])
    text = (f"the actor network has {count(len(actors), 'actor')} and {count(edges, 'link')} in "
            f"{count(parts, 'connected part')}; {count(isolated, 'actor')} {verb(isolated, 'is', 'are')} isolated")
    brokers = sorted((a for a in actors if a["betweenness"] > 0), key=lambda a: (-a["betweenness"], a["id"]))[:top]
    text = sentence(text)
    if brokers:
        text += (f" The main {plural(len(brokers), 'broker')} (highest betweenness) "
                 f"{verb(len(brokers), 'is', 'are')} {join(name(a['id']) for a in brokers)}.")
    else:
        text += " No actor lies between two others."
    return text


def findings_sentence(rows: Sequence[dict], recommendations: int, label: Callable[[str], str],
                      kinds: Sequence[str], where: str) -> str:
    """From the findings rows of one country (or scope) and the number of recommendations."""
    counts = [count(sum(1 for r in rows if r["kind"] == k), label(k)) for k in kinds]
    return sentence(f"the assessment states {join(counts)} {where}, and makes "
                    f"{count(recommendations, 'recommendation')}")


def countries_phrase(codes: Sequence[str], name: Callable[[str], str]) -> str:
    return join(name(c) for c in codes)
