"""The two SHACL engines give the same results.

`shacl` (Rust) validates by default and pySHACL is the reference: on a graph that breaks every
shape in ontology/shapes.ttl (the mini fixture with bad records injected) both give the same set
of results, focus node, path, message and severity, down to the results pySHACL nests under
sh:detail; each result still maps to the same file and line; the curated data validates under
both. The fixture is checked to violate every constraint of every shape, so a shape added to
shapes.ttl that it does not break fails here until it does.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import ORG, SH, SKOS

from rkg.graph import fast_validation
from rkg.graph.build import build, ontology_graph, shacl_problems, shapes_graph
from rkg.graph.validation import ENGINES, chosen_engine, pyshacl_results, read_graph, shacl_results, shares, targeted_shapes
from rkg.loaders.convert import Converter
from rkg.loaders.schema import RKG, SCHEMA
from rkg.settings import Settings
from support import FIXTURES, ROOT, line_of

ID = Namespace("https://w3id.org/reintegration-kg/id/")
CONCEPT = Namespace("https://w3id.org/reintegration-kg/concept/")
NOWHERE = ID["nothing/nowhere"]  # no record, no class, no scheme

MEASURE, PLACE = ID["measure/prottasha"], CONCEPT["place/bgd-dhaka"]


@pytest.fixture(autouse=True)
def quiet():
    logging.disable(logging.WARNING)  # rdflib complains about the ill-typed literals on purpose
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    shutil.copytree(FIXTURES / "mini", root / "data")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    return root / "data"


@pytest.fixture(scope="module")
def conversion(mini):
    converter = Converter(ontology_graph(), mini, mini.parent / "sources")
    converter.read(sorted(mini.glob("*.yaml")))
    result = converter.convert()
    assert not result.problems
    return result


@pytest.fixture(scope="module")
def valid(conversion):
    graph = Graph()
    graph += ontology_graph()
    graph += conversion.graph
    return graph


def property_paths(shapes: Graph, shape):
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        if isinstance(path, URIRef):
            yield path


def break_everything(valid: Graph, shapes: Graph) -> Graph:
    """The valid graph plus, for every shape with a target class, a record of that class with
    nothing but its type (every minCount, hasValue, sh:or and sh:xone of "neither" fails) and a
    copy of the fixture's record with two bad values added to every path of the shape: an empty
    string and an IRI that is nothing (maxCount, datatype, minLength, pattern, class, sh:node,
    sh:or, and sh:xone of "both" fail); then the cases no copy makes."""
    graph = Graph()
    graph += valid
    for shape in sorted(set(shapes.subjects(SH.targetClass, None))):
        for cls in shapes.objects(shape, SH.targetClass):
            example = min(valid.subjects(RDF.type, cls), default=None)
            assert example is not None, f"the mini fixture has no {cls}: add one"
            graph.add((URIRef(f"{example}-bare"), RDF.type, cls))
            overfull = URIRef(f"{example}-overfull")
            for p, o in valid.predicate_objects(example):
                graph.add((overfull, p, o))
            for path in property_paths(shapes, shape):
                graph.add((overfull, path, Literal("")))
                graph.add((overfull, path, NOWHERE))
    # a measure that starts after it ends (the SPARQL target): 2023 after 2022-03
    late = ID["measure/prottasha-late"]
    for p, o in valid.predicate_objects(MEASURE):
        if p not in (SCHEMA.startDate, SCHEMA.endDate):
            graph.add((late, p, o))
    graph.add((late, SCHEMA.startDate, Literal("2023", datatype=XSD.gYear)))
    graph.add((late, SCHEMA.endDate, Literal("2022-03", datatype=XSD.gYearMonth)))
    # an actor that is no coordination body, with members
    graph.add((ID["actor/brac"], ORG.hasMember, ID["actor/iom"]))
    # a place that is not in the place scheme, named by a measure: pySHACL reports the place too
    graph.remove((PLACE, SKOS.inScheme, None))
    # literals of the wrong form: a decimal that is not a number, an acronym in a language
    figure = ID["figure/bgd-loans-2019"]
    graph.remove((figure, RKG.value, None))
    graph.add((figure, RKG.value, Literal("many", datatype=XSD.decimal)))
    graph.add((ID["actor/iom"], RKG.acronym, Literal("IOM", lang="en")))
    graph.add((MEASURE, SCHEMA.endDate, Literal("2022-13", datatype=XSD.gYearMonth)))
    return graph


@pytest.fixture(scope="module")
def broken(valid):
    return break_everything(valid, shapes_graph())


def constraints(shapes: Graph) -> set[tuple]:
    """Every (shape, constraint component) in the shapes graph; members of sh:or and sh:xone
    lists are left out: they never fail on their own, only their owner does."""
    components = {SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
                  SH.datatype: SH.DatatypeConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
                  SH.maxLength: SH.MaxLengthConstraintComponent, SH["class"]: SH.ClassConstraintComponent,
                  SH.node: SH.NodeConstraintComponent, SH.hasValue: SH.HasValueConstraintComponent,
                  SH["in"]: SH.InConstraintComponent, SH["or"]: SH.OrConstraintComponent,
                  SH.xone: SH.XoneConstraintComponent, SH["and"]: SH.AndConstraintComponent,
                  SH["not"]: SH.NotConstraintComponent, SH.pattern: SH.PatternConstraintComponent,
                  SH.nodeKind: SH.NodeKindConstraintComponent, SH.lessThan: SH.LessThanConstraintComponent,
                  SH.equals: SH.EqualsConstraintComponent, SH.disjoint: SH.DisjointConstraintComponent,
                  SH.minInclusive: SH.MinInclusiveConstraintComponent,
                  SH.maxInclusive: SH.MaxInclusiveConstraintComponent, SH.sparql: SH.SPARQLConstraintComponent}
    members = {m for kind in (SH["or"], SH.xone, SH["and"]) for head in shapes.objects(None, kind)
               for m in Collection(shapes, head)}
    used = {p for p in shapes.predicates() if str(p).startswith(str(SH))}
    unknown = used - set(components) - {SH.path, SH.property, SH.message, SH.severity, SH.select, SH.targetClass,
                                        SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target}
    assert not unknown, f"shapes.ttl uses {unknown}: name its constraint component here"
    return {(s, c) for p, c in components.items() for s in shapes.subjects(p, None) if s not in members}


def test_the_fixture_violates_every_constraint_of_every_shape(broken):
    from pyshacl import validate
    _, report, _ = validate(broken, shacl_graph=shapes_graph(), inference="none", advanced=True,
                            allow_warnings=True)
    reported = {(report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent))
                for r in report.subjects(RDF.type, SH.ValidationResult)}
    expected = constraints(shapes_graph())
    assert len(expected) >= 170
    missing = sorted(f"{shapes_graph().value(s, SH.path) or s} {c.split('#')[1]}" for s, c in expected - reported)
    assert not missing, "break these in break_everything(): " + ", ".join(missing)


def test_the_fast_engine_does_every_shape_itself():
    """Otherwise the equality below would only be pySHACL's agreement with itself."""
    assert fast_validation.plan(shapes_graph()).slow == {}
    assert fast_validation.plan(shapes_graph()).compiled is not None


@pytest.fixture(scope="module")
def reference(broken):
    return shacl_results(broken, shapes_graph(), workers=1, engine="pyshacl")


def test_both_engines_give_the_same_results_on_a_graph_that_breaks_every_shape(broken, reference):
    fast = shacl_results(broken, shapes_graph(), engine="shacl")
    assert fast == reference
    assert len(reference) >= 200
    # the SPARQL target, sh:xone, scheme membership through sh:node, sh:or are all in it
    messages = {r.message for r in fast}
    assert "`start` is after `end`: check the two dates" in messages
    assert "a role names either one existing actor or one actor type" in messages
    assert "`places` must name places listed under `places:` in data/" in messages
    assert "says neither which `country` it is about nor its `scope` (regional or international)" in messages
    # the place outside its scheme is reported on the place itself, as pySHACL nests it under sh:detail
    assert any(r.focus == str(PLACE) and r.path == str(SKOS.inScheme) for r in fast)


def test_an_rdf_file_gives_what_the_graph_gives(broken, reference, tmp_path):
    path = tmp_path / "broken.nt"
    broken.serialize(path, format="nt", encoding="utf-8")
    for engine in ENGINES:
        assert shacl_results(path, shapes_graph(), workers=1, engine=engine) == reference


def test_each_result_maps_to_the_same_file_and_line(broken, conversion):
    by_engine = {engine: shacl_problems(broken, conversion, workers=1, engine=engine) for engine in ENGINES}
    assert by_engine["shacl"] == by_engine["pyshacl"]
    at = {(Path(p.file).name, p.line, p.message) for p in by_engine["shacl"]}
    records = FIXTURES / "mini" / "records.yaml"
    # the measure naming the place outside its scheme, at its `places:` line, and the place itself
    assert ("records.yaml", line_of(records, "places: [bgd-dhaka]"),
            "measure 'prottasha': `places` must name places listed under `places:` in data/") in at
    assert any(line == line_of(records, "id: bgd-dhaka") and message.startswith("place 'bgd-dhaka': ")
               for _, line, message in at)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_the_curated_data_validates_under_both_engines(engine):
    result = build(ROOT / "data", engine=engine)
    assert shacl_results(result.graph, shapes_graph(), engine=engine) == []


# ---------------------------------------------------------------- what the engine is not given

SH_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def test_a_shape_the_engine_is_not_trusted_with_goes_to_pyshacl_and_the_results_merge():
    shapes = Graph().parse(data=SH_PREFIXES + """
        ex:Named a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "needs a name" ] .
        ex:Warned a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:note ; sh:datatype xsd:string ; sh:severity sh:Warning ;
                          sh:message "a note is text" ] .
        ex:Ordered a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "starts before it ends" ] .
        ex:Unsaid a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:code ; sh:maxCount 1 ] .
        ex:Inverse a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path [ sh:inversePath ex:part ] ; sh:maxCount 1 ; sh:message "in one whole" ] .
        """, format="turtle")
    data = Graph().parse(data=SH_PREFIXES + """
        ex:a a ex:Thing ; ex:note 3 ; ex:start 5 ; ex:end 1 ; ex:code 1, 2 .
        ex:w1 ex:part ex:a . ex:w2 ex:part ex:a .
        """, format="turtle")
    slow = fast_validation.plan(shapes).slow
    assert sorted(slow) == [URIRef("http://example.org/Inverse"), URIRef("http://example.org/Ordered"),
                            URIRef("http://example.org/Unsaid")]
    expected = sorted(pyshacl_results(data, shapes, workers=1))
    assert len(expected) == 5 and any(not r.is_violation for r in expected)
    assert shacl_results(data, shapes, engine="shacl") == expected


def test_from_a_file_the_values_that_failed_an_sh_node_shape_are_read_as_far_as_the_shape_looks(tmp_path):
    """pySHACL's nested results need the data around each value: from a file, only the triples
    the shape reads (here two steps out, and rdfs:subClassOf for sh:class) are read for it."""
    shapes = Graph().parse(data=SH_PREFIXES + """
        ex:Holder a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:owner ; sh:node ex:Person ; sh:message "an owner is a person at a firm" ] .
        ex:Person a sh:NodeShape ; sh:class ex:Agent ;
            sh:property [ sh:path ex:employer ; sh:minCount 1 ; sh:class ex:Firm ] .""", format="turtle")
    assert fast_validation.reach(shapes, URIRef("http://example.org/Person")) == 2
    data = Graph().parse(data=SH_PREFIXES + """
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:a a ex:Thing ; ex:owner ex:p1, ex:p2, ex:p3 .
        ex:p1 a ex:Human ; ex:employer ex:o1 .
        ex:p2 a ex:Robot ; ex:employer ex:o2 .
        ex:p3 a ex:Human .
        ex:Human rdfs:subClassOf ex:Agent . ex:Company rdfs:subClassOf ex:Firm .
        ex:o1 a ex:Company . ex:o2 a ex:Club .""", format="turtle")
    path = tmp_path / "data.nt"
    data.serialize(path, format="nt", encoding="utf-8")
    expected = sorted(pyshacl_results(data, shapes, workers=1))
    assert len(expected) == 4  # the owner, and under it: p2 no agent, p2's club no firm, p3 no employer
    assert shacl_results(data, shapes, engine="shacl") == expected
    # pySHACL's own messages name nodes with the data graph's prefixes, which N-Triples has not
    from_file = sorted(pyshacl_results(read_graph(path), shapes, workers=1))
    assert "Less than 1 values on <http://example.org/p3>->ex:employer" in {r.message for r in from_file}
    assert shacl_results(path, shapes, engine="shacl") == from_file


def test_a_result_about_a_blank_node_is_pyshacls():
    shapes = Graph().parse(data=SH_PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "needs a name" ] .""", format="turtle")
    data = Graph().parse(data=SH_PREFIXES + "[] a ex:Thing . ex:b a ex:Thing .", format="turtle")
    expected = sorted(pyshacl_results(data, shapes, workers=1))
    assert len(expected) == 2
    assert shacl_results(data, shapes, engine="shacl") == expected


# ---------------------------------------------------------------- choosing, and pySHACL's own split

def test_the_engine_is_chosen_by_the_settings():
    assert chosen_engine() == "shacl"
    assert Settings.from_env({"RKG_SHACL_ENGINE": "pyshacl"}).shacl_engine == "pyshacl"
    assert chosen_engine(Settings.from_env({"RKG_SHACL_ENGINE": "pyshacl"}).shacl_engine) == "pyshacl"
    assert chosen_engine("shacl") == "shacl"
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        chosen_engine("topbraid")


def test_pyshacl_split_over_processes_finds_what_one_run_finds(broken, reference):
    dealt = shares(broken, shapes_graph(), 3)
    assert sorted(s for share in dealt for s in share) == targeted_shapes(shapes_graph())
    for workers in (2, 3):
        assert shacl_results(broken, shapes_graph(), workers=workers, engine="pyshacl") == reference
