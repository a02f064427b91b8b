"""The regional report: the five countries of origin side by side."""

from __future__ import annotations

from collections import defaultdict

from . import charts
from . import sentences as S
from .country import DIM, LVL, PHASE, TG, documents, finding_entries, provenance, recommendation_entries
from .facts import Facts
from .model import Chart, Paragraph, Report, Section, Table

REGIONAL = "regional"


def summary(facts: Facts, codes: list[str]) -> Section:
    section = Section("summary", "Summary", queries=["country-summary (report)", "documents (report)"],
                      explanation="What the Reintegration Knowledge Graph records for each country of origin. "
                                  "The report is dated by its data version: the same data gives the same report.")
    columns = [("measures", "measures"), ("actors", "actors"), ("policies", "policies"),
               ("reintegration_policies", "addressing reintegration"), ("findings", "findings"),
               ("recommendations", "recommendations"), ("figures", "figures")]
    section.add(Table(["country"] + [label for _, label in columns],
                      [[facts.country_name(c)] + [str(facts.countries[c][key]) for key, _ in columns] for c in codes],
                      numeric=tuple(range(1, len(columns) + 1)), widths=(1.6,) + (1,) * len(columns)))
    total = sum(int(facts.countries[c]["measures"]) for c in codes)
    section.add(Paragraph(S.sentence(f"{S.count(total, 'support measure')} {S.verb(total, 'is', 'are')} recorded "
                                     f"for the {S.count(len(codes), 'country', 'countries')} of origin")))
    section.add(provenance(facts))
    return section


def coverage(facts: Facts, codes: list[str]) -> Section:
    section = Section("coverage", "Coverage side by side", queries=["coverage-matrix"],
                      explanation="Measures per dimension × level cell in each country, on one colour scale. A "
                                  "measure covering several dimensions or levels counts in each of its cells.")
    rows = facts.named("coverage-matrix")
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    cell = {(r["country"], r["dimension"], r["level"]): int(r["measures"]) for r in rows}
    panels = [(facts.country_name(c), [[cell.get((c, d, lv), 0) for lv in levels] for d in dims]) for c in codes]
    dim_labels = [facts.label(DIM, d) for d in dims]
    level_labels = [facts.label(LVL, lv) for lv in levels]
    table = Table(["dimension", "level"] + [facts.country_name(c) for c in codes],
                  [[facts.label(DIM, d), facts.label(LVL, lv)] + [str(cell.get((c, d, lv), 0)) for c in codes]
                   for d in dims for lv in levels],
                  numeric=tuple(range(2, 2 + len(codes))), widths=(2.2, 1.3) + (1,) * len(codes))
    section.add(Chart("coverage-heatmaps", "Support measures by dimension and level, per country",
                      "Heatmaps of measures per dimension and level, one per country, on a shared colour scale.",
                      lambda: charts.heatmaps(panels, dim_labels, level_labels), table))
    for code in codes:
        ordered = [r for d in dims for lv in levels for r in rows
                   if r["country"] == code and r["dimension"] == d and r["level"] == lv]
        text = S.coverage_sentence(ordered, lambda c: facts.label(DIM, c), lambda c: facts.label(LVL, c))
        section.add(Paragraph(f"{facts.country_name(code)}: {text}"))
    return section


def shared_gaps(facts: Facts, codes: list[str]) -> tuple[Section, list[list]]:
    section = Section("shared-gaps", "Gaps shared by several countries",
                      queries=["empty-and-thin-cells", "phase-coverage", "target-group-coverage",
                               "countries-without-reintegration-policy"],
                      explanation="A gap is listed when it is found in two or more countries: a dimension × level "
                                  "cell that is empty or thin, a migration-cycle phase or a target group no "
                                  "measure addresses, or no policy in force that addresses reintegration.")
    gaps: dict[tuple, set] = defaultdict(set)
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    order = {(d, lv): i for i, (d, lv) in enumerate((d, lv) for d in dims for lv in levels)}
    for r in facts.named("empty-and-thin-cells"):
        if r["country"] not in codes:
            continue
        subject = f"{facts.label(DIM, r['dimension'])} support at {facts.label(LVL, r['level'])} level"
        for key, words in S.CELL_FLAGS:
            if r.get(key):
                gaps[(0, order.get((r["dimension"], r["level"]), 99), subject, words)].add(r["country"])
    phase_codes = facts.codes(PHASE)
    for r in facts.named("phase-coverage"):
        if r["country"] in codes and r["phase"] in phase_codes and int(r["measures"]) == 0:
            gaps[(1, phase_codes.index(r["phase"]), f"the {facts.label(PHASE, r['phase'])} phase",
                  "no measure")].add(r["country"])
    targeted: dict[tuple[str, str], int] = defaultdict(int)
    groups = set()
    for r in facts.named("target-group-coverage"):
        groups.add(r["target_group"])
        targeted[(r["country"], r["target_group"])] += int(r["measures"])
    group_codes = facts.order(TG, groups)
    for code in codes:
        for group in group_codes:
            if targeted[(code, group)] == 0:
                gaps[(2, group_codes.index(group), facts.label(TG, group), "no measure aimed at them")].add(code)
    for r in facts.named("countries-without-reintegration-policy"):
        if r["country"] in codes:
            gaps[(3, 0, "reintegration policy", "no policy in force that addresses reintegration")].add(r["country"])
    shared = sorted(((k, v) for k, v in gaps.items() if len(v) >= 2), key=lambda kv: (-len(kv[1]), kv[0]))
    if not shared:
        section.add(Paragraph("No gap is found in two or more countries."))
        return section, []
    section.add(Paragraph(S.sentence(f"{S.count(len(shared), 'gap')} {S.verb(len(shared), 'is', 'are')} found in "
                                     f"two or more countries; {sum(1 for _, v in shared if len(v) == len(codes))} "
                                     f"in all {len(codes)}")))
    rows = [[S.capitalise(subject), words, len(countries), S.join(facts.country_name(c) for c in codes
                                                                   if c in countries)]
            for (_, _, subject, words), countries in shared]
    section.add(Table(["what", "gap", "countries", "where"], [[a, b, str(c), d] for a, b, c, d in rows],
                      numeric=(2,), widths=(2.6, 2.6, 0.9, 3.4)))
    return section, rows


def balance(facts: Facts, codes: list[str]) -> Section:
    section = Section("balance", "Balance side by side", queries=["dimension-balance", "phase-coverage"],
                      explanation="The share of each country's measures by dimension and by level (a measure "
                                  "covering two dimensions counts in both), and measures by phase.")
    rows = facts.named("dimension-balance")
    share = {(r["country"], r["facet"], r["value"]): float(r["share"]) for r in rows}
    for facet, scheme, title in (("dimension", DIM, "Share of measures by dimension"),
                                 ("level", LVL, "Share of measures by level")):
        values = facts.codes(scheme)
        series = [(facts.country_name(c), [share.get((c, facet, v), 0.0) for v in values]) for c in codes]
        groups = [facts.label(scheme, v) for v in values]
        section.add(Chart(f"{facet}-balance-chart", title, f"Grouped bar chart: {title.lower()}, per country.",
                          lambda groups=groups, series=series: charts.grouped_bars(groups, series,
                                                                                  "share of measures (%)"),
                          Table([facet] + [facts.country_name(c) for c in codes],
                                [[groups[i]] + [S.percent(share.get((c, facet, v), 0)) for c in codes]
                                 for i, v in enumerate(values)],
                                numeric=tuple(range(1, len(codes) + 1)), widths=(2.2,) + (1,) * len(codes))))
    for code in codes:
        mine = [r for r in rows if r["country"] == code]
        dimensions = S.balance_sentence(mine, "dimension", lambda c: facts.label(DIM, c), facts.codes(DIM))
        levels = S.balance_sentence(mine, "level", lambda c: facts.label(LVL, c), facts.codes(LVL))
        section.add(Paragraph(f"{facts.country_name(code)}: {dimensions} {levels}"))
    phases = facts.named("phase-coverage")
    count = {(r["country"], r["phase"]): int(r["measures"]) for r in phases}
    phase_codes = facts.codes(PHASE) + sorted({r["phase"] for r in phases} - set(facts.codes(PHASE)))
    section.add(Table(["phase"] + [facts.country_name(c) for c in codes],
                      [[facts.label(PHASE, p) if p in facts.codes(PHASE) else "no phase recorded"]
                       + [str(count.get((c, p), 0)) for c in codes] for p in phase_codes],
                      numeric=tuple(range(1, len(codes) + 1)), caption="Measures by migration-cycle phase",
                      widths=(2.2,) + (1,) * len(codes)))
    return section


def policies_and_risks(facts: Facts, codes: list[str]) -> Section:
    ending_by = facts.default("sustainability-risk", "ending_by")
    section = Section("policies-and-risks", "Policies and sustainability side by side",
                      queries=["policy-implementation", "policies-without-measures", "sustainability-risk"],
                      explanation=f"Policies addressing reintegration and whether a measure implements them; "
                                  f"measures whose continuity is at risk (no State actor, funding only from "
                                  f"outside the State, ended, a recorded end in {ending_by} or earlier, pilot).")
    implementation = facts.named("policy-implementation")
    without = facts.named("policies-without-measures")
    risk = facts.named("sustainability-risk")
    rows = []
    for code in codes:
        mine = [r for r in risk if r["country"] == code]
        counts = S.risk_counts(mine)
        rows.append([facts.country_name(code),
                     str(sum(1 for r in implementation if r["country"] == code)),
                     str(sum(1 for r in without if r["country"] == code)),
                     str(len(mine))] + [str(counts[key]) for key, _, _ in S.RISK_FLAGS])
    section.add(Table(["country", "policies addressing reintegration", "with no implementing measure",
                       "measures at risk", "no State actor", "external funding only", "ended",
                       f"ending by {ending_by}", "pilot"], rows, numeric=tuple(range(1, 9)),
                      widths=(1.6, 1.3, 1.3, 1, 1, 1, 0.8, 1, 0.7)))
    for code in codes:
        section.add(Paragraph(f"{facts.country_name(code)}: "
                              f"{S.risk_sentence([r for r in risk if r['country'] == code], ending_by)}"))
    return section


def actors(facts: Facts, codes: list[str]) -> Section:
    section = Section("actors-across-countries", "Actors active in several countries",
                      queries=["actors-across-countries", "coordination-bodies", "who-funds-whom"],
                      explanation="Actors that take part in measures in two or more countries, with the number "
                                  "of their measures and their roles in each.")
    rows = facts.named("actors-across-countries")
    by_actor: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        by_actor[(-int(r["countries"]), r["name"], r["actor"])][r["country"]] = r
    shown = [c for c in codes] + sorted({r["country"] for r in rows} - set(codes))
    if not by_actor:
        section.add(Paragraph("No actor takes part in measures in more than one country."))
    else:
        section.add(Paragraph(S.sentence(f"{S.count(len(by_actor), 'actor')} "
                                         f"{S.verb(len(by_actor), 'takes', 'take')} part in measures in two or more "
                                         f"countries: {S.join(name for _, name, _ in sorted(by_actor))}")))
        table_rows = []
        for (negative, name, _), per_country in sorted(by_actor.items()):
            cells = []
            for code in shown:
                found = per_country.get(code)
                roles = [facts.label("roleScheme", x) for x in facts.order("roleScheme", found["roles"])] if found else []
                cells.append(f"{found['measures']} ({', '.join(roles)})" if found else "")
            table_rows.append([name, str(-negative)] + cells)
        section.add(Table(["actor", "countries"] + [facts.country_name(c) if c in facts.countries else c
                                                    for c in shown], table_rows,
                          numeric=(1,), caption="Measures (and roles) of each actor, by country",
                          widths=(2.2, 0.9) + (1.4,) * len(shown)))
    bodies = facts.named("coordination-bodies")
    funding = facts.named("who-funds-whom")
    section.add(Table(["country", "coordination bodies", "funder → implementer links"],
                      [[facts.country_name(c), str(sum(1 for r in bodies if r["country"] == c)),
                        str(sum(1 for r in funding if r["country"] == c and r["implementer"]))] for c in codes],
                      numeric=(1, 2), widths=(2, 1.5, 1.5)))
    return section


def regional_findings(facts: Facts) -> Section:
    section = Section("findings", "Regional findings and recommendations",
                      queries=["findings", "recommendations (report)", "record-sources (report)"],
                      explanation="The assessment's findings and recommendations on the region as a whole "
                                  "(scope regional, no single country), each with the passage it is taken from.")
    rows = [r for r in facts.named("findings") if r["country"] == REGIONAL]
    recommendations = [r for r in facts.own("recommendations") if r["country"] == REGIONAL]
    section.add(Paragraph(S.findings_sentence(rows, len(recommendations),
                                              lambda k: facts.label("findingKindScheme", k),
                                              facts.codes("findingKindScheme"), "for the region as a whole")))
    entries = finding_entries(facts, rows, None, "the region")
    if entries:
        section.sub(Section("regional-findings", "Findings")).add(*entries)
    entries = recommendation_entries(facts, recommendations, None)
    if entries:
        section.sub(Section("regional-recommendations", "Recommendations")).add(*entries)
    return section


def regional_report(facts: Facts) -> Report:
    codes = sorted(facts.countries)
    has_data = any(int(facts.countries[c]["measures"]) for c in codes)
    sections = [summary(facts, codes)]
    if not has_data:
        sections[0].add(Paragraph("No support measure is recorded for any country of origin in this data version."))
    sections += [coverage(facts, codes), shared_gaps(facts, codes)[0], balance(facts, codes),
                 policies_and_risks(facts, codes), actors(facts, codes), regional_findings(facts)]
    return Report("regional", REGIONAL, "Reintegration support in South Asia: the countries side by side",
                  facts.version, documents(facts), sections, has_data)
