"""The regional report: the five countries of origin side by side, the survey's reintegration
scores, the gaps several countries share and the actors that work across them."""

from __future__ import annotations

import re
from collections import defaultdict

from ..graph.evidence import CURRENT
from . import charts
from . import sentences as S
from .common import (
    cited_documents,
    completeness_table,
    documents,
    findings_section,
    gap_table,
    glossary_section,
    method_section,
    recommendations_section,
    sparse_fields,
)
from .country import current_on
from .facts import Facts
from .gaps import CountryData, Gap, country_gaps, finding_gaps
from .model import Chart, Message, Paragraph, Report, Section, Table

DIM, LVL, PHASE, TG = "dimensionScheme", "levelScheme", "phaseScheme", "targetGroupScheme"
REGIONAL = "regional"
MAX_MESSAGES = 5
_STATISTIC = re.compile(r"^(?P<series>.*?)\s*\((?P<stat>mean|standard deviation|minimum|maximum)\)$")
SURVEY_GROUPS = ("migrant-group", "sex", "education", "skills-gained")  # the order of the survey's tables
ALL = "all respondents"


# ---------------------------------------------------------------- what each country's gaps are

def all_gaps(facts: Facts, codes: list[str]) -> dict[str, list[Gap]]:
    return {code: country_gaps(facts, code)[0] for code in codes}


def shared(facts: Facts, codes: list[str], gaps: dict[str, list[Gap]]) -> list[dict]:
    """The cell and group gaps two or more countries share, the widest first: one row per cell or
    group, with the countries where it is empty and where it is thin."""
    found: dict[str, dict] = {}
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    order = {f"cell-{d}-{lv}": i for i, (d, lv) in enumerate((d, lv) for d in dims for lv in levels)}
    for code in codes:
        for gap in gaps[code]:
            if gap.kind == "finding":
                continue
            row = found.setdefault(gap.key, {"key": gap.key, "kind": gap.kind, "gap": gap, "empty": [], "thin": [],
                                             "gaps": {}, "supported": [], "order": order.get(gap.key, 99 + gap.order)})
            row["empty" if "empty" in gap.earned else "thin"].append(code)
            row["gaps"][code] = gap
            if any(f["verdict"] == "supported" for f in gap.findings):
                row["supported"].append(code)
    rows = [r for r in found.values() if len(r["gaps"]) >= 2]
    for r in rows:
        r["countries"] = [c for c in codes if c in r["gaps"]]
        r["points"] = len(r["countries"]) + len(r["empty"]) + (3 if r["supported"] else 0)
    return sorted(rows, key=lambda r: (-r["points"], -len(r["countries"]), ("cell", "group").index(r["kind"]),
                                       r["order"]))


def shared_words(r: dict, facts: Facts) -> tuple[str, str]:
    """(what, where it is empty and where thin) for a shared gap."""
    gap = r["gap"]
    if gap.kind == "cell":
        what, empty, thin = gap.title, "no current programme", "one programme, one actor or only external funding"
    else:
        what = S.capitalise(f"programmes for {facts.label(TG, gap.key.removeprefix('group-'))}")
        empty, thin = "no programme", "one programme"
    parts = [f"{words} in {S.join(facts.country_name(c) for c in r[key])}" for key, words in
             (("empty", empty), ("thin", thin)) if r[key]]
    return what, "; ".join(parts)


# ---------------------------------------------------------------- the survey (chapter 8)

def survey(facts: Facts) -> dict:
    """The survey's scores by group and series (mean, standard deviation) and its respondents by group."""
    scores: dict[tuple[str, str], dict] = defaultdict(dict)
    series_order: list[str] = []
    groups: dict[str, tuple[str, str]] = {}  # category -> (variable, name)
    respondents: dict[str, int] = {}
    sections = set()
    for r in facts.own("survey-scores"):
        category = r.get("category") or ALL
        if category != ALL:
            groups[category] = (r.get("variable") or "", r.get("category_name") or category)
        if r.get("section"):
            sections.add(r["section"])
        if r["unit"] != "score":
            respondents[category] = int(r["value"])
            continue
        match = _STATISTIC.match(r["indicator_name"])
        series, stat = (match.group("series"), match.group("stat")) if match else (r["indicator_name"], "mean")
        series = re.sub(r"\s*dimension reintegration score$|\s*reintegration score", "", series).strip()
        if series not in series_order:
            series_order.append(series)
        scores[(category, series)][stat] = float(r["value"])
    dimensions = [facts.label(DIM, d).lower() for d in facts.codes(DIM)]
    series_order.sort(key=lambda s: next((i for i, d in enumerate(dimensions) if s.lower().startswith(d)),
                                         len(dimensions)))
    return {"scores": scores, "series": series_order, "groups": groups, "respondents": respondents,
            "sections": sorted(sections)}


def survey_section(facts: Facts) -> tuple[Section, str]:
    data = survey(facts)
    section = Section("survey", "How returnees fare: the survey's reintegration scores",
                      queries=["survey-scores (report)"],
                      explanation="The assessment's online reintegration survey (chapter 8) scores how sustainable "
                                  "respondents' reintegration is, from 0 (poor) to 1 (good), in each dimension and "
                                  "as a composite (the Reintegration Sustainability Scores of Samuel Hall/IOM). The "
                                  "survey covers the five countries together; it gives no score by country.")
    scores, series = data["scores"], data["series"]
    if not scores:
        section.add(Paragraph("The graph holds no survey scores."))
        return section, ""
    groups = data["groups"]
    composite = next((s for s in series if "composite" in s.lower()), series[-1])

    def name(category: str) -> str:
        return "All respondents" if category == ALL else groups[category][1]

    def mean(category: str, s: str):
        return scores.get((category, s), {}).get("mean")

    # by breakdown in the survey's order, and within one, the lowest composite score first
    ordered = [ALL] + sorted(groups, key=lambda c: (SURVEY_GROUPS.index(groups[c][0]) if groups[c][0] in SURVEY_GROUPS
                                                    else 9, groups[c][0], mean(c, composite) or 0, c))

    panels = []
    for variable, title in (("migrant-group", "By dimension and migrant status"), ("sex", "By sex")):
        members = [c for c in ordered if c == ALL or groups[c][0] == variable]
        shown = [s for s in series if any(mean(c, s) is not None for c in members if c != ALL)]
        if len(members) > 1 and shown:
            panels.append((title, shown, [(name(c), [mean(c, s) for s in shown]) for c in members]))
    rows = []
    for c in ordered:
        cells = []
        for s in series:
            value = scores.get((c, s), {})
            cells.append(f"{value['mean']:.3f}" + (f" ({value['standard deviation']:.3f})" if "standard deviation"
                                                     in value else "") if "mean" in value else "")
        if any(cells):
            rows.append([name(c), str(data["respondents"].get(c, ""))] + cells)
    table = Table(["group", "respondents"] + [s for s in series], rows, numeric=tuple(range(1, 2 + len(series))),
                  widths=(2.6, 1.1) + (1.3,) * len(series),
                  caption="Mean score (standard deviation) by group, from 0 (poor) to 1 (good); within each "
                          "breakdown, the lowest composite score first"
                          + (f"; section {', '.join(data['sections'])} of [1]" if data["sections"] else ""))
    dims = [(s, mean(ALL, s)) for s in series if "composite" not in s.lower() and mean(ALL, s) is not None]
    text = ""
    if dims:
        low, high = min(dims, key=lambda x: x[1]), max(dims, key=lambda x: x[1])
        text = (f"among all {data['respondents'].get(ALL, '')} respondents the lowest score is "
                f"{low[0].lower()} ({low[1]:.3f}) and the highest {high[0].lower()} ({high[1]:.3f})")
        by_sex = [(c, mean(c, s)) for c in ordered if c != ALL and groups[c][0] == "sex"
                  for s in series if "composite" in s.lower() and mean(c, s) is not None]
        if len(by_sex) >= 2:
            lowest, highest = min(by_sex, key=lambda x: x[1]), max(by_sex, key=lambda x: x[1])
            text += (f"; {name(lowest[0]).lower()} score {lowest[1]:.3f} on the composite against "
                     f"{highest[1]:.3f} for {name(highest[0]).lower()}")
        text = S.sentence(text)
        section.add(Paragraph(text))
    if panels:
        section.add(Chart("survey-chart", "Reintegration Sustainability Scores of the survey (0 poor, 1 good)",
                          f"Bar charts of the survey's mean reintegration scores by dimension, migrant status and "
                          f"sex. {text}", lambda: charts.score_bars(panels, "mean score"), table))
    else:
        section.add(table)
    return section, text


# ---------------------------------------------------------------- sections

def key_messages_section(facts: Facts, rows: list[dict], codes: list[str], supported: list[Gap],
                         survey_text: str) -> Section:
    section = Section("key-messages", "Key messages: the gaps the countries share", new_page=True,
                      queries=["empty-and-thin-cells", "target-group-coverage", "findings", "rkg.graph.evidence",
                               "survey-scores (report)"])
    number = 0
    for r in rows[:MAX_MESSAGES - (1 if survey_text else 0)]:
        number += 1
        what, words = shared_words(r, facts)
        n = len(r["countries"])
        reach = f"all {n} countries" if n == len(codes) else f"{n} countries"
        evidence = S.sentence("; ".join(f"{facts.country_name(c)}: {r['gaps'][c].short}" for c in r["countries"]))
        if r["gap"].kind == "group":
            evidence += " Counted among the programmes that state a target group."
        if r["supported"]:
            evidence += (f" The assessment finds it too, and the data supports it in "
                         f"{S.join(facts.country_name(c) for c in r['supported'])}.")
        answers = sorted({a.title for g in r["gaps"].values() for a in g.answers})
        state = "empty or thin" if r["kind"] == "cell" else ("none" if not r["thin"] else "none or one")
        section.add(Message(number, f"key-message-{number}", f"{what}: {state} in {reach}", evidence,
                            (f"{len(answers)} recommendations of the assessment answer it in these countries: "
                             if len(answers) > 1 else "") + "; ".join(answers[:3])
                            + (f"; and {len(answers) - 3} more (in the country reports)" if len(answers) > 3 else "")
                            if answers else "No recommendation of the assessment answers it.", ""))
    for gap in supported[:max(0, MAX_MESSAGES - (1 if survey_text else 0) - number)]:
        number += 1
        answer = "; ".join(a.title for a in gap.answers) or "No recommendation of the assessment answers it."
        section.add(Message(number, f"key-message-{number}", gap.headline or gap.title, gap.evidence, answer,
                            ", ".join(gap.who)))
    if survey_text:
        number += 1
        section.add(Message(number, f"key-message-{number}", "How returnees fare: the survey's scores",
                            survey_text + " The scores are in their own section, by dimension, migrant status and "
                                          "sex.", "", ""))
    section.add(Paragraph(S.sentence("the shared gaps are ranked by points: 1 for each country where the cell or "
                                     "group is empty or thin, 1 more for each where it is empty, and 3 more when "
                                     "the data supports a finding of the assessment on it; then come the regional "
                                     "gaps the data supports, and the survey's scores"), style="note"))
    return section


def side_by_side(facts: Facts, codes: list[str], gaps: dict[str, list[Gap]]) -> Section:
    section = Section("countries", "The five countries side by side",
                      queries=["measures (report)", "coverage-matrix", "empty-and-thin-cells", "findings",
                               "rkg.graph.evidence", "field-completeness"],
                      explanation="Dedicated programmes (the counting unit of every count), the gaps the country "
                                  "reports rank, and how much the sources say about them.")
    names = [facts.country_name(c) for c in codes]
    stats = []
    for code in codes:
        measures = [m for m in facts.own("measures", country=code) if m["kind"] == "dedicated"]
        stated = [m for m in measures if m["actor_sector"] != "not stated"]
        mine = gaps[code]
        stats.append({
            "programmes": len(measures), "current": sum(1 for m in measures if m["status"] in CURRENT),
            "state": f"{sum(1 for m in stated if m['actor_sector'] == 'state')} of {len(stated)}",
            "empty": sum(1 for g in mine if g.kind == "cell" and "empty" in g.earned),
            "thin": sum(1 for g in mine if g.kind == "cell" and "empty" not in g.earned),
            "groups": sum(1 for g in mine if g.kind == "group" and "empty" in g.earned),
            "findings": facts.countries[code]["findings"],
            "supported": sum(1 for g in mine if g.kind == "finding" and g.verdict == "supported"),
            "recommendations": len(facts.own("recommendations", country=code))})
    labels = [("programmes", "dedicated programmes"), ("current", "… current"),
              ("state", "with a State actor, of those whose actors are stated"),
              ("empty", "empty cells (of 9)"), ("thin", "thin cells"),
              ("groups", "groups the assessment names with no programme"), ("findings", "findings of the assessment"),
              ("supported", "gaps and weaknesses the data supports"), ("recommendations", "recommendations")]
    section.add(Table([""] + names, [[label] + [str(s[key]) for s in stats] for key, label in labels],
                      numeric=tuple(range(1, len(codes) + 1)), widths=(3.2,) + (1,) * len(codes)))
    rows = facts.named("coverage-matrix")
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    cell = {(r["country"], r["dimension"], r["level"]): int(r["ongoing"]) + int(r["status_unknown"]) for r in rows}
    panels = [(facts.country_name(c), [[cell.get((c, d, lv), 0) for lv in levels] for d in dims]) for c in codes]
    dim_labels = [facts.label(DIM, d) for d in dims]
    level_labels = [facts.label(LVL, lv) for lv in levels]
    section.add(Chart("coverage-heatmaps", "Current dedicated programmes by dimension and level, per country",
                      "Heatmaps of current dedicated programmes per dimension and level, one per country, on a shared "
                      "colour scale; the country reports name the programmes in each cell.",
                      lambda: charts.heatmaps(panels, dim_labels, level_labels),
                      Table(["dimension", "level"] + names,
                            [[facts.label(DIM, d), facts.label(LVL, lv)] + [str(cell.get((c, d, lv), 0)) for c in codes]
                             for d in dims for lv in levels],
                            numeric=tuple(range(2, 2 + len(codes))), widths=(2.2, 1.3) + (1,) * len(codes),
                            caption="Current dedicated programmes (ongoing, or status not given) per cell; each "
                                    "country report names them")))
    return section


def shared_section(facts: Facts, codes: list[str], rows: list[dict]) -> Section:
    section = Section("shared-gaps", "Gaps shared by several countries",
                      queries=["empty-and-thin-cells", "target-group-coverage", "countries-without-reintegration-policy"],
                      explanation="A gap is listed when two or more countries have it: a dimension × level cell "
                                  "with no current programme, or with one programme, one actor or only external "
                                  "funding; a group the assessment names with no programme, or one, among the "
                                  "programmes that state a target group; no policy in force that addresses "
                                  "reintegration.")
    table_rows = []
    for r in rows:
        what, words = shared_words(r, facts)
        table_rows.append([what, words, str(len(r["countries"])),
                           S.join(facts.country_name(c) for c in r["supported"]), str(r["points"])])
    without = [r["country"] for r in facts.named("countries-without-reintegration-policy") if r["country"] in codes]
    if len(without) >= 2:
        table_rows.append(["Reintegration policy", "no policy in force that addresses reintegration in "
                           + S.join(facts.country_name(c) for c in codes if c in without), str(len(without)), "", ""])
    if not table_rows:
        section.add(Paragraph("No gap is found in two or more countries."))
        return section
    everywhere = sum(1 for r in table_rows if r[2] == str(len(codes)))
    section.add(Paragraph(S.sentence(f"{S.count(len(table_rows), 'gap')} {S.verb(len(table_rows), 'is', 'are')} "
                                     f"found in two or more countries; {everywhere} in all {len(codes)}")))
    section.add(Table(["what", "where it is empty or thin", "countries", "the data supports the assessment in",
                       "points"], table_rows, numeric=(2, 4), widths=(2.4, 4, 0.9, 2, 0.7), small=True))
    return section


def balance_section(facts: Facts, codes: list[str]) -> Section:
    section = Section("balance", "Balance side by side", queries=["dimension-balance", "phase-coverage"],
                      explanation="The share of each country's dedicated programmes by dimension and by level (a "
                                  "programme covering two dimensions counts in both), and the phases of the "
                                  "migration cycle among the programmes that state one.")
    rows = facts.named("dimension-balance")
    share = {(r["country"], r["facet"], r["value"]): float(r["share"]) for r in rows}
    names = [facts.country_name(c) for c in codes]
    for facet, scheme, title in (("dimension", DIM, "Share of programmes by dimension"),
                                 ("level", LVL, "Share of programmes by level")):
        values = facts.codes(scheme)
        series = [(facts.country_name(c), [share.get((c, facet, v), 0.0) for v in values]) for c in codes]
        groups = [facts.label(scheme, v) for v in values]
        section.add(Chart(f"{facet}-balance-chart", title, f"Grouped bar chart: {title.lower()}, per country.",
                          lambda groups=groups, series=series: charts.grouped_bars(groups, series,
                                                                                  "share of programmes (%)"),
                          Table([facet] + names, [[groups[i]] + [S.percent(share.get((c, facet, v), 0)) for c in codes]
                                                  for i, v in enumerate(values)],
                                numeric=tuple(range(1, len(codes) + 1)), widths=(2.2,) + (1,) * len(codes))))
    phases = facts.named("phase-coverage")
    count = {(r["country"], r["phase"]): int(r["measures"]) for r in phases}
    stated = {r["country"]: (int(r["stated"]), int(r["total"])) for r in phases}
    section.add(Table(["phase"] + names,
                      [[facts.label(PHASE, p)] + [str(count.get((c, p), 0)) for c in codes] for p in facts.codes(PHASE)]
                      + [["programmes that state a phase"] + [f"{stated.get(c, (0, 0))[0]} of {stated.get(c, (0, 0))[1]}"
                                                              for c in codes]],
                      numeric=tuple(range(1, len(codes) + 1)), widths=(2.6,) + (1,) * len(codes),
                      caption="Dedicated programmes by migration-cycle phase, among those that state one"))
    return section


def policies_and_risks(facts: Facts, codes: list[str]) -> Section:
    within = int(facts.default("sustainability-risk", "within_years") or 2)
    year = facts.as_of.year
    section = Section("policies-and-risks", "Policies and sustainability side by side",
                      queries=["policy-implementation", "policies-without-measures", "sustainability-risk"],
                      explanation=f"Policies addressing reintegration and whether a measure implements them; current "
                                  f"programmes on {facts.date_text} whose continuity is at risk, each flag counted "
                                  f"among the programmes that state the field (actors, funders). Ended programmes "
                                  f"are history, not risks.")
    implementation = facts.named("policy-implementation")
    without = facts.named("policies-without-measures")
    risk = facts.named("sustainability-risk", as_of=facts.as_of.isoformat())
    rows = []
    for code in codes:
        mine = [r for r in risk if r["country"] == code]
        measures = [m for m in facts.own("measures", country=code) if m["kind"] == "dedicated"
                    and current_on(m, year)]
        actors = sum(1 for m in measures if m["actor_sector"] != "not stated")
        funders = sum(1 for m in measures if m["funder_sector"] != "not stated")
        counts = S.risk_counts(mine)
        rows.append([facts.country_name(code), str(sum(1 for r in implementation if r["country"] == code)),
                     str(sum(1 for r in without if r["country"] == code)), str(len(measures)),
                     f"{counts['no_state_actor']} of {actors}", f"{counts['external_funding_only']} of {funders}",
                     str(counts["ending"]), str(counts["pilot"])])
    section.add(Table(["country", "policies addressing reintegration", "with no implementing measure",
                       "current programmes", "no State actor", "external funding only", f"ending by {year + within}",
                       "pilots"], rows, numeric=tuple(range(1, 8)), widths=(1.6, 1.3, 1.3, 1.1, 1, 1, 1, 0.7)))
    return section


def actors_section(facts: Facts, codes: list[str]) -> Section:
    section = Section("actors-across-countries", "Actors active in several countries",
                      queries=["actors-across-countries"],
                      explanation="Actors that take part in measures in two or more countries, with the number "
                                  "of their measures and their roles in each.")
    rows = facts.named("actors-across-countries")
    by_actor: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        by_actor[(-int(r["countries"]), r["name"], r["actor"])][r["country"]] = r
    shown = list(codes) + sorted({r["country"] for r in rows} - set(codes))
    if not by_actor:
        section.add(Paragraph("No actor takes part in measures in more than one country."))
        return section
    section.add(Paragraph(S.sentence(f"{S.count(len(by_actor), 'actor')} {S.verb(len(by_actor), 'takes', 'take')} "
                                     f"part in measures in two or more countries: "
                                     f"{S.join(name for _, name, _ in sorted(by_actor))}")))
    table_rows = []
    for (negative, name, _), per_country in sorted(by_actor.items()):
        cells = []
        for code in shown:
            found = per_country.get(code)
            roles = [facts.label("roleScheme", x) for x in facts.order("roleScheme", found["roles"])] if found else []
            cells.append(f"{found['measures']} ({', '.join(roles)})" if found else "")
        table_rows.append([name, str(-negative)] + cells)
    section.add(Table(["actor", "countries"] + [facts.country_name(c) if c in facts.countries else c for c in shown],
                      table_rows, numeric=(1,), caption="Measures (and roles) of each actor, by country",
                      widths=(2.2, 0.9) + (1.4,) * len(shown), small=True))
    return section


def regional_report(facts: Facts) -> Report:
    codes = sorted(facts.countries)
    has_data = any(int(facts.countries[c]["measures"]) for c in codes)
    gaps = all_gaps(facts, codes)
    rows = shared(facts, codes, gaps)
    assessed = [f for f in facts.assessed() if f.get("scope") == REGIONAL]
    recommendations = [r for r in facts.own("recommendations") if r["country"] == REGIONAL]
    responsible: dict[str, list[dict]] = defaultdict(list)
    for row in facts.own("recommendation-actors"):
        if row["country"] == REGIONAL:
            responsible[row["recommendation"]].append(row)
    regional_gaps = regional_finding_gaps(facts, assessed, recommendations, responsible)
    survey_part, survey_text = survey_section(facts)
    supported = [g for g in regional_gaps if g.verdict == "supported"]
    sections = [key_messages_section(facts, rows, codes, supported, survey_text),
                side_by_side(facts, codes, gaps), survey_part, shared_section(facts, codes, rows),
                balance_section(facts, codes), policies_and_risks(facts, codes), actors_section(facts, codes),
                gap_table(regional_gaps, recommendations, facts, "for the region as a whole"),
                findings_section(facts, assessed, "for the region as a whole"),
                recommendations_section(facts, recommendations, responsible)]
    sections[1].new_page = True
    if not has_data:
        sections[1].add(Paragraph("No support measure is recorded for any country of origin in this data version."))
    completeness = facts.named("field-completeness")
    cited, records, single = cited_documents(facts, None)
    programmes = {c: sum(1 for m in facts.own("measures", country=c) if m["kind"] == "dedicated") for c in codes}
    counted = S.sentence("the counting unit is the dedicated programme: "
                         + S.join(f"{facts.country_name(c)} {programmes[c]}" for c in codes)
                         + ". A programme is current when it is ongoing or the sources do not give its status. Regional "
                           "findings are weighed in each country they name (all five when they name none)")
    sections.append(method_section(facts, sections, counted,
                                   completeness_table(completeness, codes, facts.country_name),
                                   sparse_regional(completeness, facts), cited, records, single, ranked=False))
    report = Report("regional", REGIONAL, "Reintegration support in South Asia: the countries side by side",
                    facts.version, documents(facts), sections, has_data, facts.as_of,
                    subtitle="A regional gap report from the Reintegration Knowledge Graph")
    report.sections.append(glossary_section(facts, report))
    return report


def sparse_regional(rows: list[dict], facts: Facts) -> list[str]:
    by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        by_field[r["field"]][0] += int(r["stated"])
        by_field[r["field"]][1] += int(r["measures"])
    return sparse_fields([{"field": f, "stated": s, "measures": m} for f, (s, m) in by_field.items()])


def regional_finding_gaps(facts: Facts, assessed: list[dict], recommendations: list[dict],
                          responsible: dict[str, list[dict]]) -> list[Gap]:
    data = CountryData(REGIONAL, "the region", [], {}, [], [], {}, assessed, recommendations, responsible)
    about: dict[str, list[str]] = defaultdict(list)
    for r in facts.own("finding-about"):
        if r["country"] == REGIONAL:
            about[r["finding"]].append(r["name"])
    gaps = finding_gaps(data, facts, about)
    return sorted(gaps, key=Gap.rank_key)
