"""The country report: what the graph holds on one country of origin, key messages first."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from ..graph.evidence import CURRENT
from . import charts
from . import sentences as S
from .common import (
    citations,
    cited_documents,
    completeness_table,
    documents,
    findings_section,
    gap_table,
    glossary_section,
    method_section,
    reader_reason,
    recommendations_section,
    sparse_fields,
)
from .facts import ENDED, Facts
from .gaps import CountryData, Gap, cells_subject, country_gaps, key_messages, merged_headline, rule_sentence
from .model import Chart, Entry, HeatCell, Heatmap, Item, Items, Message, Paragraph, Report, Section, Table

DIM, LVL, PHASE, TG = "dimensionScheme", "levelScheme", "phaseScheme", "targetGroupScheme"
OVERLAP_ROWS = 10
NETWORK_ACTORS = 14
PDF_CELL_NAMES = 9  # names a heatmap cell lists in full in the PDF; the rest are counted
TYPE_GROUP = {
    "un-agency": "international", "international-organisation": "international",
    "international-financial-institution": "international", "regional-body": "international",
    "donor-government": "donor", "development-agency": "donor", "philanthropic-foundation": "donor",
    "ngo": "civil", "international-ngo": "civil", "trade-union": "civil", "returnee-network": "civil",
    "faith-based-organisation": "civil", "academic": "civil", "private-sector": "private", "bank": "private",
}


def yes(value) -> str:
    return "yes" if value else ""


def current_on(measure: dict, year: int) -> bool:
    """Current on the report's date, as sustainability-risk judges it: not ended, and no recorded end
    before the reference year."""
    end = str(measure.get("end") or "")
    return measure["status"] not in ENDED and not (end[:4].isdigit() and int(end[:4]) < year)


# ---------------------------------------------------------------- sections

def key_messages_section(facts: Facts, gaps: list[Gap], name: str) -> Section:
    section = Section("key-messages", f"Key messages: the gaps that matter most in {name}", new_page=True,
                      queries=["empty-and-thin-cells", "target-group-coverage", "findings", "rkg.graph.evidence",
                               "recommendations (report)", "recommendation-actors (report)"])
    chosen = key_messages(gaps)
    if not chosen:
        section.add(Paragraph(S.sentence(f"no gap in {name} reaches the points a key message needs (the rule is "
                                         "below); the full list of gaps follows")))
    told: dict[str, int] = {}  # finding -> the key message that first cites it
    for number, group in enumerate(chosen, start=1):
        gap = group[0]
        answers = list({a.title: a for g in group for a in g.answers}.values())
        answer = "; ".join(f"{a.title}" + (f" (section {a.section})" if a.section else "") for a in answers[:3])
        if len(answers) > 3:
            answer += f"; and {len(answers) - 3} more (in the table of gaps)"
        who = list(dict.fromkeys(w for g in group for w in g.who))
        headline, evidence = merged_headline(group, facts), gap.evidence
        if len(group) > 1:
            evidence = evidence.replace("covers it", "covers any of them" if "empty" in gap.earned else "covers them") \
                .replace("; it hangs on", "; they hang on")
            if not headline.startswith(S.capitalise(cells_subject(group, facts))):
                evidence = S.capitalise(cells_subject(group, facts)) + ": " + \
                    evidence.replace("A single current programme covers them: ", "each has a single current programme, ")
        findings = list({f["finding"]: f for g in group for f in g.findings}.values())
        supported = [f for f in findings if f["verdict"] == "supported"]
        if gap.kind != "finding" and supported:
            new = [f for f in supported if f["finding"] not in told]
            again = sorted({told[f["finding"]] for f in supported if f["finding"] in told})
            see = f"key {S.plural(len(again), 'message')} {S.join(map(str, again))}"
            if new:
                evidence += " The assessment says so too, and the data supports it: " + S.join(
                    f"“{f.get('name') or S.shorten(f['statement'], 60)}”" for f in new) + \
                    (f"; see also {see}." if again else ".")
            elif again:
                evidence += f" The assessment says so too (see {see})."
            for f in new:
                told[f["finding"]] = number
        elif gap.kind == "finding":
            evidence += f" The data supports it: {reader_reason(gap.findings[0], facts)}."
        section.add(Message(number, f"key-message-{number}", headline, evidence,
                            answer or "No recommendation of the assessment answers it.",
                            ", ".join(who) if who else ("The sources name no one responsible." if answer else "")))
    told_gaps = sum(len(g) for g in chosen)
    section.add(Paragraph(rule_sentence() + f" {told_gaps} of the {len(gaps)} gaps in the table of gaps are "
                          "told here.", style="note"))
    return section


def numbers_section(facts: Facts, country: str, name: str, data: CountryData) -> tuple[Section, dict]:
    row = facts.countries[country]
    every = facts.own("measures", country=country)
    kinds = Counter(m["kind"] for m in every)
    dedicated = data.measures
    status = Counter("current" if m["status"] in CURRENT else "ended" if m["status"] in ENDED else m["status"]
                     for m in dedicated)
    actors = {a["actor"] for m in dedicated for a in data.actors.get(m["measure"], [])}
    findings = Counter(f["kind"] for f in data.findings)
    section = Section("numbers", "The numbers", new_page=True, queries=["measures (report)", "country-summary (report)",
                                                         "coverage-matrix", "field-completeness"],
                      explanation="The counting unit is the dedicated programme: a measure for migrant workers "
                                  "or returnees that is not a component of another; components and schemes for "
                                  "everyone that returnees can also use are listed in the appendix, not counted.")
    counts = [
        ("dedicated programmes", len(dedicated)),
        ("… current (ongoing, or status not given)", status["current"]),
        ("… ended", status["ended"]), ("… planned", status["planned"]),
        ("components of programmes (not counted)", kinds["component"]),
        ("schemes for everyone returnees can use (not counted)", kinds["general-population"]),
        ("actors taking part in the dedicated programmes", len(actors)),
        ("actors recorded as active in the country", row["actors"]),
        ("policies, acts and agreements", row["policies"]),
        ("… addressing reintegration", row["reintegration_policies"]),
        ("findings of the assessment on the country", sum(findings.values())),
        ("recommendations", len(data.recommendations)), ("figures", row["figures"])]
    section.add(Table(["recorded", "number"], [[k, str(v)] for k, v in counts], numeric=(1,), widths=(4, 1)))
    ordered = [r | {"current": int(r["ongoing"]) + int(r["status_unknown"])} for r in sorted(
        data.cells, key=lambda r: (facts.codes(DIM).index(r["dimension"]), facts.codes(LVL).index(r["level"])))]
    coverage_text = S.coverage_sentence(ordered, lambda c: facts.label(DIM, c), lambda c: facts.label(LVL, c))
    stated, total = data.stated("actors")
    without = sum(1 for m in dedicated if m["actor_sector"] == "non-state")
    state_text = S.state_actor_sentence(without, stated, total)
    section.add(Paragraph(coverage_text), Paragraph(state_text))
    if not dedicated:
        section.add(Paragraph(S.sentence(f"no dedicated programme is recorded for {name} in this data version, so "
                                         "the coverage, balance, risk and coordination sections are empty")))
    return section, {"coverage": coverage_text, "state": state_text, "actors": len(actors)}


def coverage_section(facts: Facts, country: str, name: str, data: CountryData, gaps: list[Gap]) -> Section:
    section = Section("coverage", "Coverage: dimension × level, programme by programme",
                      queries=["coverage-matrix", "empty-and-thin-cells", "measures (report)"])
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    by_id = {m["measure"]: m for m in data.measures}
    cell = {(r["dimension"], r["level"]): r for r in data.cells}
    thin = {(r["dimension"], r["level"]): r for r in data.thin}
    acronyms = {r["actor"]: r.get("acronym") for r in facts.own("actors")}

    def short(actor: dict) -> str:
        return acronyms.get(actor["actor"]) or actor["name"]

    cells = []
    for d in dims:
        row_cells = []
        for lv in levels:
            r = cell.get((d, lv)) or {"measure_ids": []}
            measures = sorted((by_id[m] for m in r["measure_ids"] if m in by_id), key=lambda m: m["name"])
            current = [m["name"] for m in measures if m["status"] in CURRENT]
            muted = [f"{m['name']} ({facts.label('measureStatusScheme', m['status'])})" for m in measures
                     if m["status"] not in CURRENT]
            flags = thin.get((d, lv)) or {}
            funders = sorted({short(a) for m in measures if m["status"] in CURRENT
                              for a in data.actors.get(m["measure"], []) if a["role"] == "funder"})
            paid = ""
            if flags.get("external_only"):
                paid = f"funded only by {funders[0]}" if len(funders) == 1 else "funded only from outside the State"
            if flags.get("empty"):
                note = "no current programme"
            elif flags.get("single_measure"):
                note = "hangs on one programme" + (f" and one actor: {flags['actor_names'][0]}"
                                                   if flags.get("single_actor") else "") + (f", {paid}" if paid else "")
            elif flags.get("single_actor"):
                note = f"hangs on one actor: {flags['actor_names'][0]}" + (f"; {paid}" if paid else "")
            else:
                note = paid
            row_cells.append(HeatCell(len(current), current, note, muted, max(0, len(current) - PDF_CELL_NAMES)))
        cells.append(row_cells)
    placed = {m for r in data.cells for m in r["measure_ids"]}
    unplaced = [m for m in data.measures if m["measure"] not in placed]
    caption = ("Number and colour: the current dedicated programmes of each cell (ongoing, or whose status the "
               "sources do not give), named in the cell; ended and planned ones are named in grey and not counted. "
               "A programme covering several dimensions or levels is in each of its cells. Components of "
               "programmes and schemes for everyone are not counted. Thin cells say who they hang on.")
    if unplaced:
        caption += (f" {len(unplaced)} of the {len(data.measures)} programmes state no dimension or no level and "
                    "are in no cell.")
    section.add(Heatmap("coverage-heatmap", f"Programmes in {name} by dimension and level", caption,
                        [S.capitalise(facts.label(DIM, d)) for d in dims],
                        [S.capitalise(facts.label(LVL, lv)) + " level" for lv in levels], cells,
                        corner="dimension \\ level"))
    ordered = [cell[(d, lv)] for d in dims for lv in levels if (d, lv) in cell]
    section.add(Table(["dimension", "level", "all", "ongoing", "planned", "ended", "status not given",
                       "State actor", "no State actor", "actors not stated"],
                      [[facts.label(DIM, r["dimension"]), facts.label(LVL, r["level"])]
                       + [str(r[k]) for k in ("measures", "ongoing", "planned", "ended", "status_unknown",
                                              "state", "non_state", "actor_not_stated")] for r in ordered],
                      numeric=tuple(range(2, 10)), widths=(2.2, 1.3, 0.7, 0.9, 0.9, 0.8, 1, 0.9, 0.9, 1),
                      caption="The numbers of the heatmap: every dedicated programme of each cell, by status and "
                              "by whether a State actor takes part (where the sources state its actors)"))
    cell_gaps = [g for g in gaps if g.kind == "cell"]
    sub = section.sub(Section("empty-and-thin-cells", "Empty and thin cells", queries=["empty-and-thin-cells"],
                              explanation="A cell is empty when no current programme covers it, and thin when one "
                                          "programme or one actor does, or when all its current programmes are "
                                          "funded only from outside the State (said only where every one of them "
                                          "states its actors or funders)."))
    if cell_gaps:
        sub.add(Items([Item(g.title, g.brief or g.evidence, "", g.key) for g in sorted(cell_gaps, key=lambda g: g.order)]))
    else:
        sub.add(Paragraph(S.sentence(f"none of the {len(ordered)} dimension × level cells is empty or thin")))
    return section


def balance_section(facts: Facts, country: str, name: str, data: CountryData) -> tuple[Section, dict]:
    section = Section("balance", "Who and what the programmes reach",
                      explanation="The share of programmes by dimension and level, the migration-cycle phases "
                                  "they act in and the target groups they are aimed at. Phase and target group "
                                  "are stated for few programmes: each count is among those that state them.")
    rows = facts.named("dimension-balance", country=country)
    panels = []
    for facet, scheme, title in (("dimension", DIM, "Dimensions"), ("level", LVL, "Levels")):
        facet_rows = {r["value"]: r for r in rows if r["facet"] == facet}
        codes = [c for c in facts.codes(scheme) if c in facet_rows]
        panels.append((title, [facts.label(scheme, c) for c in codes], [float(facet_rows[c]["share"]) for c in codes]))
    dim_text = S.balance_sentence(rows, "dimension", lambda c: facts.label(DIM, c), facts.codes(DIM))
    level_text = S.balance_sentence(rows, "level", lambda c: facts.label(LVL, c), facts.codes(LVL))
    sub = section.sub(Section("dimension-balance", "Dimensions and levels", queries=["dimension-balance"]))
    sub.add(Paragraph(dim_text), Paragraph(level_text))
    sub.add(Chart("balance-chart", f"Share of programmes by dimension and by level in {name}",
                  f"Bar charts of the share of programmes by dimension and level. {dim_text} {level_text}",
                  lambda: charts.bars(panels, "share of programmes (%)", percent=True),
                  Table(["facet", "value", "programmes", "of", "share"],
                        [[r["facet"], facts.label(DIM if r["facet"] == "dimension" else LVL, r["value"]),
                          str(r["measures"]), str(r["total"]), S.percent(r["share"])]
                         for facet, scheme in (("dimension", DIM), ("level", LVL))
                         for c in facts.codes(scheme) for r in rows if r["facet"] == facet and r["value"] == c],
                        numeric=(2, 3, 4)), width=80))

    phases = facts.named("phase-coverage", country=country)
    by_phase = {r["phase"]: r for r in phases}
    phase_codes = [c for c in facts.codes(PHASE) if c in by_phase]
    ordered = [by_phase[c] for c in phase_codes]
    phase_text = S.phase_sentence(ordered + [r for r in phases if r["phase"] not in phase_codes],
                                  lambda c: facts.label(PHASE, c))
    stated_groups = [m for m in data.measures if m.get("target_groups")]
    group_counts = Counter(g for m in stated_groups for g in m["target_groups"])
    groups = facts.codes(TG)
    tg_text = S.target_group_sentence(group_counts, len(stated_groups), len(data.measures),
                                      lambda c: facts.label(TG, c), groups)
    sub = section.sub(Section("phases-and-groups", "Phases and target groups",
                              queries=["phase-coverage", "target-group-coverage", "measures (report)"]))
    sub.add(Paragraph(phase_text), Paragraph(tg_text))
    named = {g for f in data.findings for g in f.get("target_groups") or []} | \
        {g for r in data.recommendations for g in r.get("target_groups") or []}
    shown_groups = [g for g in groups if group_counts.get(g)]
    listed_groups = [g for g in groups if group_counts.get(g) or g in named]
    phase_panel = ("Phases", [facts.label(PHASE, r["phase"]) for r in ordered], [int(r["measures"]) for r in ordered])
    group_panel = ("Target groups", [facts.label(TG, g) for g in shown_groups], [group_counts[g] for g in shown_groups])
    stated_phase = int(ordered[0]["stated"]) if ordered else 0
    sub.add(Chart("phase-group-chart", f"Programmes by phase and by target group in {name}",
                  f"Bar charts of programmes by phase and by target group. {phase_text} {tg_text}",
                  lambda: charts.bars([phase_panel, group_panel] if shown_groups else [phase_panel], "programmes"),
                  Table(["", "programmes", "of those that state it"],
                        [[facts.label(PHASE, r["phase"]), str(r["measures"]), str(stated_phase)] for r in ordered]
                        + [[facts.label(TG, g), str(group_counts.get(g, 0)), str(len(stated_groups))]
                           for g in listed_groups],
                        numeric=(1, 2), widths=(3, 1, 1.4),
                        caption=f"Phases: {stated_phase} of {len(data.measures)} programmes state one; target groups "
                                f"(those with a programme, and those the assessment names): {len(stated_groups)} of "
                                f"{len(data.measures)} state one"), width=90))
    return section, {"dimension": dim_text, "level": level_text, "phase": phase_text, "target_groups": tg_text}


def policies_section(facts: Facts, country: str, name: str) -> Section:
    section = Section("policies", "Policies and their implementation",
                      queries=["policy-implementation", "policies-without-measures",
                               "countries-without-reintegration-policy"],
                      explanation="Policies, acts and agreements the sources record as addressing the return "
                                  "or reintegration of migrant workers, the agencies they designate, and the "
                                  "programmes recorded as implementing them.")
    implementation = facts.named("policy-implementation", country=country)
    without = facts.named("policies-without-measures", country=country)
    in_force = S.policy_in_force_sentence(facts.named("countries-without-reintegration-policy"), country, name)
    section.add(Paragraph(in_force), Paragraph(S.policy_sentence(implementation, without, name)))
    if implementation:
        section.add(Table(["policy", "kind", "status", "year", "designated agencies", "implementing measures"],
                          [[r["name"], facts.label("policyKindScheme", r["kind"]),
                            facts.label("policyStatusScheme", r["status"]), str(r.get("year") or ""),
                            "; ".join(r["agencies"]), f"{r['measures']}: " + "; ".join(r["implementing_measures"])
                            if r["measures"] else "0"] for r in implementation],
                          widths=(3, 1.1, 1, 0.7, 2.4, 3.2), small=True))
    return section


def risks_section(facts: Facts, country: str, name: str, data: CountryData) -> Section:
    within = int(facts.default("sustainability-risk", "within_years") or 2)
    as_of = facts.as_of
    section = Section("sustainability", "Sustainability risks",
                      queries=["sustainability-risk", "measures (report)"],
                      explanation=f"Current programmes on the report's date, {facts.date_text}, whose continuity is "
                                  f"at risk: no State actor takes part in them (only where their actors are "
                                  f"stated), they are funded only from outside the State (only where their "
                                  f"funders are stated), their recorded end falls by {as_of.year + within}, or "
                                  f"the sources call them pilots. Ended programmes are history, not risks.")
    rows = facts.named("sustainability-risk", country=country, as_of=as_of.isoformat())
    current = [m for m in data.measures if current_on(m, as_of.year)]
    text = S.risk_sentence(rows, len(current), sum(1 for m in current if m["actor_sector"] != "not stated"),
                           sum(1 for m in current if m["funder_sector"] != "not stated"), facts.date_text,
                           as_of.year + within)
    section.add(Paragraph(text))
    sector = {"state": "State", "non-state": "not the State", "not stated": "not stated"}
    if rows:
        section.add(Table(["programme", "status", "end", "actors", "funders", "no State actor",
                           "external funding only", f"ends by {as_of.year + within}", "pilot"],
                          [[r["name"], facts.label("measureStatusScheme", r["status"]), str(r.get("end") or ""),
                            sector[r["actor_sector"] or "not stated"],
                            sector[r["funder_sector"] or "not stated"], yes(r["no_state_actor"]),
                            yes(r["external_funding_only"]), yes(r["ending"]), yes(r["pilot"])] for r in rows],
                          widths=(3.6, 1, 0.7, 1, 1, 0.9, 0.9, 0.8, 0.6), small=True))
    return section


def type_group(row: dict | None) -> str:
    if not row:
        return "other"
    if row.get("state") is True:
        return "state"
    return TYPE_GROUP.get(row.get("type") or "", "other")


def coordination_section(facts: Facts, country: str, name: str, data: CountryData) -> tuple[Section, dict]:
    section = Section("coordination", "Coordination",
                      explanation="Who runs programmes together, who overlaps, who funds whom and which "
                                  "coordination bodies exist.")
    said = {}
    actors = {r["actor"]: r for r in facts.own("actors")}
    programmes: dict[str, set] = defaultdict(set)
    for m in data.measures:
        for a in data.actors.get(m["measure"], []):
            programmes[a["actor"]].add(m["measure"])
    ranked = sorted(programmes, key=lambda a: (-len(programmes[a]), (actors.get(a) or {}).get("name", a), a))
    shown = ranked[:NETWORK_ACTORS]
    pairs = {(u, v): len(programmes[u] & programmes[v]) for u, v in combinations(sorted(programmes), 2)
             if programmes[u] & programmes[v]}
    edges = [(u, v, w) for (u, v), w in pairs.items() if u in shown and v in shown]
    group_order = [key for key, _, _ in charts.TYPE_GROUPS]
    circle = sorted(shown, key=lambda a: (group_order.index(type_group(actors.get(a))), -len(programmes[a]),
                                          (actors.get(a) or {}).get("name", a)))

    def label(actor: str) -> str:
        row = actors.get(actor) or {}
        return row.get("acronym") or row.get("name") or actor

    others = {a["actor"] for rows in data.actors.values() for a in rows} - set(programmes)
    text = S.network_sentence(len(programmes), len(pairs), len(shown), int(facts.countries[country]["actors"]),
                              len(others), name)
    said["network"] = text
    sub = section.sub(Section("actor-network", "Who runs programmes together",
                              queries=["measure-actors (report)", "actors (report)"],
                              explanation=f"The {len(shown)} actors taking part in the most dedicated programmes, "
                                          "by type. A line joins two actors that run a programme together, "
                                          "thicker for more; a dot is larger for more programmes."))
    sub.add(Paragraph(text))
    if shown:
        nodes = [(a, label(a), type_group(actors.get(a)), len(programmes[a])) for a in circle]
        partners = {a: sum(1 for (u, v) in pairs if a in (u, v) and (u in shown and v in shown)) for a in shown}
        sub.add(Chart("actor-network-chart", f"The actors of {name} with the most programmes",
                      f"Network diagram of the {len(shown)} actors of {name} with the most programmes. {text}",
                      lambda: charts.network(nodes, edges),
                      Table(["in the chart", "full name", "type", "programmes", "partners in the chart"],
                            [[label(a), (actors.get(a) or {}).get("name", a),
                              facts.label("actorTypeScheme", (actors.get(a) or {}).get("type")),
                              str(len(programmes[a])), str(partners[a])] for a in shown],
                            numeric=(3, 4), widths=(1.4, 3.1, 1.8, 1.15, 1.05),
                            caption="The actors in the chart, by number of programmes"), width=85))

    overlap = facts.named("overlapping-actors", country=country)
    sub = section.sub(Section("overlapping-actors", "Overlapping actors", queries=["overlapping-actors"],
                              explanation="Pairs of actors that work in the same dimension × level cells, ranked so "
                                          "that the pairs to call first come first: 3 points per programme they "
                                          "run together, 2 per place and 1 per target group their programmes "
                                          "share, plus the overlap of their cells (0 to 1). “Related” marks an "
                                          "agency and the government it acts for."))
    sub.add(Paragraph(S.overlap_sentence(overlap, min(OVERLAP_ROWS, len(overlap)))))
    if overlap:
        sub.add(Table(["actor", "actor", "score", "run together", "shared places", "shared groups", "cell overlap",
                       "related"],
                      [[r["name_a"], r["name_b"], S.number(r["score"]), str(r["joint_measures"]),
                        str(r["shared_places"]), str(r["shared_target_groups"]), S.number(r["cell_overlap"]),
                        yes(r["related"])] for r in overlap[:OVERLAP_ROWS]],
                      numeric=(2, 3, 4, 5, 6), widths=(2.6, 2.6, 0.8, 0.9, 0.9, 0.9, 0.9, 0.7), small=True))

    funding = facts.named("who-funds-whom", country=country)
    sub = section.sub(Section("who-funds-whom", "Who funds whom", queries=["who-funds-whom"]))
    sub.add(Paragraph(S.funding_sentence(funding)))
    if funding:
        sub.add(Table(["funder", "implementer", "measures", "measure names"],
                      [[r["funder_name"], r["implementer_name"] or "not named in the sources", str(r["measures"]),
                         "; ".join(r["measure_names"])]
                       for r in funding], numeric=(2,), widths=(2, 2, 0.8, 4), small=True))

    bodies = facts.named("coordination-bodies", country=country)
    sub = section.sub(Section("coordination-bodies", "Coordination bodies",
                              queries=["coordination-bodies", "actors-outside-coordination"]))
    sub.add(Paragraph(S.bodies_sentence(bodies, name)))
    if bodies:
        sub.add(Table(["body", "head", "members", "member names"],
                      [[r["name"], r.get("head") or "", str(r["members"]), "; ".join(r["member_names"])]
                       for r in bodies], numeric=(2,), widths=(3, 2, 0.8, 4), small=True))
    outside = facts.named("actors-outside-coordination", country=country)
    outside_text = S.outside_sentence(outside)
    if outside:
        most = sorted(outside, key=lambda r: (-int(r["measures"]), r["name"]))[:8]
        outside_text += " Those in the most measures: " + S.join(f"{r['name']} ({r['measures']})" for r in most) + "."
    sub.add(Paragraph(outside_text))
    return section, said


def appendix_section(facts: Facts, country: str, name: str) -> Section:
    section = Section("appendix", "Appendix: every measure",
                      queries=["measures (report)", "measure-actors (report)", "record-sources (report)"],
                      explanation=f"Every support measure recorded for {name}: dedicated programmes, components "
                                  "and schemes for everyone, with their actors by role and the passages of the "
                                  "sources they are taken from.")
    measures = facts.own("measures", country=country)
    roles: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in facts.own("measure-actors", country=country):
        roles[r["measure"]][r["role"]].append(r["name"])
    sources = citations(facts, country, "measure")
    kinds = {"dedicated": "dedicated programme", "component": "component of a programme",
             "general-population": "scheme for everyone"}
    if not measures:
        section.add(Paragraph(S.sentence(f"no support measure is recorded for {name}")))
    for r in measures:
        dates = " to ".join(str(d) for d in (r.get("start"), r.get("end")) if d)
        status = facts.label("measureStatusScheme", r["status"]) + (f" ({dates})" if dates else "") \
            + ("; pilot" if r.get("pilot") else "")
        actor_text = "; ".join(f"{facts.label('roleScheme', role)}: {', '.join(sorted(set(roles[r['measure']][role])))}"
                               for role in facts.order("roleScheme", roles[r["measure"]].keys()))
        fields = [("counted as", kinds.get(r["kind"], r["kind"])), ("status", status),
                  ("types", facts.labels("measureTypeScheme", r["types"])),
                  ("dimensions · levels", f"{facts.labels(DIM, r['dimensions']) or 'not stated'} · "
                                          f"{facts.labels(LVL, r['levels']) or 'not stated'}"),
                  ("target groups · phases", f"{facts.labels(TG, r['target_groups']) or 'not stated'} · "
                                             f"{facts.labels(PHASE, r['phases']) or 'not stated'}"),
                  ("actors", actor_text or "not stated")]
        section.add(Entry(f"measure-{r['measure']}", r["name"], "", fields, sources.get(r["measure"], [])))
    return section


def country_report(facts: Facts, country: str) -> Report:
    country = facts.check_country(country)
    name = facts.country_name(country)
    gaps, data = country_gaps(facts, country)
    numbers, said = numbers_section(facts, country, name, data)
    balance, _ = balance_section(facts, country, name, data)
    coordination, _ = coordination_section(facts, country, name, data)
    sections = [key_messages_section(facts, gaps, name), numbers,
                gap_table(gaps, data.recommendations, facts, f"for {name}"),
                coverage_section(facts, country, name, data, gaps), balance,
                policies_section(facts, country, name), risks_section(facts, country, name, data), coordination,
                findings_section(facts, data.findings, f"on {name}"),
                recommendations_section(facts, data.recommendations, data.responsible)]
    cited, records, single = cited_documents(facts, country)
    completeness = facts.named("field-completeness", country=country)
    counted = S.sentence(f"the counting unit is the dedicated programme: {S.count(len(data.measures), 'programme')} "
                         f"of {name}. A programme is current when it is ongoing or the sources do not give its "
                         "status (the gaps of the matrix); on the report's date when it has not ended and its "
                         "recorded end is not past (the sustainability risks)")
    sections.append(method_section(facts, sections, counted, completeness_table(completeness),
                                   sparse_fields(completeness), cited, records, single))
    sections.append(appendix_section(facts, country, name))
    report = Report("country", country, f"Reintegration support in {name}: gaps and coordination",
                    facts.version, documents(facts), sections, bool(data.measures), facts.as_of,
                    subtitle="A gap report from the Reintegration Knowledge Graph")
    report.sections.insert(len(report.sections) - 1, glossary_section(facts, report))
    return report
