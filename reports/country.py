"""The country report: what the graph holds on one country of origin, section by section."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from ..graph.network import actor_projection, bipartite_graph
from ..graph.network import metrics as network_metrics
from . import charts
from . import sentences as S
from .facts import Facts
from .model import Bullets, Chart, Citation, Document, Entry, Paragraph, Report, Section, Table

DIM, LVL, PHASE, TG = "dimensionScheme", "levelScheme", "phaseScheme", "targetGroupScheme"
OVERLAP_ROWS = 15
BROKER_ROWS = 10
# the sentences of the sections repeated in the summary
GLANCE = ("coverage", "dimension", "level", "phase", "in_force", "policies", "risks", "findings")


def documents(facts: Facts) -> list[Document]:
    return [Document(r["document"], r["title"], r.get("publisher") or "", r.get("issued") or "")
            for r in facts.own("documents")]


def provenance(facts: Facts) -> Paragraph:
    """The data version and the sources it is curated from, with their dates where recorded."""
    docs = documents(facts)
    listed = "; ".join(f"[{i}] {d.title}" + (f" ({', '.join(x for x in (d.publisher, d.issued) if x)})"
                                             if d.publisher or d.issued else "") for i, d in enumerate(docs, 1))
    return Paragraph(S.sentence(f"data version {facts.version}, curated from "
                                f"{S.count(len(docs), 'source document')}" + (f": {listed}" if docs else "")))


def citations(facts: Facts, country: str | None, kind: str) -> dict[str, list[Citation]]:
    """record id -> its source passages, citing documents by their number in the list of sources."""
    numbers = {d.id: i for i, d in enumerate(documents(facts), start=1)}
    found: dict[str, list[Citation]] = defaultdict(list)
    for r in facts.own("record-sources", country=country):
        if r["kind"] == kind:
            found[r["record"]].append(Citation(r.get("document_title") or r.get("document") or "",
                                               r.get("section") or "", r.get("quote") or "",
                                               numbers.get(r.get("document") or "", 0)))
    return found


def titles(facts: Facts) -> dict[str, str]:
    """record id -> its short title, for records that have one."""
    return {r["record"]: r["title"] for r in facts.own("record-sources") if r.get("title")}


def shorten(text: str, width: int = 90) -> str:
    """A statement cut at a word boundary, for cross-references."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def yes(value) -> str:
    return "yes" if value else ""


# ---------------------------------------------------------------- sections

def summary(facts: Facts, country: str, name: str) -> Section:
    row = facts.countries[country]
    section = Section("summary", "Summary", queries=["country-summary (report)", "documents (report)"],
                      explanation=f"What the Reintegration Knowledge Graph records for {name}. The report "
                                  "is dated by its data version: the same data gives the same report.")
    counts = [("support measures", row["measures"]), ("actors active in the country", row["actors"]),
              ("policies, acts and agreements", row["policies"]),
              ("of them addressing reintegration", row["reintegration_policies"]),
              ("findings of the assessment", row["findings"]), ("recommendations", row["recommendations"]),
              ("figures", row["figures"])]
    section.add(Table(["recorded", "number"], [[k, str(v)] for k, v in counts], numeric=(1,), widths=(3, 1)))
    section.add(provenance(facts))
    if not row["measures"]:
        section.add(Paragraph(S.sentence(f"no support measure is recorded for {name} in this data version, so "
                                         "the coverage, balance, risk and coordination sections below are "
                                         "empty")))
    return section


def coverage(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    section = Section("coverage", "Coverage: dimension × level", queries=["coverage-matrix", "empty-and-thin-cells"],
                      explanation="How many measures cover each cell of the assessment's matrix of three "
                                  "dimensions and three levels. A measure covering several dimensions or "
                                  "levels counts in each of its cells; measures with no recorded dimension "
                                  "or level are not counted.")
    rows = facts.named("coverage-matrix", country=country)
    dims, levels = facts.codes(DIM), facts.codes(LVL)
    cell = {(r["dimension"], r["level"]): r for r in rows}
    matrix = [[int(cell[(d, lv)]["measures"]) if (d, lv) in cell else 0 for lv in levels] for d in dims]
    dim_labels = [facts.label(DIM, d) for d in dims]
    level_labels = [facts.label(LVL, lv) for lv in levels]
    ordered = [cell[(d, lv)] for d in dims for lv in levels if (d, lv) in cell]
    coverage_text = S.coverage_sentence(ordered, lambda c: facts.label(DIM, c), lambda c: facts.label(LVL, c))
    table = Table(["dimension", "level", "measures", "ongoing", "planned", "ended", "status unknown",
                   "with a State actor", "without"],
                  [[facts.label(DIM, r["dimension"]), facts.label(LVL, r["level"])]
                   + [str(r[k]) for k in ("measures", "ongoing", "planned", "ended", "status_unknown",
                                          "state", "non_state")] for r in ordered],
                  numeric=tuple(range(2, 9)), widths=(2.2, 1.3, 1, 1, 1, 1, 1, 1.1, 1))
    section.add(Chart("coverage-heatmap", f"Support measures in {name} by dimension and level",
                      f"Heatmap of measures per dimension and level in {name}. {coverage_text}",
                      lambda: charts.heatmap(matrix, dim_labels, level_labels), table, width=70))
    section.add(Paragraph(coverage_text))
    section.add(Paragraph("“With a State actor”: a State actor leads, is accountable for or implements "
                          "the measure.", style="note"))

    thin = facts.named("empty-and-thin-cells", country=country)
    order = {(d, lv): i for i, (d, lv) in enumerate((d, lv) for d in dims for lv in levels)}
    thin.sort(key=lambda r: order.get((r["dimension"], r["level"]), 99))
    sub = section.sub(Section("empty-and-thin-cells", "Empty and thin cells", queries=["empty-and-thin-cells"],
                              explanation="A cell is empty when no current measure (ongoing or of unknown "
                                          "status) covers it, and thin when a single current measure or a single "
                                          "actor covers it, or when all its current measures are funded only "
                                          "from outside the State."))
    sub.add(Paragraph(S.thin_cells_summary(thin, len(ordered))))
    words = [S.thin_cell_sentence(r, lambda c: facts.label(DIM, c), lambda c: facts.label(LVL, c)) for r in thin]
    if words:
        sub.add(Bullets(words))
    return section, {"coverage": coverage_text}


def balance(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    section = Section("balance", "Balance: dimensions, levels, phases and target groups",
                      queries=["dimension-balance", "phase-coverage", "target-group-coverage"],
                      explanation="Where support concentrates and what it leaves out: the share of measures "
                                  "by dimension and by level, the migration-cycle phases measures act in and "
                                  "the target groups they are aimed at.")
    rows = facts.named("dimension-balance", country=country)
    panels = []
    for facet, scheme, title in (("dimension", DIM, "Dimensions"), ("level", LVL, "Levels")):
        facet_rows = {r["value"]: r for r in rows if r["facet"] == facet}
        codes = [c for c in facts.codes(scheme) if c in facet_rows]
        panels.append((title, [facts.label(scheme, c) for c in codes],
                       [float(facet_rows[c]["share"]) for c in codes]))
    dim_text = S.balance_sentence(rows, "dimension", lambda c: facts.label(DIM, c), facts.codes(DIM))
    level_text = S.balance_sentence(rows, "level", lambda c: facts.label(LVL, c), facts.codes(LVL))
    said = {"dimension": dim_text, "level": level_text}
    table = Table(["facet", "value", "measures", "of", "share"],
                  [[r["facet"], facts.label(DIM if r["facet"] == "dimension" else LVL, r["value"]), str(r["measures"]),
                    str(r["total"]), S.percent(r["share"])]
                   for facet, scheme in (("dimension", DIM), ("level", LVL))
                   for c in facts.codes(scheme) for r in rows if r["facet"] == facet and r["value"] == c],
                  numeric=(2, 3, 4))
    sub = section.sub(Section("dimension-balance", "Dimension and level balance", queries=["dimension-balance"]))
    sub.add(Chart("balance-chart", f"Share of measures by dimension and by level in {name}",
                  f"Bar charts of the share of measures by dimension and level. {dim_text} {level_text}",
                  lambda: charts.bars(panels, "share of measures", percent=True), table))
    sub.add(Paragraph(dim_text), Paragraph(level_text))

    phases = facts.named("phase-coverage", country=country)
    by_phase = {r["phase"]: r for r in phases}
    phase_codes = [c for c in facts.codes(PHASE) if c in by_phase]
    ordered = [by_phase[c] for c in phase_codes] + [r for r in phases if r["phase"] not in phase_codes]
    phase_text = S.phase_sentence(ordered, lambda c: facts.label(PHASE, c))
    said["phase"] = phase_text
    phase_labels = [facts.label(PHASE, r["phase"]) if r["phase"] in phase_codes else "no phase recorded"
                    for r in ordered]
    phase_values = [int(r["measures"]) for r in ordered]
    sub = section.sub(Section("phase-coverage", "Phase coverage", queries=["phase-coverage"]))
    sub.add(Chart("phase-chart", f"Measures by migration-cycle phase in {name}",
                  f"Bar chart of measures by phase. {phase_text}",
                  lambda: charts.bars([("Phases", phase_labels, phase_values)], "measures"),
                  Table(["phase", "measures"], [[a, str(b)] for a, b in zip(phase_labels, phase_values)],
                        numeric=(1,)), width=60))
    sub.add(Paragraph(phase_text))

    groups = facts.named("target-group-coverage", country=country)
    group_codes = facts.order(TG, {r["target_group"] for r in groups})
    dims = facts.order(DIM, {r["dimension"] for r in groups})
    table_counts = {(r["target_group"], r["dimension"]): int(r["measures"]) for r in groups}
    tg_text = S.target_group_sentence(groups, lambda c: facts.label(TG, c), lambda c: facts.label(DIM, c),
                                      group_codes, dims)
    said["target_groups"] = tg_text
    series = [(facts.label(DIM, d), [table_counts.get((g, d), 0) for g in group_codes]) for d in dims]
    tg_labels = [facts.label(TG, g) for g in group_codes]
    sub = section.sub(Section("target-group-coverage", "Target-group coverage", queries=["target-group-coverage"],
                              explanation="A measure aimed at a group counts once for each dimension it covers."))
    sub.add(Chart("target-group-chart", f"Measures aimed at each target group in {name}, by dimension",
                  f"Stacked bar chart of measures per target group and dimension. {tg_text}",
                  lambda: charts.stacked_bars(tg_labels, series, "measures (per dimension covered)"),
                  Table(["target group"] + [s for s, _ in series],
                        [[label] + [str(values[i]) for _, values in series] for i, label in enumerate(tg_labels)],
                        numeric=tuple(range(1, len(series) + 1)), widths=(3,) + (1,) * len(series))))
    sub.add(Paragraph(tg_text))
    return section, said


def policies(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    section = Section("policies", "Policy implementation",
                      queries=["policy-implementation", "policies-without-measures",
                               "countries-without-reintegration-policy"],
                      explanation="Policies, acts and agreements the sources record as addressing the return "
                                  "or reintegration of migrant workers, the agencies they designate, and the "
                                  "measures recorded as implementing them.")
    implementation = facts.named("policy-implementation", country=country)
    without = facts.named("policies-without-measures", country=country)
    in_force = S.policy_in_force_sentence(facts.named("countries-without-reintegration-policy"), country, name)
    text = S.policy_sentence(implementation, without, name)
    section.add(Paragraph(in_force), Paragraph(text))
    if implementation:
        section.add(Table(["policy", "kind", "status", "year", "designated agencies", "implementing measures"],
                          [[r["name"], facts.label("policyKindScheme", r["kind"]),
                            facts.label("policyStatusScheme", r["status"]), str(r.get("year") or ""),
                            r.get("agencies") or "", f"{r['measures']}: {r['implementing_measures']}"
                            if r["measures"] else "0"] for r in implementation],
                          widths=(3, 1.2, 1, 0.8, 2.4, 3.2)))
    return section, {"in_force": in_force, "policies": text}


def risks(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    ending_by = facts.default("sustainability-risk", "ending_by")
    section = Section("sustainability", "Sustainability risks", queries=["sustainability-risk"],
                      explanation=f"Measures whose continuity is at risk: no State actor in any role, funding "
                                  f"only from outside the State, ended (completed or defunct), a recorded end "
                                  f"in {ending_by} or earlier, or a pilot.")
    rows = facts.named("sustainability-risk", country=country)
    text = S.risk_sentence(rows, ending_by)
    section.add(Paragraph(text))
    if rows:
        section.add(Table(["measure", "status", "end", "no State actor", "external funding only", "ended",
                           f"ending by {ending_by}", "pilot"],
                          [[r["name"], facts.label("measureStatusScheme", r["status"]), str(r.get("end") or ""),
                            yes(r["no_state_actor"]), yes(r["external_funding_only"]), yes(r["ended"]),
                            yes(r["ending"]), yes(r["pilot"])] for r in rows],
                          widths=(4, 1.1, 0.8, 1, 1.1, 0.8, 1, 0.7)))
    return section, {"risks": text}


def coordination(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    section = Section("coordination", "Coordination",
                      explanation="Who works in the same cells, who funds whom, how the actors connect and "
                                  "which coordination bodies exist.")
    said = {}
    overlap = facts.named("overlapping-actors", country=country)
    text = S.overlap_sentence(overlap, min(OVERLAP_ROWS, len(overlap)))
    said["overlap"] = text
    sub = section.sub(Section("overlapping-actors", "Overlapping actors", queries=["overlapping-actors"],
                              explanation="Two actors overlap when their measures cover the same dimension x "
                                          "level cells; the score is the Jaccard index of their cells (shared "
                                          "cells / cells of either)."))
    sub.add(Paragraph(text))
    if overlap:
        sub.add(Table(["actor", "actor", "score", "shared cells", "cells of either", "joint measures",
                       "shared places", "shared target groups"],
                      [[r["name_a"], r["name_b"], S.number(r["score"]),
                        str(len([c for c in (r.get("shared_cells") or "").split("; ") if c])), str(r["cells"]),
                        str(r.get("joint_measures") or 0), str(r.get("shared_places") or 0),
                        str(r.get("shared_target_groups") or 0)] for r in overlap[:OVERLAP_ROWS]],
                      numeric=(2, 3, 4, 5, 6, 7), widths=(2.6, 2.6, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9)))

    funding = facts.named("who-funds-whom", country=country)
    text = S.funding_sentence(funding)
    said["funding"] = text
    sub = section.sub(Section("who-funds-whom", "Who funds whom", queries=["who-funds-whom"]))
    sub.add(Paragraph(text))
    if funding:
        sub.add(Table(["funder", "implementer", "measures", "measure names"],
                      [[r["funder_name"], r["implementer_name"] or "not named in the sources", str(r["measures"]),
                        r["measure_names"]]
                       for r in funding], numeric=(2,), widths=(2, 2, 0.8, 4)))

    sub = section.sub(Section("actor-network", "The actor network", queries=["rkg network (actor projection)"],
                              explanation="Actors are linked when they take part in the same measures or work in "
                                          "the same dimension × level cells; the link's weight adds both. Brokers "
                                          "lie on many of the shortest paths between other actors (betweenness)."))
    bipartite = bipartite_graph(facts.store, country)
    # (rkg.graph.network.network raises on a country with no actors: project only when there are some)
    projection = actor_projection(bipartite) if bipartite.number_of_nodes() else nx.Graph()
    graph = nx.Graph()
    for node in sorted(projection.nodes):
        graph.add_node(node, **projection.nodes[node])
    for u, v, data in sorted((min(u, v), max(u, v), d) for u, v, d in projection.edges(data=True)):
        graph.add_edge(u, v, **data)
    result = network_metrics(graph)
    actors = {r["actor"]: r for r in facts.own("actors")}

    def short(actor_id: str) -> str:
        row = actors.get(actor_id, {})
        label = row.get("acronym") or row.get("name") or actor_id
        return label if len(label) <= 28 else label[:26].rstrip() + "…"

    def full(actor_id: str) -> str:
        return actors.get(actor_id, {}).get("name") or actor_id

    text = S.network_sentence(result, full)
    said["network"] = text
    sub.add(Paragraph(text))
    if result["actors"]:
        # around the circle: community by community, the most connected first
        order = ["actor/" + a["id"] for a in sorted(result["actors"], key=lambda a: (
            a["community"], -a["weighted_degree"], a["id"]))]
        labels = {"actor/" + a["id"]: short(a["id"]) for a in result["actors"]}
        state = {"actor/" + a["id"]: {"true": True, "false": False}.get(a["state"]) for a in result["actors"]}
        brokers = sorted(result["actors"], key=lambda a: (-a["betweenness"], -a["weighted_degree"], a["id"]))
        sub.add(Chart("actor-network-chart", f"Actor network of {name}",
                      f"Network diagram of the actors of {name}. {text}",
                      lambda: charts.network(graph, labels, state, order),
                      Table(["actor", "type", "links", "weighted links", "betweenness"],
                            [[full(a["id"]), facts.label("actorTypeScheme", a["type"]), str(a["degree"]),
                              str(a["weighted_degree"]), S.number(a["betweenness"])]
                             for a in brokers[:BROKER_ROWS]],
                            numeric=(2, 3, 4), caption=f"The {min(BROKER_ROWS, len(brokers))} actors with the "
                                                       "highest betweenness", widths=(3, 2, 0.8, 1, 1))))

    bodies = facts.named("coordination-bodies", country=country)
    text = S.bodies_sentence(bodies, name)
    said["bodies"] = text
    sub = section.sub(Section("coordination-bodies", "Coordination bodies",
                              queries=["coordination-bodies", "actors-outside-coordination"]))
    sub.add(Paragraph(text))
    if bodies:
        sub.add(Table(["body", "head", "members", "member names"],
                      [[r["name"], r.get("head") or "", str(r["members"]), r.get("member_names") or ""]
                       for r in bodies], numeric=(2,), widths=(3, 2, 0.8, 4)))
    outside = facts.named("actors-outside-coordination", country=country)
    text = S.outside_sentence(outside)
    said["outside"] = text
    sub.add(Paragraph(text))
    if outside:
        sub.add(Table(["actor", "type", "measures"],
                      [[r["name"], facts.label("actorTypeScheme", r["type"]), str(r["measures"])] for r in outside],
                      numeric=(2,), widths=(4, 2.5, 1)))
    return section, said


def finding_entries(facts: Facts, rows: list[dict], scope: str | None, where: str) -> list[Entry]:
    sources = citations(facts, scope, "finding")
    names = titles(facts)
    about = defaultdict(list)
    for r in facts.own("finding-about", country=scope):
        about[r["finding"]].append(f"{r['name']} ({r['kind']})")
    answered = defaultdict(list)
    for r in facts.own("recommendations"):  # a regional recommendation may answer a country's finding
        for finding in (r.get("addresses") or "").split("; "):
            if finding:
                answered[finding].append(names.get(r["recommendation"]) or shorten(r["statement"]))
    kinds = facts.codes("findingKindScheme")
    entries = []
    for r in sorted(rows, key=lambda r: (kinds.index(r["kind"]) if r["kind"] in kinds else 99, r["finding"])):
        concerns = [x for x in (facts.labels(DIM, r.get("dimensions")),
                                (facts.labels(LVL, r.get("levels")) + " level") if r.get("levels") else "") if x]
        scope_words = f"that cover {' and '.join(concerns)}" if concerns else "(it names no dimension or level)"
        fields = [("kind", facts.label("findingKindScheme", r["kind"])),
                  ("themes", facts.labels("themeScheme", r.get("themes"))),
                  ("measures in scope", f"{r['measures_in_scope']}: measures of the countries it concerns "
                                        f"{scope_words}" if r["country"] in facts.countries else
                   f"{r['measures_in_scope']} (the finding names no country whose measures could be counted)"),
                  ("explicitly about", "; ".join(about[r["finding"]]) if about[r["finding"]]
                   else f"{S.count(int(r['about']), 'record')} linked"),
                  ("answered by", "; ".join(sorted(answered[r["finding"]])) or "no recommendation recorded")]
        entries.append(Entry(f"finding-{r['finding']}", names.get(r["finding"]) or r["finding"], r["statement"],
                             fields, sources.get(r["finding"], [])))
    return entries


def recommendation_entries(facts: Facts, rows: list[dict], scope: str | None) -> list[Entry]:
    sources = citations(facts, scope, "recommendation")
    names = titles(facts)
    statements = {f["finding"]: f["statement"] for f in facts.named("findings")}
    entries = []
    for r in rows:
        addressed = [names.get(f) or shorten(statements.get(f, f)) for f in (r.get("addresses") or "").split("; ") if f]
        fields = [("themes", facts.labels("themeScheme", r.get("themes"))),
                  ("answers", "; ".join(addressed) or "no finding recorded")]
        themes = [facts.label("themeScheme", t) for t in facts.order("themeScheme", r.get("themes"))]
        title = names.get(r["recommendation"]) or S.capitalise(f"recommendation on {S.join(themes)}")
        entries.append(Entry(f"recommendation-{r['recommendation']}", title, r["statement"], fields,
                             sources.get(r["recommendation"], [])))
    return entries


def findings(facts: Facts, country: str, name: str) -> tuple[Section, dict]:
    section = Section("findings", "Findings and recommendations",
                      queries=["findings", "recommendations (report)", "finding-about (report)",
                               "record-sources (report)"],
                      explanation="The assessment's own findings and recommendations on this country, each with "
                                  "the passage it is taken from and, for findings, the evidence the graph holds "
                                  "for it: how many measures cover what the finding concerns, and the records "
                                  "it is explicitly about.")
    rows = facts.named("findings", country=country)
    recommendations = facts.own("recommendations", country=country)
    text = S.findings_sentence(rows, len(recommendations), lambda k: facts.label("findingKindScheme", k),
                               facts.codes("findingKindScheme"), f"for {name}")
    section.add(Paragraph(text))
    sub = section.sub(Section("findings-list", "Findings"))
    sub.add(*finding_entries(facts, rows, country, name))
    sub = section.sub(Section("recommendations", "Recommendations"))
    entries = recommendation_entries(facts, recommendations, country)
    sub.add(*entries) if entries else sub.add(Paragraph("No recommendation is recorded."))
    return section, {"findings": text}


def appendix(facts: Facts, country: str, name: str) -> Section:
    section = Section("appendix", "Appendix: every measure",
                      queries=["measures (report)", "measure-actors (report)", "record-sources (report)"],
                      explanation=f"Every support measure recorded for {name}, with its actors by role, its "
                                  "dimensions and levels, and the passages of the sources it is taken from.")
    measures = facts.own("measures", country=country)
    roles: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in facts.own("measure-actors", country=country):
        roles[r["measure"]][r["role"]].append(r["name"])
    sources = citations(facts, country, "measure")
    if not measures:
        section.add(Paragraph(S.sentence(f"no support measure is recorded for {name}")))
    for r in measures:
        dates = " to ".join(str(d) for d in (r.get("start"), r.get("end")) if d)
        status = facts.label("measureStatusScheme", r["status"]) + (f" ({dates})" if dates else "") \
            + ("; pilot" if r.get("pilot") else "")
        actor_text = "; ".join(f"{facts.label('roleScheme', role)}: {', '.join(sorted(set(roles[r['measure']][role])))}"
                               for role in facts.order("roleScheme", roles[r["measure"]].keys()))
        fields = [("status", status), ("types", facts.labels("measureTypeScheme", r.get("types"))),
                  ("dimensions", facts.labels(DIM, r.get("dimensions")) or "not recorded"),
                  ("levels", facts.labels(LVL, r.get("levels")) or "not recorded"),
                  ("target groups", facts.labels(TG, r.get("target_groups")) or "not recorded"),
                  ("phases", facts.labels(PHASE, r.get("phases")) or "not recorded"),
                  ("actors", actor_text or "none recorded")]
        section.add(Entry(f"measure-{r['measure']}", r["name"], "", fields, sources.get(r["measure"], [])))
    return section


def country_report(facts: Facts, country: str) -> Report:
    country = facts.check_country(country)
    name = facts.country_name(country)
    first = summary(facts, country, name)
    sections = [first]
    said = {}
    for build in (coverage, balance, policies, risks, coordination, findings):
        section, sentences = build(facts, country, name)
        sections.append(section)
        said.update(sentences)
    sections.append(appendix(facts, country, name))
    has_data = bool(facts.countries[country]["measures"])
    if has_data:
        first.add(Paragraph("At a glance:"), Bullets([said[k] for k in GLANCE]))
    return Report("country", country, f"Reintegration support in {name}: gaps and coordination",
                  facts.version, documents(facts), sections, has_data)
