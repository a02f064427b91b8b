"""What the graph says for or against each finding of the assessment, weighed on the finding's
own tags, in the countries it concerns.

The rule (stated in every report that shows a verdict):

1. Counts of measures speak only to findings about how much support there is for whom: on
   psychosocial support (weighed on the dimensions and levels the finding names), on targeting or
   gender (on the target groups it names): `TESTED_ON`. A finding on anything else (data systems,
   coordination, capacity, policy, finance, awareness, ...) is **not testable** by the data,
   whatever else it is tagged with; so is a finding on the balance of dimensions or levels: it
   compares shares ("more economic than psychosocial support"), which the balance table shows,
   not one count; and so is one on preparation for return before departure: the sources fault
   the content of pre-departure training ("does not provide reintegration-related information"),
   which a count of pre-departure programmes cannot see.
2. A measure is in the scope of a finding when it covers one of the named values of each tag the
   finding is weighed on. In each country the finding concerns, `n` = the current measures in
   scope (ongoing or of unknown status; by default the dedicated programmes), and
   `baseline` = the average of the same count over every alternative: as many values of each tag
   as the finding names, in every combination (every dimension for a finding on one, every pair of
   dimensions for a finding on two, every target group, ...).
3. A gap or weakness is **supported** where `n` is below the baseline (or 0), **contradicted**
   where it is above; `n` equal to the baseline decides nothing. A strength names support that
   exists ("some countries provide psychosocial support"), not more of it than of anything else:
   it is **supported** where measures are in scope and **contradicted** where none is; comparisons
   of shares are balance findings (rule 1).
4. A finding is testable in a country only where at least half of its current measures state each
   field it is weighed on (target groups and phases are left unstated by most measures; dimension
   and level by some); otherwise it is **not testable** there, and the count of measures that state
   it is given. A country where the data holds no current measure is not testable: no record is
   not "none".
5. Over several countries: supported (or contradicted) when it is testable in at least half of
   them and every country where it is testable says so; otherwise not testable (too few countries
   testable, or they disagree), and each country's verdict is given.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .derive import UNITS
from .queries import internal, records, run

TAGS = ("dimensions", "levels", "target_groups", "phases")
TESTED_ON = {"psychosocial-support": ("dimensions", "levels"), "targeting": ("target_groups",),
             "gender": ("target_groups",)}
BALANCES = ("dimension-balance", "level-balance")
# what exists now: ongoing, or of unknown status (not ended, not merely planned), as empty-and-thin-cells
# counts a cell's measures and the reports count current programmes
CURRENT = ("ongoing", "unknown")
MIN_STATED = 0.5
MIN_TESTABLE = 0.5  # of the countries a finding concerns
NEGATIVE = ("gap", "weakness")
FOCUS = ("BGD", "IND", "LKA", "NPL", "PAK")


@dataclass
class Measures:
    """The measures of each country of origin, with the values of the fields findings are tagged
    with; and every value each field takes (the alternatives a baseline averages over)."""

    by_country: dict[str, list[dict]]
    values: dict[str, list[str]]

    @classmethod
    def from_store(cls, store, vocabulary, unit: str = "dedicated") -> Measures:
        """The measures of a counting unit (dedicated, with-components, with-general, all)."""
        kinds = {kind for kind, units in UNITS.items() if unit in units}
        query = internal("measure-facets")
        by_country: dict[str, list[dict]] = {}
        for row in records(run(store, query), query):
            if row["kind"] in kinds:
                by_country.setdefault(row["country"], []).append(row)
        schemes = {"dimensions": "dimension", "levels": "level", "target_groups": "target-group", "phases": "phase"}
        return cls(by_country, {tag: sorted(vocabulary.codes.get(scheme, ())) for tag, scheme in schemes.items()})


@dataclass
class Weighing:
    country: str
    verdict: str                 # supported, contradicted, not testable
    in_scope: int = 0
    baseline: float = 0.0
    measures: int = 0            # the country's current measures of the counting unit
    stated: dict[str, int] = field(default_factory=dict)  # sparse field -> measures stating it
    reason: str = ""

    def as_dict(self) -> dict:
        return {"country": self.country, "verdict": self.verdict, "in_scope": self.in_scope,
                "baseline": round(self.baseline, 2), "measures": self.measures, "stated": self.stated,
                "reason": self.reason}


def _matches(measure: dict, tags: dict[str, list[str]]) -> bool:
    return all(set(measure[tag]) & set(values) for tag, values in tags.items())


def weigh_in(country: str, finding: dict, measures: Measures) -> Weighing:
    """The verdict of one finding in one country."""
    themes = set(finding.get("themes") or ())
    weighed_on = {tag for theme in themes for tag in TESTED_ON.get(theme, ())}
    tags = {tag: finding[tag] for tag in TAGS if tag in weighed_on and finding.get(tag)}
    current = [m for m in measures.by_country.get(country, []) if m["status"] in CURRENT]
    if themes & set(BALANCES):
        return Weighing(country, "not testable", measures=len(current),
                        reason="it compares the shares of dimensions or levels, which the balance table shows")
    if not current:
        return Weighing(country, "not testable", reason="the data holds no current measure there")
    if not weighed_on:
        return Weighing(country, "not testable", measures=len(current),
                        reason="a finding on " + ", ".join(sorted(themes) or ["no theme"])
                        + ": counts of measures do not speak to it")
    if not tags:
        return Weighing(country, "not testable", measures=len(current),
                        reason="it names no " + " or ".join(sorted(t.replace("_", " ")[:-1] for t in weighed_on))
                        + " to count measures on")
    stated = {tag: sum(1 for m in current if m[tag]) for tag in tags}
    unknown = [tag for tag, n in stated.items() if n < MIN_STATED * len(current)]
    in_scope = sum(1 for m in current if _matches(m, tags))
    # the alternatives: as many values of each tag as the finding names, in every combination
    choices = [[list(c) for c in itertools.combinations(measures.values[tag], len(values))]
               for tag, values in tags.items()]
    counts = [sum(1 for m in current if _matches(m, dict(zip(tags, alternative))))
              for alternative in itertools.product(*choices)]
    baseline = sum(counts) / len(counts) if counts else 0.0
    weighing = Weighing(country, "not testable", in_scope, baseline, len(current), stated)
    if unknown:
        tag = unknown[0].replace("_", " ")[:-1]
        weighing.reason = (f"only {stated[unknown[0]]} of its {len(current)} current measures state a {tag}; "
                           f"{in_scope} are in scope")
        return weighing
    measures_in_scope = f"{in_scope} current measure{'s' if in_scope != 1 else ''} in scope"
    if finding["kind"] not in NEGATIVE:
        weighing.verdict = "supported" if in_scope else "contradicted"
        weighing.reason = measures_in_scope if in_scope else "no current measure in scope"
        return weighing
    if in_scope < baseline or in_scope == 0:
        weighing.verdict = "supported"
    elif in_scope > baseline:
        weighing.verdict = "contradicted"
    weighing.reason = f"{measures_in_scope} against an average of {baseline:.1f} over the {len(counts)} alternatives"
    return weighing


def assess(findings: list[dict], measures: Measures) -> list[dict]:
    """The findings (rows of the `findings` query, one per finding and country) with their
    evidence: one row per finding, its countries, the weighing in each and the verdict."""
    grouped: dict[str, dict] = {}
    for row in findings:
        entry = grouped.setdefault(row["finding"], row | {"countries": []})
        if row["country"] not in entry["countries"]:
            entry["countries"].append(row["country"])
    assessed = []
    for entry in grouped.values():
        countries = [c for c in entry["countries"] if c in FOCUS] or list(FOCUS)
        weighings = [weigh_in(c, entry, measures) for c in countries]
        testable = [w for w in weighings if w.verdict != "not testable"]
        decided = sorted({w.verdict for w in testable})
        enough = bool(testable) and len(testable) >= MIN_TESTABLE * len(weighings)
        verdict = decided[0] if len(decided) == 1 and enough else "not testable"
        if len(weighings) == 1:
            reason = weighings[0].reason
        else:
            preface = ("the countries disagree. " if len(decided) > 1 else
                       f"testable in only {len(testable)} of its {len(weighings)} countries. "
                       if testable and not enough else "")
            reason = preface + "; ".join(f"{w.country}: {w.verdict}, {w.reason}" for w in weighings)
        row = {k: v for k, v in entry.items() if k not in ("country",)}
        assessed.append(row | {"verdict": verdict, "reason": reason, "evidence": [w.as_dict() for w in weighings]})
    return assessed
