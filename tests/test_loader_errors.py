"""The errors contract: every kind of bad input is reported with file, line and a fix,
all problems of a run together, and nothing is built."""

from __future__ import annotations

import json

from rkg.cli import main
from rkg.graph.build import build
from rkg.graph.stats import record_counts
from rkg.graph.store import EmbeddedStore
from support import line_of, problems_of, replace_in


def test_the_fixture_is_valid(mini):
    counts = record_counts(EmbeddedStore.from_graph(build(mini).graph))
    assert counts.by_kind["measures"] == 2 and counts.by_kind["actors"] == 6


def test_yaml_syntax_error_names_file_line_column_and_what_was_expected(mini):
    path = mini / "records.yaml"
    replace_in(path, "    place_type: district\n", "    place_type: district\n   country_typo BGD\n")
    [problem] = problems_of(mini)
    assert problem.code == "yaml-syntax"
    assert problem.file == "data/records.yaml"
    assert problem.line == line_of(path, "country_typo") + 1 or problem.line == line_of(path, "country_typo")
    assert problem.column > 0
    assert "expected" in problem.message
    assert problem.hint


def test_yaml_error_in_one_file_does_not_hide_errors_in_others(mini):
    (mini / "broken.yaml").write_text("measures:\n  - id: x\n    name: [unclosed\n")
    replace_in(mini / "records.yaml", "    type: ngo\n", "    type: nongovernmental\n")
    codes = {(p.file, p.code) for p in problems_of(mini)}
    assert ("data/broken.yaml", "yaml-syntax") in codes
    assert ("data/records.yaml", "not-in-scheme") in codes


def test_unknown_key_names_the_key_and_the_closest_valid_one(mini):
    path = mini / "records.yaml"
    replace_in(path, "    target_groups: [women", "    target_group: [women")
    [problem] = problems_of(mini)
    assert problem.code == "unknown-key"
    assert problem.line == line_of(path, "target_group:")
    assert "'target_group'" in problem.message
    assert "'target_groups'" in problem.hint


def test_unknown_role_is_refused_with_the_allowed_roles(mini):
    path = mini / "records.yaml"
    replace_in(path, "      funder: [eu]", "      fundr: [eu]")
    [problem] = problems_of(mini)
    assert problem.line == line_of(path, "fundr:")
    assert "funder" in problem.hint and "implementer" in problem.message


def test_reference_to_missing_actor_names_the_closest_ids(mini):
    path = mini / "records.yaml"
    replace_in(path, "      implementer: [iom, brac]", "      implementer: [iom, bracc]")
    [problem] = problems_of(mini)
    assert problem.code == "unknown-reference"
    assert problem.line == line_of(path, "implementer: [iom, bracc]")
    assert "'bracc'" in problem.message and "'brac'" in problem.hint


def test_reference_to_the_wrong_kind_of_record_is_refused(mini):
    path = mini / "records.yaml"
    replace_in(path, "    implements: [bgd-act-2013]", "    implements: [pkb-loans]")
    [problem] = problems_of(mini)
    assert problem.code == "bad-reference" and "not a policy" in problem.message


def test_value_outside_its_concept_scheme_lists_the_allowed_values(mini):
    path = mini / "records.yaml"
    replace_in(path, "    levels: [individual, community]", "    levels: [individual, comunity]")
    [problem] = problems_of(mini)
    assert problem.code == "not-in-scheme"
    assert problem.line == line_of(path, "levels: [individual, comunity]")
    assert "community, individual, structural" in problem.message
    assert "'community'" in problem.hint


def test_unknown_country_code_is_refused(mini):
    replace_in(mini / "records.yaml", "    country: BGD\n    places:", "    country: Bangladesh\n    places:")
    [problem] = problems_of(mini)
    assert problem.code == "not-in-scheme" and "BGD" in problem.message


def test_shacl_violation_is_reported_against_the_yaml_record(mini):
    path = mini / "records.yaml"
    # only the SHACL shapes know that a measure cannot end before it starts
    replace_in(path, "    start: 2019\n", "    start: 2023\n")
    [problem] = problems_of(mini)
    assert problem.code == "shacl"
    assert problem.file == "data/records.yaml"
    assert problem.line == line_of(path, "start: 2023")
    assert "measure 'prottasha'" in problem.message and "`start` is after `end`" in problem.message


def test_shacl_reports_members_on_an_actor_that_is_not_a_coordination_body(mini):
    path = mini / "records.yaml"
    replace_in(path, "    type: coordination-body\n", "    type: national-government\n")
    [problem] = problems_of(mini)
    assert problem.code == "shacl" and "coordination-body" in problem.message
    assert problem.line == line_of(path, "id: labour-migration-committee")


def test_shacl_reports_a_figure_with_no_reference_area(mini):
    path = mini / "records.yaml"
    replace_in(path, "    cumulative: true\n    country: BGD\n", "    cumulative: true\n")
    [problem] = problems_of(mini)
    assert problem.code == "shacl" and "figure 'bgd-loans-2019'" in problem.message


def test_missing_required_field_and_source(mini):
    path = mini / "records.yaml"
    replace_in(path, "    status: unknown\n", "")
    replace_in(path, '    source: {document: mini-report, section: "3.3.1", '
                     'quote: "the absence of comprehensive data on returnees"}\n', "")
    found = {(p.code, p.line) for p in problems_of(mini)}
    assert ("missing-field", line_of(path, "id: pkb-loans")) in found
    assert ("missing-source", line_of(path, "id: bgd-gap-data")) in found


def test_quote_not_in_the_source_is_refused(mini):
    path = mini / "records.yaml"
    replace_in(path, 'quote: "the absence of comprehensive data on returnees"',
               'quote: "the total absence of any data on returnees"')
    [problem] = problems_of(mini)
    assert problem.code == "quote-not-found" and problem.line == line_of(path, "the total absence")


def test_quote_from_another_section_names_the_right_one(mini):
    path = mini / "records.yaml"
    replace_in(path, 'section: "3.3.1", quote: "the absence', 'section: "3.2.1", quote: "the absence')
    [problem] = problems_of(mini)
    assert problem.code == "quote-wrong-section" and "3.3.1" in problem.message


def test_duplicate_ids_duplicate_keys_bad_ids_and_bad_dates(mini):
    path = mini / "records.yaml"
    replace_in(path, "  - id: brac\n", "  - id: iom\n")
    replace_in(path, "    start: 2019\n", "    start: 2019\n    start: 2020\n")
    (mini / "more.yaml").write_text(
        "actors:\n  - id: Bad_Id\n    name: X Y\n    type: ngo\n"
        "measures:\n  - id: m\n    name: M M\n    types: [training]\n    country: BGD\n    status: ongoing\n"
        "    start: 2019-13\n    source: {document: mini-report, section: '1', quote: 'Reintegration support spans'}\n")
    codes = {p.code for p in problems_of(mini)}
    # a duplicate key stops the parse of that file, so the ids inside it are not checked
    assert codes >= {"yaml-syntax", "bad-id", "bad-date"}
    replace_in(path, "    start: 2019\n    start: 2020\n", "    start: 2019\n")
    codes = {p.code for p in problems_of(mini)}
    assert "duplicate-id" in codes


def test_yes_no_and_dates_are_not_silently_retyped(mini):
    """YAML 1.1 would read NO as false and 2019-01-01 as a date; here they stay what was written."""
    path = mini / "records.yaml"
    replace_in(path, "    end: 2022-03\n", "    end: 2022-03-31\n")
    result = build(mini)
    from rdflib import XSD, URIRef
    end = result.graph.value(URIRef("https://w3id.org/reintegration-kg/id/measure/prottasha"),
                             URIRef("https://schema.org/endDate"))
    assert end.datatype == XSD.date and str(end) == "2022-03-31"
    replace_in(path, "    country: BGD\n    places:", "    country: NO\n    places:")
    [problem] = problems_of(mini)
    assert "'NO' is not a country" in problem.message


def test_all_errors_are_reported_together_and_exit_non_zero(mini, capsys):
    path = mini / "records.yaml"
    replace_in(path, "      implementer: [iom, brac]", "      implementer: [iom, bracc]")
    replace_in(path, "    levels: [individual, community]", "    levels: [individual, comunity]")
    replace_in(path, "    type: ngo\n", "    type: nongovernmental\n")
    code = main(["validate", "--data", str(mini)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("error[") == 3
    assert "data/records.yaml:" in err and "3 error(s) in 1 file(s)" in err


def test_validate_json_output_lists_errors(mini, capsys):
    replace_in(mini / "records.yaml", "    type: ngo\n", "    type: nongovernmental\n")
    assert main(["validate", "--data", str(mini), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is False and payload["errors"][0]["code"] == "not-in-scheme"


def test_a_failed_build_leaves_the_previous_output_untouched(mini, tmp_path):
    out = tmp_path / "graph.ttl"
    assert main(["build", "--data", str(mini), "--out", str(out)]) == 0
    before = out.read_bytes()
    replace_in(mini / "records.yaml", "    type: ngo\n", "    type: nongovernmental\n")
    assert main(["build", "--data", str(mini), "--out", str(out)]) == 1
    assert out.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_a_failed_build_produces_no_graph_at_all(mini, tmp_path):
    out = tmp_path / "new.ttl"
    replace_in(mini / "records.yaml", "    type: ngo\n", "    type: nongovernmental\n")
    assert main(["build", "--data", str(mini), "--out", str(out)]) == 1
    assert not out.exists()
