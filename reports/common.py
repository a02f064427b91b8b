"""What the country and regional reports share: their sources, the assessment's findings grouped
by theme with the data's verdict, the gap -> recommendation table, the method and its limits, and
the glossary of acronyms."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..graph import evidence
from . import sentences as S
from .facts import Facts
from .gaps import Gap, rule_rows, rule_sentence
from .model import Citation, Document, Item, Items, Paragraph, Report, Section, Table

THEME = "themeScheme"
KIND = "findingKindScheme"


def documents(facts: Facts) -> list[Document]:
    return [Document(r["document"], r["title"], r.get("publisher") or "", str(r.get("issued") or ""),
                     r.get("url") or "", r.get("attribution") or "") for r in facts.own("documents")]


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


def _programmes(text: str) -> str:
    return text.replace("measures", "programmes").replace("measure", "programme")


def reader_reason(f: dict, facts: Facts) -> str:
    """Why the data weighs a finding as it does, in the report's words; over several countries, which
    countries say what."""
    themes = set(f.get("themes") or ())
    if f["verdict"] == "not testable" and themes & set(evidence.BALANCES):
        return "it compares the shares of dimensions or levels, which the balance section shows"
    if f["verdict"] == "not testable" and not themes & set(evidence.TESTED_ON):
        return "counts of programmes do not speak to a finding on " + S.join(
            facts.label(THEME, t) for t in facts.order(THEME, themes))
    weighings = f.get("evidence") or []
    if len(weighings) <= 1:
        return _programmes(f["reason"])
    by_verdict: dict[str, list[str]] = defaultdict(list)
    for w in weighings:
        by_verdict[w["verdict"]].append(facts.country_name(w["country"]))
    parts = [f"{words} in {S.join(by_verdict[v])}" for v, words in (
        ("supported", "supported"), ("contradicted", "contradicted"), ("not testable", "not testable"))
        if by_verdict.get(v)]
    untested = [w for w in weighings if w["verdict"] == "not testable" and w.get("stated")]
    if untested:
        parts[-1] += " (too few of their programmes state the field)"
    return "; ".join(parts)


def verdict_note(f: dict, facts: Facts) -> str:
    words = {"supported": "the data supports it", "contradicted": "the data contradicts it",
             "not testable": "the data cannot test it"}[f["verdict"]]
    return f"{words}: {reader_reason(f, facts)}"


def primary_theme(f: dict, facts: Facts) -> str:
    ordered = facts.order(THEME, f.get("themes") or ())
    return ordered[0] if ordered else ""


def findings_section(facts: Facts, assessed: list[dict], where: str, anchor: str = "findings",
                     title: str = "Findings of the assessment, by theme") -> Section:
    """The assessment's findings, each once, under its first theme, with the data's verdict; the
    ones the data contradicts listed apart first."""
    section = Section(anchor, title, queries=["findings", "rkg.graph.evidence", "record-sources (report)"],
                      explanation="Each finding is listed once, under the first of its themes (its other themes "
                                  "in brackets), with the section of the assessment it comes from and what the "
                                  "data says about it (the rule is in the method section).")
    kinds = facts.codes(KIND)
    verdicts = Counter(f["verdict"] for f in assessed)
    section.add(Paragraph(S.findings_sentence(verdicts, Counter(f["kind"] for f in assessed),
                                              lambda k: facts.label(KIND, k), kinds, where)))
    if not assessed:
        return section

    def item(f: dict, with_reason: bool) -> Item:
        others = [facts.label(THEME, t) for t in facts.order(THEME, f.get("themes") or ())][1:]
        where_from = facts.label(KIND, f["kind"]) + (f", section {f['section']}" if f.get("section") else "")
        if f.get("scope") == "regional":
            where_from += ", a regional finding"
        note = where_from + (f"; also: {', '.join(others)}" if others else "")
        note += f". {S.capitalise(verdict_note(f, facts))}" if with_reason else \
            f". {S.capitalise(verdict_note(f, facts).split(':')[0])}"
        title = f.get("name") or S.shorten(f["statement"], 70)
        return Item(title, f["statement"] if f["statement"].rstrip(".") != title else "", S.sentence(note),
                    f"finding-{f['finding']}")

    order = {code: i for i, code in enumerate(facts.codes(THEME))}
    contradicted = [f for f in assessed if f["verdict"] == "contradicted"]
    if contradicted:
        sub = section.sub(Section(f"{anchor}-contradicted", "Findings the data contradicts",
                                  explanation="The assessment states these, but the programmes recorded say "
                                              "otherwise on the finding's own terms; read them with the reason."))
        sub.add(Items([item(f, True) for f in sorted(contradicted, key=lambda f: f["finding"])]))
    by_theme: dict[str, list[dict]] = defaultdict(list)
    for f in assessed:
        if f["verdict"] != "contradicted":
            by_theme[primary_theme(f, facts)].append(f)
    for theme in sorted(by_theme, key=lambda t: (order.get(t, 99), t)):
        rows = sorted(by_theme[theme], key=lambda f: (kinds.index(f["kind"]) if f["kind"] in kinds else 9,
                                                        f.get("scope") != "country", f["finding"]))
        untestable = all(f["verdict"] == "not testable" and reader_reason(f, facts).startswith("counts of")
                         for f in rows)
        sub = section.sub(Section(f"{anchor}-{theme or 'none'}", S.capitalise(facts.label(THEME, theme) or
                                                                               "no theme")))
        if untestable:
            sub.add(Paragraph(S.sentence(f"counts of programmes do not speak to findings on "
                                         f"{facts.label(THEME, theme)}: the data cannot test these"), style="note"))
        sub.add(Items([item(f, not untestable) for f in rows]))
    return section


def gap_table(gaps: list[Gap], recommendations: list[dict], facts: Facts, where: str) -> Section:
    """Gap -> recommendations that answer it -> who the sources make responsible -> the evidence,
    one row per gap in ranked order; then the recommendations no gap calls for and the gaps no
    recommendation answers."""
    section = Section("gaps", "Gaps, recommendations and who is responsible",
                      queries=["empty-and-thin-cells", "coverage-matrix", "field-completeness", "findings",
                               "rkg.graph.evidence", "recommendations (report)", "recommendation-actors (report)"],
                      explanation="Every gap, ranked as the key messages are: the recommendations of the "
                                  "assessment that answer it (linked by the sources, or naming the same cell or "
                                  "group), the actors the sources make responsible for those recommendations "
                                  "(named in them, designated by a policy or leading a programme they are "
                                  "about), and the records it rests on.")
    if not gaps:
        section.add(Paragraph(S.sentence(f"no gap is recorded {where}")))
    rows = []
    for gap in gaps:
        answers = "; ".join(f"{a.title} ({a.how})" for a in gap.answers) or "none in the assessment"
        who = ", ".join(gap.who) or ("not named by the sources" if gap.answers else "")
        evidence_text = gap.brief or gap.evidence
        if gap.kind != "finding" and gap.findings:
            evidence_text += " The assessment's " + S.join(
                f"“{f.get('name') or S.shorten(f['statement'], 50)}” ({verdict_note(f, facts).split(':')[0]})"
                for f in gap.findings) + "."
        elif gap.kind == "finding":
            f = gap.findings[0]
            evidence_text = S.capitalise(verdict_note(f, facts) if f["verdict"] != "not testable" else
                                         verdict_note(f, facts).split(":")[0]) + \
                (f" (section {f['section']})" if f.get("section") else "") + "."
        if gap.records:
            shown = gap.records[:6]
            evidence_text += " Records: " + "; ".join(shown) + (f" and {len(gap.records) - 6} more" if
                                                                 len(gap.records) > 6 else "") + "."
        kind = {"cell": "cell", "group": "group", "finding": facts.label(KIND, gap.findings[0]["kind"])
                if gap.findings else "finding"}[gap.kind]
        rows.append([f"{gap.headline or gap.title} ({kind}, {S.count(gap.points, 'point')})", answers, who,
                     evidence_text])
    if rows:
        section.add(Table(["gap", "recommendations that answer it", "who", "evidence"], rows,
                          widths=(2.2, 2.6, 1.6, 3.6), small=True))
    answered = {a.recommendation for gap in gaps for a in gap.answers}
    idle = [r for r in recommendations if r["recommendation"] not in answered]
    unanswered = [gap for gap in gaps if not gap.answers]
    if gaps:
        answered_gaps = len(gaps) - len(unanswered)
        idle_words = (f"{len(idle)} of the {S.count(len(recommendations), 'recommendation')} "
                      f"{S.verb(len(idle), 'answers', 'answer')} none of them" if idle else
                      "every recommendation answers at least one of them" if recommendations else
                      "the assessment makes no recommendation here")
        section.add(Paragraph(S.sentence(f"{answered_gaps} of the {S.count(len(gaps), 'gap')} "
                                         f"{S.verb(answered_gaps, 'has', 'have')} a recommendation of the assessment "
                                         f"that answers {S.verb(answered_gaps, 'it', 'them')}; {idle_words}")))
    if unanswered:
        sub = section.sub(Section("gaps-unanswered", "Gaps no recommendation answers"))
        sub.add(Paragraph("; ".join(f"{g.title} ({S.count(g.points, 'point')})" for g in unanswered) + "."))
    if idle:
        sub = section.sub(Section("recommendations-uncalled", "Recommendations no gap calls for",
                                  explanation="Recommendations of the assessment that answer none of the gaps "
                                              "above: the sources link them to no gap or weakness here, and "
                                              "they name no empty or thin cell or uncovered group."))
        sub.add(Items([Item(r.get("name") or "", r["statement"], f"Section {r['section']}." if r.get("section") else "")
                       for r in idle]))
    return section


def recommendations_section(facts: Facts, recommendations: list[dict], responsible: dict[str, list[dict]],
                            anchor: str = "recommendations") -> Section:
    section = Section(anchor, "The assessment's recommendations",
                      queries=["recommendations (report)", "recommendation-actors (report)"])
    if not recommendations:
        section.add(Paragraph("The assessment makes no recommendation here."))
        return section
    items = []
    for r in recommendations:
        who = []
        for row in responsible.get(r["recommendation"], []):
            label = row["name"] + (f" ({row['acronym']})" if row.get("acronym") else "")
            how = {"named": "named in it", "policy": f"designated by {row['through']}",
                   "measure": f"leads {row['through']}"}.get(row["via"], row["via"])
            who.append(f"{label} ({how})")
        note = (f"Section {r['section']}. " if r.get("section") else "") + \
            ("Who: " + "; ".join(who) + "." if who else "The sources name no one responsible.")
        items.append(Item(r.get("name") or "", r["statement"], note, f"recommendation-{r['recommendation']}"))
    section.add(Items(items))
    return section


# ---------------------------------------------------------------- method and limits

def evidence_rule(facts: Facts) -> str:
    tested = defaultdict(list)
    for theme, tags in evidence.TESTED_ON.items():
        tested[tags].append(facts.label(THEME, theme))
    on = {("dimensions", "levels"): "the dimensions and levels it names", ("target_groups",): "the target groups "
          "it names", ("phases",): "the phases it names"}
    themes = "; ".join(f"{S.join(names)} (weighed on {on.get(tags, ', '.join(tags))})" for tags, names in tested.items())
    statuses = S.join(facts.label("measureStatusScheme", s) for s in evidence.CURRENT)
    return (f"Each finding is weighed on its own tags in the countries it concerns. Counts of programmes speak only "
            f"to findings on {themes}; any other finding, and one on the balance of dimensions or levels, is "
            f"not testable by the data. A programme is in scope when it covers one of the named values of each "
            f"tag; n counts the current programmes in scope ({statuses}), and the baseline is the average of the "
            f"same count over every alternative (as many values of each tag, in every combination). A gap or "
            f"weakness is supported where n is below the baseline (or 0) and contradicted where it is above; a "
            f"strength names support that exists, so it is supported where n is above 0 and contradicted where it "
            f"is 0. A finding is testable in a country only where at least "
            f"{round(100 * evidence.MIN_STATED)}% of its current programmes state each field it is weighed on: a "
            f"count of none is read only where the data knows the field. Over several "
            f"countries, a verdict holds when the finding is testable in at least "
            f"{round(100 * evidence.MIN_TESTABLE)}% of them and every country where it is testable agrees.")


def sources_table(facts: Facts, docs: list[Document], cited: Counter) -> Table:
    rows = []
    for number, d in enumerate(docs, start=1):
        where = d.url or f"from the publisher, {d.publisher}; a plain-text copy is kept with the data"
        rows.append([f"[{number}]", d.title, d.publisher, d.issued or "not recorded in the data", where,
                     str(cited.get(d.id, 0))])
    return Table(["", "document", "publisher", "year", "where to get it", "records citing it"], rows,
                 numeric=(5,), widths=(0.4, 3, 2.2, 0.9, 2.4, 0.9), small=True)


def completeness_table(rows: list[dict], countries: list[str] | None = None, name=None) -> Table:
    if countries:
        fields = list(dict.fromkeys(r["field"] for r in rows))
        value = {(r["country"], r["field"]): r for r in rows}
        table_rows = []
        for f in fields:
            cells = []
            for c in countries:
                r = value.get((c, f))
                cells.append(f"{r['stated']} of {r['measures']}" if r else "")
            table_rows.append([f] + cells)
        return Table(["field"] + [name(c) if name else c for c in countries], table_rows,
                     numeric=tuple(range(1, len(countries) + 1)), caption="Dedicated programmes that state each field")
    return Table(["field", "programmes that state it", "of", "share"],
                 [[r["field"], str(r["stated"]), str(r["measures"]), S.percent(r["share"])] for r in rows],
                 numeric=(1, 2, 3), widths=(2.4, 1.4, 0.8, 0.8),
                 caption="Dedicated programmes that state each field the analyses rest on")


def sparse_fields(rows: list[dict]) -> list[str]:
    return [f"{r['field']} ({r['stated']} of {r['measures']})" for r in rows
            if int(r["measures"]) and int(r["stated"]) < 0.5 * int(r["measures"])]


def method_section(facts: Facts, report_sections: list[Section], counted: str, completeness: Table,
                   sparse: list[str], cited: Counter, records: int, single: int, ranked: bool = True) -> Section:
    docs = documents(facts)
    section = Section("method", "Method and limits")
    what = section.sub(Section("method-counted", "What was counted"))
    what.add(Paragraph(counted))
    what.add(Paragraph(S.sentence(f"the report is dated {facts.date_text} and is a function of the data version "
                                  f"{facts.version} and that date: the same data and date give the same report. "
                                  f"Programmes whose recorded end falls before {facts.as_of.year}, or that the "
                                  "sources call completed or defunct, are history, not risks")))
    fields = section.sub(Section("method-completeness", "How complete the fields are",
                                 queries=["field-completeness"],
                                 explanation="The sources do not state every field of every programme. Where a "
                                             "field is not stated, the report never says “none”: every gap that "
                                             "rests on a field says for how many programmes it is stated."))
    fields.add(completeness)
    if ranked:
        rank = section.sub(Section("method-ranking", "How the gaps are ranked"))
        rank.add(Paragraph(rule_sentence()))
        rank.add(Table(["a gap earns points when", "points"], rule_rows(), numeric=(1,), widths=(6, 1)))
    weigh = section.sub(Section("method-evidence", "How the data weighs the assessment's findings",
                                queries=["rkg.graph.evidence"]))
    weigh.add(Paragraph(evidence_rule(facts)))
    sources = section.sub(Section("method-sources", "Sources", queries=["documents (report)",
                                                                       "record-sources (report)"]))
    sources.add(sources_table(facts, docs, cited))
    for number, d in enumerate(docs, start=1):
        if d.attribution:
            sources.add(Paragraph(f"[{number}] {d.attribution}", style="note"))
    limits = section.sub(Section("method-limits", "What the data cannot show"))
    main = cited.most_common(1)[0][0] if cited else None
    main_number = next((i for i, d in enumerate(docs, 1) if d.id == main), 0)
    items = []
    if records:
        share = f"all {records}" if single == records else f"{single} of the {records}"
        items.append(Item("One source.", S.sentence(f"{share} programmes, findings and recommendations here cite one "
                                                    f"document only, [{main_number}]; no second source confirms "
                                                    f"{'them' if single != 1 else 'it'}")))
    items.append(Item("Not validated with governments.", "The graph records what the sources say; the ministries "
                                                         "and agencies they name have not checked it."))
    if sparse:
        items.append(Item("Fields stated for fewer than half of the programmes.",
                          S.sentence(S.capitalise("; ".join(sparse)) + ". A gap resting on them is stated with these "
                                     "counts, and the data cannot tell “none” from “not said”")))
    items.append(Item("Each programme counts once.", "Whatever its size, budget or reach: the counts show where "
                                                     "support exists, not how much of it there is."))
    limits.add(Items(items))
    where = section.sub(Section("method-queries", "Where each number comes from",
                                explanation="Every number and sentence is computed from the graph by these queries "
                                            "(queries/*.rq and reports/queries/*.rq); the report's text holds only "
                                            "headings and explanations."))
    rows = [[s.title, ", ".join(s.queries)] for top in report_sections for s in top.walk() if s.queries]
    where.add(Table(["section", "queries"], rows, widths=(2, 4), small=True))
    return section


def cited_documents(facts: Facts, country: str | None) -> tuple[Counter, int, int]:
    """How many records (measures, findings, recommendations) of the country cite each document,
    how many records there are, and how many cite one document only."""
    per_record: dict[tuple, set] = defaultdict(set)
    for r in facts.own("record-sources", country=country):
        per_record[(r["kind"], r["record"])].add(r.get("document") or "")
    cited = Counter(d for docs in per_record.values() for d in docs)
    main = cited.most_common(1)[0][0] if cited else None
    single = sum(1 for docs in per_record.values() if docs == {main})
    return cited, len(per_record), single


# ---------------------------------------------------------------- glossary

def glossary_section(facts: Facts, report: Report) -> Section:
    """The acronyms the graph records for the actors, programmes and policies the report names."""
    text = "\n".join(report_texts(report))
    section = Section("glossary", "Acronyms", queries=["acronyms (report)"])
    seen, rows = set(), []
    for r in facts.own("acronyms"):
        acronym, name = r["acronym"], r["name"]
        if (acronym, name) in seen or acronym == name:
            continue
        if re.search(r"(?<![\w-])" + re.escape(acronym) + r"(?![\w-])", text) or name in text:
            seen.add((acronym, name))
            rows.append([acronym, name])
    rows.sort(key=lambda r: (r[0].casefold(), r[1]))
    if rows:
        section.add(Table(["acronym", "full name"], rows, widths=(1, 5)))
    else:
        section.add(Paragraph("The report names no record the sources give an acronym for."))
    return section


def report_texts(report: Report):
    """Every piece of text of a report (for the glossary)."""
    for section in report.all_sections():
        yield section.title
        yield section.explanation
        for b in section.blocks:
            if b.kind == "paragraph":
                yield b.text
            elif b.kind == "bullets":
                yield from b.items
            elif b.kind == "items":
                for i in b.items:
                    yield from (i.title, i.text, i.note)
            elif b.kind in ("table", "chart"):
                table = b if b.kind == "table" else b.table
                if b.kind == "chart":
                    yield b.title
                if table is not None:
                    yield from (str(c) for row in table.rows for c in row)
            elif b.kind == "heatmap":
                for row in b.cells:
                    for cell in row:
                        yield from cell.lines
                        yield from cell.muted
                        yield cell.note
            elif b.kind == "message":
                yield from (b.headline, b.evidence, b.answer, b.who)
            elif b.kind == "entry":
                yield from (b.title, b.text)
                yield from (v for _, v in b.fields)
