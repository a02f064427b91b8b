"""Country and regional reports on a fixture whose answers are known: the analytics fixture
(tests/fixtures/analytics) with the records of tests/fixtures/reports added (the survey's scores, a
group the assessment names, a recommendation that names who is responsible). Every section is
computed from the graph (change the fixture, the text changes), the three formats, determinism
for a data version and a date, a country with no data, and the `rkg report` command."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rkg.cli import main
from rkg.graph.build import build
from rkg.graph.queries import get, records, run
from rkg.graph.store import EmbeddedStore
from rkg.reports import ReportError, build_report, country_report, generate, regional_report
from rkg.reports.facts import own_queries
from rkg.reports.model import Chart, Heatmap, Items, Message, Section, Table
from support import FIXTURES, ROOT

AS_OF = dt.date(2021, 6, 1)


def fixture_data(folder: Path, extra: str = "") -> Path:
    """A copy of the analytics fixture with the report records (and `extra` YAML) added."""
    data = folder / "data"
    shutil.copytree(FIXTURES / "analytics", data)
    shutil.copy(FIXTURES / "reports" / "records.yaml", data / "reports.yaml")
    if extra:
        (data / "extra.yaml").write_text(extra, encoding="utf-8")
    return data


def store_of(data: Path) -> EmbeddedStore:
    return EmbeddedStore.from_graph(build(data, FIXTURES / "sources").graph)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return fixture_data(tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def store(data):
    return store_of(data)


@pytest.fixture(scope="module")
def bgd(store):
    return country_report(store, "BGD", as_of=AS_OF)


@pytest.fixture(scope="module")
def regional(store):
    return regional_report(store, as_of=AS_OF)


@pytest.fixture(scope="module")
def output(store):
    """generate() on the fixture, each target and format rendered once for the whole module."""
    done = {}

    def get_(target: str, fmt: str) -> bytes:
        if (target, fmt) not in done:
            done[(target, fmt)] = generate(store, target, fmt, as_of=AS_OF)
        return done[(target, fmt)]
    return get_


def query(store, name: str, **params) -> list[dict]:
    q = get(name)
    return records(run(store, q, {k: str(v) for k, v in params.items()}), q)


def section(report, anchor: str) -> Section:
    found = next((s for s in report.all_sections() if s.anchor == anchor), None)
    assert found is not None, anchor
    return found


def texts(s: Section) -> list[str]:
    return [b.text for b in s.blocks if b.kind == "paragraph"] + [i for b in s.blocks if b.kind == "bullets"
                                                                  for i in b.items]


def blocks(s: Section, kind):
    return [b for b in s.blocks if isinstance(b, kind)]


# ---------------------------------------------------------------- the report's own queries

def test_own_queries_document_themselves_and_declare_their_columns(store):
    for name, q in own_queries().items():
        assert q.title and q.answers and q.columns, name
        rows = store.store.query(q.text)
        produced = [v.value for v in rows.variables]
        assert produced == q.columns, name


# ---------------------------------------------------------------- key messages

def test_key_messages_come_first_ranked_by_the_stated_rule(bgd):
    assert bgd.sections[0].anchor == "key-messages" and bgd.sections[0].new_page
    messages = blocks(section(bgd, "key-messages"), Message)
    assert [m.headline for m in messages] == [
        "Economic and labour market support at individual level: one programme and one external funder",
        "Psychosocial support at individual, community and structural level: no current programme",
        "No programme for older returnees",
        "Economic and labour market support at community level: no current programme",
        "Social support at individual and structural level: no current programme"]
    first, _, older = messages[:3]
    # one line of evidence, with the completeness of the field it rests on
    assert first.evidence == ("A single current programme covers it: Measure One, with Donor D, Government A and "
                              "NGO X; it hangs on one external funder, Donor D.")
    assert older.evidence == ("No programme is aimed at older returnees among the 2 of 5 dedicated programmes that "
                              "state a target group.")
    # the recommendation that answers it, and who the sources make responsible
    assert (older.answer, older.who) == ("Reach older returnees (section 1)", "Government A")
    assert messages[1].answer == "Scale up psychosocial support in country A (section 1)"
    assert first.answer == "No recommendation of the assessment answers it."
    rule = texts(section(bgd, "key-messages"))[-1]
    assert rule.startswith("Each gap earns points: 3 when the assessment states it and the data supports it; 3 when "
                           "no current programme covers it; 2 when one current programme")
    assert rule.endswith("8 of the 12 gaps in the table of gaps are told here.")


def test_the_text_changes_with_the_graph(tmp_path, bgd):
    """A programme for older returnees in the empty psychosocial cell, and a recommendation no gap
    calls for: the key messages, the gap table and the heatmap say so."""
    extra = """
measures:
  - {id: m-older, name: Measure Older, types: [counselling], country: BGD, status: ongoing,
     dimensions: [psychosocial], levels: [individual], target_groups: [older-returnees], roles: {lead: [gov-a]},
     source: {document: mini-report, section: "1", quote: "Reintegration support spans economic"}}
recommendations:
  - {id: r-bgd-idle, name: Train more counsellors, country: BGD, themes: [capacity],
     statement: Train more counsellors in country A., source: {document: mini-report, section: "1",
     quote: "Reintegration support spans economic"}}
"""
    report = country_report(store_of(fixture_data(tmp_path, extra)), "BGD", as_of=AS_OF)
    headlines = [m.headline for m in blocks(section(report, "key-messages"), Message)]
    assert "No programme for older returnees" not in headlines
    assert "Psychosocial support at community and structural level: no current programme" in headlines
    before = {b.headline for b in blocks(section(bgd, "key-messages"), Message)}
    assert set(headlines) != before
    [heatmap] = blocks(section(report, "coverage"), Heatmap)
    psychosocial_individual = heatmap.cells[2][0]
    assert psychosocial_individual.count == 1 and psychosocial_individual.lines == ["Measure Older"]
    uncalled = section(report, "recommendations-uncalled")
    assert [i.title for b in blocks(uncalled, Items) for i in b.items] == ["Train more counsellors"]


# ---------------------------------------------------------------- gap -> recommendation -> who -> evidence

def test_the_gap_table_joins_gaps_recommendations_actors_and_evidence(bgd):
    gaps = section(bgd, "gaps")
    [table] = blocks(gaps, Table)
    assert table.columns == ["gap", "recommendations that answer it", "who", "evidence"]
    rows = {r[0]: r[1:] for r in table.rows}
    older = rows["No programme for older returnees (group, 3 points)"]
    assert older[0] == "Reach older returnees (answers “Older returnees left out”)"
    assert older[1] == "Government A"
    assert older[2].startswith("No programme is aimed at older returnees among the 2 of 5 dedicated programmes")
    finding = rows["Older returnees left out (gap, no points)"]
    assert finding[:2] == ["Reach older returnees (answers “Older returnees left out”)", "Government A"]
    assert finding[2] == "The data cannot test it (section 1)."
    one = rows["Economic and labour market support at individual level: one programme and one external funder "
               "(cell, 5 points)"]
    assert one[0] == "none in the assessment" and one[2].endswith("Records: Measure One.")
    assert len(table.rows) == 12
    assert texts(gaps)[-1] == ("6 of the 12 gaps have a recommendation of the assessment that answers them; every "
                               "recommendation answers at least one of them.")
    unanswered = texts(section(bgd, "gaps-unanswered"))[0]
    assert unanswered.startswith("Economic and labour market support at individual level (5 points); ")


# ---------------------------------------------------------------- heatmap that names names

def test_the_heatmap_names_the_programmes_of_each_cell(store, bgd):
    coverage = section(bgd, "coverage")
    [heatmap] = blocks(coverage, Heatmap)
    assert heatmap.rows == ["Economic and labour market", "Social", "Psychosocial"]
    assert heatmap.columns == ["Individual level", "Community level", "Structural level"]
    economic_individual = heatmap.cells[0][0]
    assert (economic_individual.count, economic_individual.lines, economic_individual.muted) == (
        1, ["Measure One"], ["Measure Two (completed)"])
    assert economic_individual.note == "hangs on one programme, funded only by Donor D"
    assert heatmap.cells[0][2].note == "hangs on one programme and one actor: Government A"
    assert heatmap.cells[2][0].note == "no current programme" and heatmap.cells[2][0].muted == [
        "Measure Four (planned)"]
    assert heatmap.caption.startswith("Number and colour: the current dedicated programmes of each cell")
    # every name in a cell is one of the cell's measures in coverage-matrix, and the table keeps its numbers
    cells = {(r["dimension"], r["level"]): r for r in query(store, "coverage-matrix", country="BGD")}
    assert set(economic_individual.lines + [m.split(" (")[0] for m in economic_individual.muted]) == set(
        cells[("economic", "individual")]["measure_names"])
    [table] = blocks(coverage, Table)
    assert sum(int(r[2]) for r in table.rows) == sum(r["measures"] for r in cells.values())


# ---------------------------------------------------------------- the other sections

def test_the_numbers_and_the_completeness_of_their_fields(bgd):
    numbers = section(bgd, "numbers")
    counts = dict(blocks(numbers, Table)[0].rows)
    assert (counts["dedicated programmes"], counts["… current (ongoing, or status not given)"],
            counts["actors taking part in the dedicated programmes"], counts["recommendations"]) == ("5", "3", "4", "2")
    assert "No State actor takes part in 3 of the 5 programmes whose actors the sources state (5 in all)." in \
        texts(numbers)


def test_phases_and_target_groups_are_counted_among_those_that_state_them(bgd):
    groups = section(bgd, "phases-and-groups")
    phase, group = texts(groups)
    assert phase == ("2 of the 5 programmes state a phase of the migration cycle: 1 in the pre-departure phase and 1 "
                     "in the post-return phase; none of the 2 is placed in the in-service or return phase.")
    assert group.startswith("2 of the 5 programmes state a target group; they aim at 1 of the 16 groups: women (2). "
                            "None of the 2 is aimed at ")
    [chart] = blocks(groups, Chart)
    assert ["older returnees", "0", "2"] in chart.table.rows and ["women", "2", "2"] in chart.table.rows


def test_sustainability_is_judged_on_the_report_date(store, bgd):
    risks = section(bgd, "sustainability")
    assert texts(risks)[0].startswith("On 1 June 2021, 4 dedicated programmes are current (ended ones are history, "
                                      "not risks): no State actor takes part in 2 of the 4 whose actors the sources "
                                      "state, 2 of the 3 whose funders are stated")
    assert [r[0] for r in blocks(risks, Table)[0].rows] == ["Measure Four", "Measure One", "Measure Three"]
    later = country_report(store, "BGD", as_of=dt.date(2030, 1, 1))
    assert "1 January 2030" in texts(section(later, "sustainability"))[0]
    assert "ends by 2032" in blocks(section(later, "sustainability"), Table)[0].columns


def test_the_network_shows_its_actors_and_says_why_its_count_differs(bgd):
    network = section(bgd, "actor-network")
    assert texts(network) == [
        "4 actors take part in the dedicated programmes of Bangladesh; 4 pairs of them run at least one programme "
        "together. The numbers count 5 actors recorded as active in Bangladesh: 4 in its dedicated programmes and 1 "
        "that the sources place in the country without a measure there (in a policy or a coordination body, or by "
        "name)."]
    [chart] = blocks(network, Chart)
    assert chart.table.rows[0][:4] == ["Donor D", "Donor D", "donor government", "3"]
    assert ["UN1", "UN One", "UN agency", "2", "1"] in chart.table.rows  # the acronym in the chart, the name beside


def test_findings_are_grouped_by_theme_once_each_with_the_data_verdict(bgd):
    findings = section(bgd, "findings")
    assert texts(findings) == ["The assessment states 2 gaps, no weaknesses and no strengths on Bangladesh. The data "
                               "supports 0, contradicts 0 and cannot test 2 of them."]
    themes = [s for s in findings.subsections]
    assert [s.title for s in themes] == ["Social and psychosocial support", "Targeting of needs"]
    titles = [i.title for s in themes for b in blocks(s, Items) for i in b.items]
    assert titles == ["Psychosocial support is scarce in country A", "Older returnees left out"]
    older = blocks(themes[1], Items)[0].items[0]
    # 3 current: BGD's fourth programme is planned, not current
    assert older.note == ("Gap, section 1. The data cannot test it: only 1 of its 3 current programmes state a "
                          "target group; 0 are in scope.")


def test_method_and_limits_state_what_was_counted_and_what_the_data_cannot_show(store, bgd):
    method = section(bgd, "method")
    [completeness] = blocks(section(bgd, "method-completeness"), Table)
    expected = query(store, "field-completeness", country="BGD")
    assert [r[:3] for r in completeness.rows] == [[r["field"], str(r["stated"]), str(r["measures"])] for r in expected]
    assert "Each finding is weighed on its own tags" in texts(section(bgd, "method-evidence"))[0]
    assert "at least 50% of its current programmes state each field it is weighed on" in \
        texts(section(bgd, "method-evidence"))[0]
    [sources] = blocks(section(bgd, "method-sources"), Table)
    assert sources.rows == [["[1]", "A mini report for tests", "Test Publisher", "not recorded in the data",
                             "from the publisher, Test Publisher; a plain-text copy is kept with the data", "9"]]
    limits = {i.title: i.text for b in blocks(section(bgd, "method-limits"), Items) for i in b.items}
    assert limits["Fields stated for fewer than half of the programmes."].startswith("Target group (2 of 5); phase "
                                                                                     "(2 of 5);")
    assert "Not validated with governments." in limits
    assert method.subsections[-1].anchor == "method-queries"


def test_the_glossary_lists_the_acronyms_the_report_uses(bgd, store):
    glossary = section(bgd, "glossary")
    assert blocks(glossary, Table)[0].rows == [["UN1", "UN One"]]


def test_a_report_has_a_date_and_a_data_version(bgd, data):
    version = build(data, FIXTURES / "sources").version
    assert (bgd.version, bgd.date, bgd.date_text) == (version, AS_OF, "1 June 2021")


# ---------------------------------------------------------------- the regional report

def test_the_regional_report_puts_the_countries_side_by_side(regional):
    assert [s.anchor for s in regional.sections][:4] == ["key-messages", "countries", "survey", "shared-gaps"]
    side = blocks(section(regional, "countries"), Table)[0]
    assert side.columns == ["", "Bangladesh", "India", "Sri Lanka", "Nepal", "Pakistan"]
    assert side.rows[0] == ["dedicated programmes", "5", "0", "0", "2", "0"]
    shared = blocks(section(regional, "shared-gaps"), Table)[0]
    what = {r[0]: r for r in shared.rows}
    assert what["Psychosocial support at structural level"][1] == "no current programme in Bangladesh and Nepal"
    assert what["Reintegration policy"][1] == ("no policy in force that addresses reintegration in India, Sri Lanka, "
                                               "Nepal and Pakistan")


def test_the_survey_scores_are_a_chart_and_a_table_computed_from_the_graph(regional):
    survey = section(regional, "survey")
    assert texts(survey) == ["Among all 120 respondents the lowest score is economic and labour market (0.410) and "
                             "the highest economic and labour market (0.410); female respondents score 0.470 on the "
                             "composite against 0.550 for male respondents."]
    [chart] = blocks(survey, Chart)
    assert chart.table.columns == ["group", "respondents", "Economic and labour market", "Composite (CRS)"]
    assert chart.table.rows == [["All respondents", "120", "0.410 (0.120)", "0.520"],
                                ["Returnees", "100", "0.430", "0.530"],
                                ["Female respondents", "30", "", "0.470"],
                                ["Male respondents", "90", "", "0.550"]]
    message = blocks(section(regional, "key-messages"), Message)[-1]
    assert message.headline == "How returnees fare: the survey's scores" and "0.470" in message.evidence


def test_regional_findings_and_recommendations_have_their_own_sections(regional):
    assert texts(section(regional, "findings"))[0] == ("The assessment states no findings for the region as a whole.")
    assert texts(section(regional, "recommendations")) == ["The assessment makes no recommendation here."]


# ---------------------------------------------------------------- rendering

class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.images, self.headings, self.cells = [], [], [], []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        if tag == "td" and "background" in (attrs.get("style") or ""):
            self.cells.append(attrs["style"])
        if tag in ("h2", "h3"):
            self._heading = ""

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None


def test_html_is_one_file_with_the_date_the_contents_and_every_section(output):
    html = output("BGD", "html").decode()
    outline = Outline()
    outline.feed(html)
    assert outline.headings[:3] == ["Contents", "Key messages: the gaps that matter most in Bangladesh",
                                    "1 Economic and labour market support at individual level: one programme and one "
                                    "external funder"]
    assert {"key-messages", "numbers", "gaps", "coverage", "coverage-heatmap", "balance", "policies",
            "sustainability", "coordination", "findings", "method", "glossary", "appendix", "measure-m1"} <= set(outline.ids)
    assert len(outline.ids) == len(set(outline.ids))
    assert len(outline.images) == 3 and len(outline.cells) == 9  # charts as SVG images; the heatmap as a table
    assert all(i["src"].startswith("data:image/svg+xml;base64,") and i["alt"] for i in outline.images)
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)  # nothing to fetch: opens offline
    assert '<meta name="report-date" content="2021-06-01">' in html and "<strong>1 June 2021</strong>" in html
    assert "Computed by" not in html


def test_markdown_has_the_same_sections_and_numbers(output):
    md = output("BGD", "md").decode()
    assert md.startswith("# Reintegration support in Bangladesh: gaps and coordination\n")
    assert "- **Date**: 1 June 2021\n" in md
    for heading in ("## Contents", "## Key messages: the gaps that matter most in Bangladesh", "## The numbers",
                    "## Gaps, recommendations and who is responsible", "## Coverage: dimension × level, programme by "
                    "programme", "## Method and limits", "## Acronyms", "## Appendix: every measure"):
        assert f"\n{heading}\n" in md, heading
    assert ("| **Economic and labour market** | **1** *(hangs on one programme, funded only by Donor D)*: Measure One; "
            "Measure Two (completed) |") in md
    assert "\n\n\n" not in md and "Computed by" not in md


def test_pdf_has_a_cover_a_contents_page_and_is_dated_by_its_data_and_date(output, bgd):
    pdf = output("BGD", "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/CreationDate (D:19700101000000Z)" in pdf
    assert bgd.version.encode() in pdf and b"2021-06-01" in pdf  # in the document's subject
    assert pdf.count(b"/Subtype /Image") >= 3
    assert b"/Outlines" in pdf


def test_the_faster_pdf_line_breaking_lays_out_the_same_bytes(bgd, monkeypatch):
    import importlib

    from rkg.reports import pdfspeed

    rendering = importlib.import_module("rkg.reports.render")

    fast = rendering.render(bgd, "pdf")
    monkeypatch.setattr(rendering, "FAST_LINE_BREAKING", False)
    pdfspeed.uninstall()
    try:
        slow = rendering.render(bgd, "pdf")
    finally:
        pdfspeed.install()
    assert fast == slow


def test_same_data_and_date_give_identical_bytes_from_a_new_store(data, output):
    other = store_of(data)
    assert generate(other, "BGD", "html", as_of=AS_OF) == output("BGD", "html")
    assert generate(other, "regional", "md", as_of=AS_OF) == output("regional", "md")
    assert generate(other, "BGD", "md", as_of=dt.date(2022, 1, 1)) != output("BGD", "md")


SCRIPT = """
import datetime, hashlib, sys
from pathlib import Path
from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore
from rkg.reports import generate
store = EmbeddedStore.from_graph(build(Path(sys.argv[1]), Path(sys.argv[2])).graph)
for target, fmt in (("BGD", "html"), ("BGD", "pdf"), ("regional", "html"), ("regional", "pdf")):
    content = generate(store, target, fmt, as_of=datetime.date(2021, 6, 1))
    print(target, fmt, hashlib.sha256(content).hexdigest())
"""


@pytest.mark.slow
def test_same_data_and_date_give_identical_bytes_in_another_process(data, output):
    """Another process, with another string hashing (so another set order) and a later clock,
    writes the same bytes in every format."""
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(data), str(FIXTURES / "sources")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=300)
    assert done.returncode == 0, done.stderr
    here = "".join(f"{t} {f} {hashlib.sha256(output(t, f)).hexdigest()}\n"
                   for t, f in (("BGD", "html"), ("BGD", "pdf"), ("regional", "html"), ("regional", "pdf")))
    assert done.stdout == here


# ---------------------------------------------------------------- a country with no data

def test_a_country_with_no_data_gives_a_report_that_says_so(store):
    report = country_report(store, "LKA", as_of=AS_OF)
    assert not report.has_data
    assert ("No dedicated programme is recorded for Sri Lanka in this data version, so the coverage, balance, risk "
            "and coordination sections are empty.") in texts(section(report, "numbers"))
    assert texts(section(report, "actor-network")) == ["No programme names an actor, so there is no actor network."]
    assert texts(section(report, "appendix")) == ["No support measure is recorded for Sri Lanka."]
    for fmt in ("html", "md", "pdf"):
        assert generate(store, "LKA", fmt, as_of=AS_OF)


def test_unknown_countries_and_formats_are_refused(store):
    with pytest.raises(ReportError) as caught:
        build_report(store, "XYZ")
    assert caught.value.allowed == ["BGD", "IND", "LKA", "NPL", "PAK"] and caught.value.code == "not-found"
    assert build_report(store, "npl").key == "NPL"
    with pytest.raises(ReportError):
        generate(store, "NPL", "docx")


# ---------------------------------------------------------------- rkg report

def cli(data: Path, *args) -> list[str]:
    return ["report", "--data", str(data), "--sources", str(FIXTURES / "sources"), *args]


def test_cli_writes_the_same_bytes_as_the_library(data, output, tmp_path, capsys):
    out = tmp_path / "bgd.html"
    assert main(cli(data, "--country", "BGD", "--date", "2021-06-01", "--out", str(out))) == 0
    assert out.read_bytes() == output("BGD", "html")
    assert "wrote the BGD report (html" in capsys.readouterr().err
    md = tmp_path / "regional.md"
    assert main(cli(data, "--regional", "--date", "2021-06-01", "--out", str(md))) == 0  # format from the extension
    assert md.read_bytes() == output("regional", "md")


def test_cli_prints_markdown_and_refuses_bad_input(data, output, tmp_path, capsysbinary):
    assert main(cli(data, "--country", "npl", "--format", "md", "--date", "2021-06-01")) == 0
    assert capsysbinary.readouterr().out == output("NPL", "md")
    assert main(cli(data, "--country", "XYZ")) == 2
    err = capsysbinary.readouterr().err.decode()
    assert "'XYZ' is not one of the countries of origin" in err and "allowed: BGD, IND, LKA, NPL, PAK" in err
    assert main(cli(data, "--country", "BGD", "--format", "md", "--out", str(tmp_path / "x.pdf"))) == 2
    assert main(cli(data, "--country", "BGD", "--date", "June 2021")) == 2
    assert "must be a year, month or day" in capsysbinary.readouterr().err.decode()


def test_cli_reads_an_on_disk_store(data, output, tmp_path):
    EmbeddedStore.persist(build(data, FIXTURES / "sources").graph, tmp_path / "store")
    out = tmp_path / "r.md"
    assert main(["report", "--store", str(tmp_path / "store"), "--regional", "--date", "2021-06-01",
                 "--out", str(out)]) == 0
    assert out.read_bytes() == output("regional", "md")


def test_the_example_reports_are_in_the_repository():
    examples = ROOT / "docs" / "examples"
    for name in ("report-NPL.html", "report-regional.html"):
        html = (examples / name).read_text(encoding="utf-8")
        assert re.search(r'<meta name="data-version" content="[0-9a-f]{12}">', html), name
        assert re.search(r'<meta name="report-date" content="\d{4}-\d{2}-\d{2}">', html), name
        assert "data:image/svg+xml;base64," in html
    for name in ("report-NPL.pdf", "report-regional.pdf"):
        assert (examples / name).read_bytes().startswith(b"%PDF-"), name
    for name in ("report-NPL-page1.png", "report-NPL-heatmap.png", "report-regional-page1.png",
                 "report-regional-heatmap.png"):
        assert (examples / name).read_bytes().startswith(b"\x89PNG"), name
