"""Country and regional reports on the analytics fixture, whose answers are known
(tests/fixtures/analytics): every section, the three formats, determinism, a country with no
data, and the `rkg report` command."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from rkg.cli import main
from rkg.reports import ReportError, build_report, country_report, generate, regional_report
from rkg.reports.facts import own_queries
from rkg.reports.model import Chart, Entry, Section, Table
from support import FIXTURES, ROOT


def section(report, anchor: str) -> Section:
    def walk(sections):
        for s in sections:
            if s.anchor == anchor:
                return s
            found = walk(s.subsections)
            if found:
                return found
    found = walk(report.sections)
    assert found is not None, anchor
    return found


def texts(s: Section) -> list[str]:
    return [b.text for b in s.blocks if b.kind == "paragraph"] + [i for b in s.blocks if b.kind == "bullets"
                                                                  for i in b.items]


def blocks(s: Section, kind):
    return [b for b in s.blocks if isinstance(b, kind)]


@pytest.fixture(scope="module")
def bgd(analytics):
    return country_report(analytics.store, "BGD")


@pytest.fixture(scope="module")
def regional(analytics):
    return regional_report(analytics.store)


@pytest.fixture(scope="module")
def output(analytics):
    """generate() on the fixture, each target and format rendered once for the whole module."""
    done = {}

    def get(target: str, fmt: str) -> bytes:
        if (target, fmt) not in done:
            done[(target, fmt)] = generate(analytics.store, target, fmt)
        return done[(target, fmt)]
    return get


# ---------------------------------------------------------------- the report's own queries

def test_own_queries_document_themselves_and_declare_their_columns(analytics):
    for name, query in own_queries().items():
        assert query.title and query.answers and query.columns, name
        rows = analytics.store.store.query(query.text)
        produced = [v.value for v in rows.variables]
        assert produced == query.columns, name


# ---------------------------------------------------------------- a country report, section by section

def test_summary_counts_and_data_version(analytics, bgd):
    from rkg.graph.build import build

    version = build(FIXTURES / "analytics", FIXTURES / "sources").version
    assert bgd.version == version and bgd.has_data
    summary = section(bgd, "summary")
    table = blocks(summary, Table)[0]
    counts = dict(table.rows)
    assert (counts["support measures"], counts["actors active in the country"],
            counts["policies, acts and agreements"], counts["findings of the assessment"],
            counts["recommendations"]) == ("5", "5", "2", "1", "1")
    assert (f"Data version {version}, curated from 1 source document: [1] A mini report for tests "
            "(Test Publisher).") in texts(summary)
    assert [d.title for d in bgd.documents] == ["A mini report for tests"]


def test_coverage_heatmap_and_table_hold_the_coverage_matrix(analytics, bgd):
    coverage = section(bgd, "coverage")
    [chart] = blocks(coverage, Chart)
    rows = {(r[0], r[1]): r[2:] for r in chart.table.rows}
    assert rows[("economic and labour market", "individual")] == ["2", "1", "0", "1", "0", "1", "1"]
    assert rows[("social", "community")][0] == "1" and rows[("social", "structural")][0] == "0"
    assert sum(int(r[2]) for r in chart.table.rows) == sum(
        r["measures"] for r in analytics("coverage-matrix", country="BGD"))
    svg = chart.svg().decode()
    assert svg.startswith("<?xml") and "<svg" in svg


def test_empty_and_thin_cells_in_words(bgd):
    cells = section(bgd, "empty-and-thin-cells")
    words = texts(cells)
    assert "6 of the 9 dimension × level cells are empty and 3 are thin." in words
    assert ("Economic and labour market support at individual level: a single current measure and only "
            "externally funded current measures.") in words
    assert "Psychosocial support at individual level: no current measure." in words  # only a planned measure


def test_balance_phase_and_target_group_sections(bgd):
    balance = section(bgd, "dimension-balance")
    assert ("3 of 5 measures with a recorded level are at individual level (60%), 1 at community level (20%) "
            "and 1 at structural level (20%).") in texts(balance)
    [chart] = blocks(balance, Chart)
    assert ["dimension", "economic and labour market", "3", "5", "60%"] in chart.table.rows
    phases = section(bgd, "phase-coverage")
    assert blocks(phases, Chart)[0].table.rows == [["pre-departure", "1"], ["in-service", "0"], ["return", "0"],
                                                   ["post-return", "1"], ["no phase recorded", "3"]]
    groups = section(bgd, "target-group-coverage")
    [text] = texts(groups)
    assert text.startswith("1 of the 16 target groups is aimed at by at least one measure (measures by "
                           "dimension): women (economic and labour market 2); no measure is aimed at ")
    assert ["women", "2", "0", "0"] in blocks(groups, Chart)[0].table.rows


def test_policy_implementation(bgd):
    policies = section(bgd, "policies")
    assert texts(policies) == [
        "Bangladesh has at least one policy in force that addresses reintegration.",
        "2 policies of Bangladesh address reintegration; 1 of them has at least one implementing measure "
        "recorded, and 1 has none: Policy B."]
    [table] = blocks(policies, Table)
    assert table.rows[1][0] == "Policy A" and table.rows[1][4] == "Government A"
    assert table.rows[1][5] == "1: Measure One" and table.rows[0][5] == "0"


def test_sustainability_risks(bgd):
    risks = section(bgd, "sustainability")
    [table] = blocks(risks, Table)
    by_name = {r[0]: r for r in table.rows}
    assert set(by_name) == {"Measure One", "Measure Two", "Measure Three", "Measure Four"}
    assert by_name["Measure Two"][1:] == ["completed", "2020", "yes", "yes", "yes", "yes", "yes"]
    assert by_name["Measure One"][3:5] == ["", "yes"]  # State-led, externally funded


def test_coordination(bgd):
    overlap = section(bgd, "overlapping-actors")
    assert texts(overlap) == ["6 pairs of actors work in the same dimension × level cells; 4 of these pairs "
                              "also run at least one measure together."]
    top = blocks(overlap, Table)[0].rows[0]
    assert {top[0], top[1]} == {"Donor D", "UN One"} and top[2] == "1"
    funding = section(bgd, "who-funds-whom")
    assert texts(funding) == ["2 funder → implementer links are recorded, from 1 funder to 2 implementers. "
                              "1 funder funds measures whose implementer the sources do not name."]
    assert blocks(funding, Table)[0].rows[-1][:3] == ["Government A", "not named in the sources", "1"]
    network = section(bgd, "actor-network")
    assert texts(network)[0].startswith("The actor network has 4 actors and 6 links in 1 connected part; "
                                        "no actors are isolated.")
    [chart] = blocks(network, Chart)
    svg = chart.svg().decode()
    assert svg.count('id="PathCollection_') == 4  # one marker per actor
    assert [r[0] for r in chart.table.rows][0] == "Donor D"  # the main broker heads the table
    bodies = section(bgd, "coordination-bodies")
    assert texts(bodies) == [
        "1 coordination body is recorded for Bangladesh, 1 with a recorded head and 2 recorded members in all.",
        "2 actors take part in measures but are not recorded as member or head of any coordination body."]
    assert blocks(bodies, Table)[0].rows == [["Coordination Body C", "Government A", "2", "Government A; UN One"]]


def test_findings_and_recommendations_with_citations_and_evidence(bgd):
    findings = section(bgd, "findings")
    assert texts(findings) == ["The assessment states 1 gap, no weaknesses and no strengths for Bangladesh, "
                               "and makes 1 recommendation."]
    [finding] = blocks(section(bgd, "findings-list"), Entry)
    assert finding.anchor == "finding-f-bgd-gap" and finding.text == "Psychosocial support is scarce in country A."
    fields = dict(finding.fields)
    assert fields["measures in scope"] == "1: measures of the countries it concerns that cover psychosocial"
    assert fields["explicitly about"] == "Measure Four (measure)"
    assert fields["answered by"] == "Scale up psychosocial support in country A."
    [citation] = finding.citations
    assert (citation.quote, citation.section, citation.reference()) == (
        "Reintegration support spans economic", "1", "[1], section 1")
    [recommendation] = blocks(section(bgd, "recommendations"), Entry)
    assert recommendation.text == "Scale up psychosocial support in country A."
    assert dict(recommendation.fields)["answers"] == "Psychosocial support is scarce in country A."


def test_appendix_lists_every_measure_with_actors_and_source(analytics, bgd):
    entries = blocks(section(bgd, "appendix"), Entry)
    assert [e.title for e in entries] == ["Measure Five", "Measure Four", "Measure One", "Measure Three",
                                          "Measure Two"]
    one = dict(entries[2].fields)
    assert one["actors"] == "lead: Government A; funder: Donor D; implementer: NGO X"
    assert (one["dimensions"], one["levels"], one["target groups"]) == (
        "economic and labour market", "individual", "women")
    assert dict(entries[4].fields)["status"] == "completed (2020); pilot"
    assert all(e.citations for e in entries)


# ---------------------------------------------------------------- rendering

class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.images, self.headings = [], [], []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        if tag in ("h2", "h3"):
            self._heading = ""

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None


def test_html_is_one_file_with_svg_images_and_every_section(output):
    html = output("BGD", "html").decode()
    outline = Outline()
    outline.feed(html)
    assert outline.headings[:3] == ["Summary", "Coverage: dimension × level", "Empty and thin cells"]
    assert {"summary", "coverage", "balance", "policies", "sustainability", "coordination", "findings",
            "appendix", "finding-f-bgd-gap", "measure-m1"} <= set(outline.ids)
    assert len(outline.ids) == len(set(outline.ids))
    assert len(outline.images) == 5
    assert all(i["src"].startswith("data:image/svg+xml;base64,") and i["alt"] for i in outline.images)
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)  # nothing to fetch: opens offline
    assert "Measure One" in html and "&lt;" not in outline.headings[0]


def test_markdown_has_the_same_sections_and_numbers(output):
    md = output("BGD", "md").decode()
    assert md.startswith("# Reintegration support in Bangladesh: gaps and coordination\n")
    for heading in ("## Summary", "## Coverage: dimension × level", "### Empty and thin cells",
                    "## Policy implementation", "## Sustainability risks", "## Coordination",
                    "## Findings and recommendations", "## Appendix: every measure"):
        assert f"\n{heading}\n" in md, heading
    assert "| economic and labour market | individual | 2 | 1 | 0 | 1 | 0 | 1 | 1 |" in md
    assert "> “Reintegration support spans economic”" in md
    assert "\n\n\n" not in md


def test_pdf_is_a_pdf_dated_by_nothing_but_its_data(output, bgd):
    pdf = output("BGD", "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/CreationDate (D:19700101000000Z)" in pdf
    assert bgd.version.encode() in pdf  # in the document's subject
    assert pdf.count(b"/Subtype /Image") >= 5


def test_same_data_gives_identical_bytes_from_a_new_store(output):
    from rkg.graph.build import build
    from rkg.graph.store import EmbeddedStore

    other = EmbeddedStore.from_graph(build(FIXTURES / "analytics", FIXTURES / "sources").graph)
    assert generate(other, "BGD", "html") == output("BGD", "html")
    assert generate(other, "NPL", "md") == output("NPL", "md")


SCRIPT = """
import hashlib, sys
from pathlib import Path
from rkg.graph.build import build
from rkg.graph.store import EmbeddedStore
from rkg.reports import generate
store = EmbeddedStore.from_graph(build(Path(sys.argv[1]), Path(sys.argv[2])).graph)
for target, fmt in (("BGD", "html"), ("BGD", "pdf"), ("regional", "html")):
    print(target, fmt, hashlib.sha256(generate(store, target, fmt)).hexdigest())
"""


@pytest.mark.slow
def test_same_data_gives_identical_bytes_in_another_process(output):
    """Another process, with another string hashing (so another set order) and a later clock,
    writes the same bytes in every format."""
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(FIXTURES / "analytics"), str(FIXTURES / "sources")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=300)
    assert done.returncode == 0, done.stderr
    here = "".join(f"{t} {f} {hashlib.sha256(output(t, f)).hexdigest()}\n"
                   for t, f in (("BGD", "html"), ("BGD", "pdf"), ("regional", "html")))
    assert done.stdout == here


# ---------------------------------------------------------------- a country with no data

def test_a_country_with_no_data_gives_a_report_that_says_so(analytics):
    report = country_report(analytics.store, "LKA")
    assert not report.has_data
    summary = texts(section(report, "summary"))
    assert ("No support measure is recorded for Sri Lanka in this data version, so the coverage, balance, "
            "risk and coordination sections below are empty.") in summary
    assert texts(section(report, "coverage"))[0] == "No measure covers any of the 9 dimension × level cells."
    assert texts(section(report, "actor-network")) == ["No measure names an actor, so there is no actor network."]
    assert texts(section(report, "appendix")) == ["No support measure is recorded for Sri Lanka."]
    for fmt in ("html", "md"):
        assert b"No support measure is recorded for Sri Lanka" in generate(analytics.store, "LKA", fmt)


def test_unknown_countries_are_refused_with_the_allowed_codes(analytics):
    with pytest.raises(ReportError) as caught:
        build_report(analytics.store, "XYZ")
    assert caught.value.allowed == ["BGD", "IND", "LKA", "NPL", "PAK"] and caught.value.code == "not-found"
    assert build_report(analytics.store, "npl").key == "NPL"
    with pytest.raises(ReportError):
        generate(analytics.store, "NPL", "docx")


# ---------------------------------------------------------------- the regional report

def test_regional_report_compares_the_countries(analytics, regional):
    summary = blocks(section(regional, "summary"), Table)[0]
    assert [r[0] for r in summary.rows] == ["Bangladesh", "India", "Sri Lanka", "Nepal", "Pakistan"]
    assert [r[1] for r in summary.rows] == ["5", "0", "0", "2", "0"]
    [heatmaps] = blocks(section(regional, "coverage"), Chart)
    assert heatmaps.table.columns[2:] == ["Bangladesh", "India", "Sri Lanka", "Nepal", "Pakistan"]
    assert ["economic and labour market", "individual", "2", "0", "0", "1", "0"] in heatmaps.table.rows
    gaps = blocks(section(regional, "shared-gaps"), Table)[0]
    rows = {(r[0], r[1]): r for r in gaps.rows}
    assert rows[("Reintegration policy", "no policy in force that addresses reintegration")][2:] == [
        "4", "India, Sri Lanka, Nepal and Pakistan"]
    assert rows[("Psychosocial support at structural level", "no current measure")][2] == "5"
    assert all(int(r[2]) >= 2 for r in gaps.rows)
    actors = section(regional, "actors-across-countries")
    assert texts(actors) == ["2 actors take part in measures in two or more countries: Donor D and UN One."]
    pivot = blocks(actors, Table)[0]
    assert pivot.rows[0][:3] == ["Donor D", "2", "3 (funder)"]
    findings = section(regional, "findings")
    assert texts(findings) == ["The assessment states no gaps, no weaknesses and no strengths for the region as "
                               "a whole, and makes no recommendations."]


def test_regional_report_renders_in_every_format(output):
    html = output("regional", "html").decode()
    assert html.count("data:image/svg+xml;base64,") == 3  # heatmaps, dimension and level balance
    assert "Gaps shared by several countries" in html
    assert "## Actors active in several countries" in output("regional", "md").decode()
    assert output("regional", "pdf").startswith(b"%PDF-")


# ---------------------------------------------------------------- rkg report

def cli(*args) -> list[str]:
    return ["report", "--data", str(FIXTURES / "analytics"), "--sources", str(FIXTURES / "sources"), *args]


def test_cli_writes_the_same_bytes_as_the_library(output, tmp_path, capsys):
    out = tmp_path / "bgd.html"
    assert main(cli("--country", "BGD", "--out", str(out))) == 0
    assert out.read_bytes() == output("BGD", "html")
    assert "wrote the BGD report (html" in capsys.readouterr().err
    md = tmp_path / "regional.md"
    assert main(cli("--regional", "--out", str(md))) == 0  # the format follows the extension
    assert md.read_bytes() == output("regional", "md")


def test_cli_prints_markdown_and_refuses_bad_input(output, tmp_path, capsysbinary):
    assert main(cli("--country", "npl", "--format", "md")) == 0
    assert capsysbinary.readouterr().out == output("NPL", "md")
    assert main(cli("--country", "XYZ")) == 2
    err = capsysbinary.readouterr().err.decode()
    assert "'XYZ' is not one of the countries of origin" in err and "allowed: BGD, IND, LKA, NPL, PAK" in err
    assert main(cli("--country", "BGD", "--format", "md", "--out", str(tmp_path / "x.pdf"))) == 2


def test_cli_reads_an_on_disk_store(output, tmp_path):
    from rkg.graph.build import build
    from rkg.graph.store import EmbeddedStore

    EmbeddedStore.persist(build(FIXTURES / "analytics", FIXTURES / "sources").graph, tmp_path / "store")
    out = tmp_path / "r.md"
    assert main(["report", "--store", str(tmp_path / "store"), "--regional", "--out", str(out)]) == 0
    assert out.read_bytes() == output("regional", "md")


def test_the_example_reports_are_in_the_repository():
    for name in ("report-NPL.html", "report-regional.html"):
        html = (ROOT / "docs" / "examples" / name).read_text(encoding="utf-8")
        assert re.search(r'<meta name="data-version" content="[0-9a-f]{12}">', html), name
        assert "data:image/svg+xml;base64," in html
