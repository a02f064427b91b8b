"""The gaps of a country, ranked: what the key messages and the gap -> recommendation table say.

Three kinds of gap, all read from query rows:

- a **cell** of the dimension x level matrix that is empty or thin (empty-and-thin-cells: no
  current programme, one, one actor behind all, or only funding from outside the State);
- a **group** the sources call vulnerable (a target group that a gap, weakness or recommendation on
  the country names) with no programme or one, among the programmes that state a target group;
- a **finding**: a gap or weakness the assessment states on the country (its own, or a regional one
  that names it), with the verdict of the data on it (rkg.graph.evidence).

Each gap is scored by `POINTS`; the report states the rule (`rule_rows`). A cell or group is
related to the assessment's gaps and weaknesses that name it, and takes their recommendations
(the sources link them with `addresses`) and those that name the same cell or group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from ..graph.evidence import CURRENT
from . import sentences as S
from .facts import DISPLAY_ORDER, Facts

DIM, LVL, TG = "dimensionScheme", "levelScheme", "targetGroupScheme"
NEGATIVE = ("gap", "weakness")
MAX_MESSAGES, MIN_MESSAGES, MIN_POINTS = 5, 3, 3

# (key, points, when a gap earns them): the ranking rule, printed in every report that ranks gaps
POINTS = (
    ("supported", 3, "the assessment states it and the data supports it"),
    ("empty", 3, "no current programme covers it"),
    ("thin", 2, "one current programme, or one actor behind all of them, covers it"),
    ("external", 2, "all its current programmes are funded from outside the State (where every one states its "
                    "funders)"),
    ("one_funder", 1, "those programmes all have a single funder"),
    ("vulnerable", 1, "it concerns a group the assessment names as needing support"),
    ("sparse", -1, "it rests on a field stated for fewer than half of the programmes"),
)
WEIGHT = {key: points for key, points, _ in POINTS}


@dataclass
class Answer:
    recommendation: str  # id
    title: str
    how: str  # "answers <finding>" or "names the same cell" / "names the same group"
    section: str = ""


@dataclass
class Gap:
    key: str  # an anchor: cell-economic-community, group-women, finding-<id>
    kind: str  # cell, group, finding
    title: str
    evidence: str  # one line, with the completeness of the field it rests on
    headline: str = ""  # the title with what is wrong: "Psychosocial support at structural level: no programme"
    short: str = ""  # the evidence in a few words, for a list of countries
    funder: str = ""  # the one external funder a thin cell hangs on
    brief: str = ""  # the evidence without the names of every actor (for lists and tables)
    earned: list[str] = field(default_factory=list)  # keys of POINTS
    findings: list[dict] = field(default_factory=list)  # the assessment's gaps and weaknesses it concerns
    answers: list[Answer] = field(default_factory=list)
    who: list[str] = field(default_factory=list)  # the actors the sources make responsible
    records: list[str] = field(default_factory=list)  # the records behind it, by name
    order: int = 0  # position among gaps of its kind (matrix order, group order, finding order)
    verdict: str = ""  # for a finding: supported, contradicted, not testable

    @property
    def points(self) -> int:
        return sum(WEIGHT[k] for k in self.earned)

    def rank_key(self) -> tuple:
        return (-self.points, -len(self.findings), ("cell", "group", "finding").index(self.kind), self.order)


def rule_rows() -> list[list[str]]:
    return [[S.capitalise(when), f"{points:+d}"] for _, points, when in POINTS]


def rule_sentence() -> str:
    parts = [f"{points} when {when}" if points > 0 else f"{-points} less when {when}" for _, points, when in POINTS]
    return (S.sentence("each gap earns points: " + "; ".join(parts)) + " Ties go to the gap more of the assessment's "
            f"findings concern. The key messages are the {MAX_MESSAGES} highest with at least {MIN_POINTS} points, "
            "never one the data contradicts; empty cells of one dimension, and thin cells that hang on the same "
            f"programme, make one message; a finding told with a cell or group is not told again, unless fewer than "
            f"{MIN_MESSAGES} messages would be left.")


# ---------------------------------------------------------------- the data a country's gaps are read from

@dataclass
class CountryData:
    """The rows of one country that its gaps are read from."""

    code: str
    name: str
    measures: list[dict]  # reports/queries/measures.rq, dedicated programmes only
    actors: dict[str, list[dict]]  # measure id -> measure-actors rows
    cells: list[dict]  # coverage-matrix
    thin: list[dict]  # empty-and-thin-cells
    completeness: dict[str, dict]  # field -> field-completeness row
    findings: list[dict]  # assessed findings on the country
    recommendations: list[dict]
    responsible: dict[str, list[dict]]  # recommendation id -> recommendation-actors rows

    @classmethod
    def read(cls, facts: Facts, country: str) -> CountryData:
        measures = [m for m in facts.own("measures", country=country) if m["kind"] == "dedicated"]
        actors: dict[str, list[dict]] = defaultdict(list)
        for row in facts.own("measure-actors", country=country):
            actors[row["measure"]].append(row)
        responsible: dict[str, list[dict]] = defaultdict(list)
        for row in facts.own("recommendation-actors", country=country):
            responsible[row["recommendation"]].append(row)
        return cls(country, facts.country_name(country), measures, actors,
                   facts.named("coverage-matrix", country=country),
                   facts.named("empty-and-thin-cells", country=country),
                   {r["field"]: r for r in facts.named("field-completeness", country=country)},
                   facts.assessed(country), facts.own("recommendations", country=country), responsible)

    def stated(self, name: str) -> tuple[int, int]:
        row = self.completeness.get(name)
        return (int(row["stated"]), int(row["measures"])) if row else (0, len(self.measures))


# ---------------------------------------------------------------- reading the gaps

def _names(rows: list[dict], key: str = "name") -> list[str]:
    return sorted({r[key] for r in rows if r.get(key)})


def _finding_title(f: dict) -> str:
    return f.get("name") or S.shorten(f["statement"], 70)


def names_cell(record: dict, dimension: str, level: str) -> bool:
    """A finding or recommendation names a cell when it names its dimension (and its level, if it
    names levels at all): one naming every dimension is about their balance, and one naming a
    target group is about that group, not about one cell."""
    dims, levels = record.get("dimensions") or [], record.get("levels") or []
    return dimension in dims and len(dims) < len(DISPLAY_ORDER[DIM]) and (not levels or level in levels) \
        and not record.get("target_groups")


def names_group(record: dict, group: str) -> bool:
    return group in (record.get("target_groups") or [])


def _cell_findings(findings: list[dict], dimension: str, level: str) -> list[dict]:
    """The gaps and weaknesses that name this cell."""
    return [f for f in findings if f["kind"] in NEGATIVE and names_cell(f, dimension, level)]


def _answers(gap: Gap, recommendations: list[dict], match: Callable[[dict], bool], how: str) -> None:
    """Recommendations that answer the gap's findings (linked by the sources), then those that name
    the same cell or group (matched on their tags)."""
    ids = {f["finding"]: f for f in gap.findings}
    for r in recommendations:
        addressed = [ids[f] for f in r.get("addresses") or [] if f in ids]
        title = r.get("name") or S.shorten(r["statement"], 70)
        if addressed:
            gap.answers.append(Answer(r["recommendation"], title,
                                      "answers " + S.join(f"“{_finding_title(f)}”" for f in addressed),
                                      r.get("section") or ""))
        elif match(r):
            gap.answers.append(Answer(r["recommendation"], title, how, r.get("section") or ""))


def _who(gap: Gap, responsible: dict[str, list[dict]]) -> None:
    names = []
    for answer in gap.answers:
        for row in responsible.get(answer.recommendation, []):
            label = f"{row['name']} ({row['acronym']})" if row.get("acronym") else row["name"]
            if label not in names:
                names.append(label)
    gap.who = names


def cell_gaps(data: CountryData, facts: Facts) -> list[Gap]:
    if not data.measures:
        return []  # the sources record no programme: an empty cell would say nothing
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    order = {(d, lv): i for i, (d, lv) in enumerate((d, lv) for d in dims for lv in levels)}
    by_id = {m["measure"]: m for m in data.measures}
    cells = {(r["dimension"], r["level"]): r for r in data.cells}
    dim_stated, total = data.stated("dimension")
    level_stated, _ = data.stated("level")
    gaps = []
    for row in sorted(data.thin, key=lambda r: order.get((r["dimension"], r["level"]), 99)):
        d, lv = row["dimension"], row["level"]
        subject = f"{facts.label(DIM, d)} support at {facts.label(LVL, lv)} level"
        current = [by_id[m] for m in (cells.get((d, lv)) or {}).get("measure_ids", []) if m in by_id
                   and by_id[m]["status"] in CURRENT]
        gap = Gap(f"cell-{d}-{lv}", "cell", S.capitalise(subject), "", order=order.get((d, lv), 99))
        gap.records = [m["name"] for m in current]
        parts = []
        if row.get("empty"):
            gap.earned.append("empty")
            parts.append(f"no current programme covers it among the {S.count(total, 'dedicated programme')} "
                         f"of {data.name} (dimension stated for {dim_stated}, level for {level_stated})")
            gap.short = f"none of its {total} programmes"
        elif row.get("single_measure"):
            gap.earned.append("thin")
            only = current[0] if current else None
            runs = _names(data.actors.get(only["measure"], [])) if only else []
            parts.append(f"a single current programme covers it: {row['measure_names'][0]}"
                         + (f", with {S.join(runs)}" if runs else ", whose actors the sources do not name"))
            gap.short = row["measure_names"][0]
        if row.get("single_actor") and not row.get("single_measure"):
            gap.earned.append("thin")
            parts.append(f"all {row['current']} current programmes hang on one actor, {row['actor_names'][0]} "
                         f"(actors stated for all of them)")
            gap.short = f"one actor, {row['actor_names'][0]}"
        if row.get("external_only"):
            gap.earned.append("external")
            funders = sorted({a["name"] for m in current for a in data.actors.get(m["measure"], [])
                              if a["role"] == "funder" and a.get("state") is not True})
            gap.short = gap.short or "external funding only"
            if len(funders) == 1:
                gap.earned.append("one_funder")
                gap.funder = funders[0]
                parts.append(f"it hangs on one external funder, {funders[0]}")
            else:
                parts.append(f"all {S.count(int(row['current']), 'current programme')} are funded from outside "
                             f"the State (funders stated for all of them)"
                             + (f": {S.join(funders)}" if funders else ""))
        if not parts:
            continue
        flags = [words for key, words in (("empty", "no current programme"), ("single_measure", "one programme"),
                                          ("single_actor", "one actor"), ("external_only", "external funding only"))
                 if row.get(key) and not (key == "single_actor" and row.get("single_measure"))]
        if "one_funder" in gap.earned:
            flags[-1] = "one external funder"
        gap.headline = f"{gap.title}: {S.join(flags)}"
        gap.findings = _cell_findings(data.findings, d, lv)
        if any(f["verdict"] == "supported" for f in gap.findings):
            gap.earned.append("supported")
        gap.evidence = S.sentence("; ".join(parts))
        if row.get("empty"):
            gap.brief = gap.evidence
        else:
            brief = [f"a single current programme, {gap.short}" if row.get("single_measure") else
                     f"all {row['current']} current programmes hang on one actor, {row['actor_names'][0]}"]
            if row.get("external_only"):
                brief.append(f"one external funder, {gap.funder}" if gap.funder else
                             "funded only from outside the State")
            gap.brief = S.sentence("; ".join(brief))
        _answers(gap, data.recommendations, partial(names_cell, dimension=d, level=lv),
                 f"names {facts.label(DIM, d)} support")
        _who(gap, data.responsible)
        gaps.append(gap)
    return gaps


def group_gaps(data: CountryData, facts: Facts) -> list[Gap]:
    """Groups the assessment names as needing support on the country (in a gap, weakness or
    recommendation) that no programme, or a single one, is aimed at."""
    if not data.measures:
        return []
    named: dict[str, list[dict]] = defaultdict(list)
    for f in data.findings:
        if f["kind"] in NEGATIVE:
            for g in f.get("target_groups") or []:
                named[g].append(f)
    for r in data.recommendations:
        for g in r.get("target_groups") or []:
            named.setdefault(g, [])
    stated = [m for m in data.measures if m.get("target_groups")]
    total = len(data.measures)
    sparse = len(stated) < 0.5 * total
    gaps = []
    for index, group in enumerate(facts.order(TG, named)):
        aimed = [m for m in stated if group in m["target_groups"]]
        if len(aimed) > 1:
            continue
        label = facts.label(TG, group)
        among = f"among the {len(stated)} of {S.count(total, 'dedicated programme')} that state a target group"
        gap = Gap(f"group-{group}", "group", S.capitalise(f"programmes for {label}"), "", order=index)
        gap.earned.append("vulnerable")
        gap.headline = S.capitalise(f"{'no programme' if not aimed else 'one programme'} for {label}")
        if not aimed:
            gap.earned.append("empty")
            gap.evidence = S.sentence(f"no programme is aimed at {label} {among}")
            gap.short = f"none of the {len(stated)} of {total} that state a group"
        else:
            gap.short = aimed[0]["name"]
            gap.earned.append("thin")
            status = "" if aimed[0]["status"] in CURRENT else f", {facts.label('measureStatusScheme', aimed[0]['status'])}"
            gap.evidence = S.sentence(f"a single programme is aimed at {label} {among}: {aimed[0]['name']}{status}")
            gap.records = [aimed[0]["name"]]
        if sparse:
            gap.earned.append("sparse")
        gap.findings = named[group]
        if any(f["verdict"] == "supported" for f in gap.findings):
            gap.earned.append("supported")
        _answers(gap, data.recommendations, partial(names_group, group=group), "names the same group")
        _who(gap, data.responsible)
        gaps.append(gap)
    return gaps


def finding_gaps(data: CountryData, facts: Facts, about: dict[str, list[str]]) -> list[Gap]:
    """Every gap and weakness the assessment states on the country, with the data's verdict."""
    kinds = facts.codes("findingKindScheme")
    rows = sorted((f for f in data.findings if f["kind"] in NEGATIVE),
                  key=lambda f: (kinds.index(f["kind"]), f.get("scope") != "country", f["finding"]))
    gaps = []
    for index, f in enumerate(rows):
        gap = Gap(f"finding-{f['finding']}", "finding", _finding_title(f), "", order=index, verdict=f["verdict"],
                  headline=_finding_title(f))
        gap.findings = [f]
        if f["verdict"] == "supported":
            gap.earned.append("supported")
        where = f" ({facts.label('findingKindScheme', f['kind'])}, section {f['section']})" if f.get("section") else ""
        gap.evidence = S.sentence(f"the assessment{where}: {f['statement']}")
        gap.records = about.get(f["finding"], [])
        _answers(gap, data.recommendations, lambda r: False, "")
        _who(gap, data.responsible)
        gaps.append(gap)
    return gaps


def country_gaps(facts: Facts, country: str) -> tuple[list[Gap], CountryData]:
    """Every gap of the country, ranked (the highest first)."""
    data = CountryData.read(facts, country)
    about: dict[str, list[str]] = defaultdict(list)
    for r in facts.own("finding-about", country=country):
        about[r["finding"]].append(r["name"])
    gaps = cell_gaps(data, facts) + group_gaps(data, facts) + finding_gaps(data, facts, about)
    return sorted(gaps, key=Gap.rank_key), data


def _merges(group: list[Gap], gap: Gap) -> bool:
    """Whether a cell gap is told with the message of `group`: empty cells of one dimension, or thin
    cells that hang on the same programme or actor, with the same points."""
    first = group[0]
    if not first.kind == gap.kind == "cell":
        return False
    if "empty" in first.earned and "empty" in gap.earned:
        return first.points == gap.points and first.key.split("-")[1] == gap.key.split("-")[1]
    return "empty" not in first.earned and "empty" not in gap.earned and first.short == gap.short \
        and first.headline.split(": ", 1)[1] == gap.headline.split(": ", 1)[1]


def key_messages(gaps: list[Gap]) -> list[list[Gap]]:
    """The highest-ranked gaps, as at most MAX_MESSAGES messages, each gap with at least MIN_POINTS
    points, never one the data contradicts and never a finding already told with a cell or group
    above it; empty cells of one dimension, and thin cells that hang on the same programme, make one
    message. Fewer than MIN_MESSAGES messages are made up with the findings told above (they are
    gaps of their own)."""
    chosen: list[list[Gap]] = []
    told: set[str] = set()
    for gap in gaps:
        if gap.points < MIN_POINTS:
            break
        if gap.verdict == "contradicted" or (gap.kind == "finding" and gap.findings[0]["finding"] in told):
            continue
        same = next((group for group in chosen if _merges(group, gap)), None)
        if same is not None:
            same.append(gap)
        elif len(chosen) < MAX_MESSAGES:
            chosen.append([gap])
        else:
            continue
        told.update(f["finding"] for f in gap.findings if f["verdict"] == "supported")
    listed = {id(g) for group in chosen for g in group}
    for gap in gaps:
        if len(chosen) >= MIN_MESSAGES or gap.points < MIN_POINTS:
            break
        if id(gap) not in listed and gap.verdict != "contradicted":
            chosen.append([gap])
    return chosen


def cells_subject(group: list[Gap], facts: Facts) -> str:
    """The cells of a message in few words: "social and psychosocial support at structural level"."""
    cells = [tuple(g.key.split("-")[1:]) for g in group]
    by_level: dict[str, list[str]] = defaultdict(list)
    for d, lv in cells:
        by_level[lv].append(d)
    dims = facts.order(DIM, {d for d, _ in cells})
    if len(by_level) > 1 and len(dims) == 1:
        return f"{facts.label(DIM, dims[0])} support at {S.join(facts.label(LVL, lv) for lv in facts.order(LVL, by_level))} level"
    return S.join(f"{S.join(facts.label(DIM, d) for d in facts.order(DIM, by_level[lv]))} support at "
                  f"{facts.label(LVL, lv)} level" for lv in facts.order(LVL, by_level))


def merged_headline(group: list[Gap], facts: Facts) -> str:
    """One headline for the cells of a message: "Social and psychosocial support at structural level: ...",
    or, for thin cells that all hang on one programme, "3 cells hang on one programme, SaMi project"."""
    first = group[0]
    if len(group) == 1:
        return first.headline or first.title
    what = first.headline.split(": ", 1)[1]
    if "empty" not in first.earned and len(group) > 2:
        what = "actor" if first.short.startswith("one actor") else "programme"
        return S.capitalise(f"{S.number_word(len(group))} cells hang on one {what} ({first.short.removeprefix('one actor, ')})"
                            + (f" and one external funder ({first.funder})" if first.funder else ""))
    return f"{S.capitalise(cells_subject(group, facts))}: {what}"


def verdict_words(f: dict) -> str:
    """How the data weighs a finding, in a few words."""
    if f["verdict"] == "supported":
        return "the data supports it"
    if f["verdict"] == "contradicted":
        return "the data contradicts it"
    return "the data cannot test it"
