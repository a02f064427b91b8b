"""The ontology parses, documents itself and its concept schemes are well formed."""

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from rkg.graph.build import ONTOLOGY_FILES, ontology_dir, ontology_graph, shapes_graph
from rkg.loaders.schema import KINDS, RKG, SCHEMES

OURS = str(RKG)


def test_every_file_parses():
    for name in ONTOLOGY_FILES + ("shapes.ttl",):
        assert len(Graph().parse(ontology_dir() / name)) > 0


def _our_terms(graph, types):
    return {s for t in types for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(OURS)}


def test_every_class_and_property_has_label_and_comment():
    g = ontology_graph()
    terms = _our_terms(g, [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme])
    assert len(terms) > 60
    missing = [(str(t), kind) for t in terms for kind, p in (("label", RDFS.label), ("comment", RDFS.comment))
               if g.value(t, p) is None]
    assert missing == []


def test_every_concept_has_label_comment_and_notation():
    g = ontology_graph()
    concepts = set(g.subjects(SKOS.inScheme, None))
    assert len(concepts) > 100
    for concept in concepts:
        assert g.value(concept, RDFS.label) is not None, concept
        assert g.value(concept, RDFS.comment) is not None, concept
        assert g.value(concept, SKOS.notation) is not None, concept


def test_every_scheme_the_loader_uses_exists_and_has_members():
    g = ontology_graph()
    for name, scheme in SCHEMES.items():
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g, name
        assert any(g.subjects(SKOS.inScheme, scheme)), name


def test_notations_are_unique_within_a_scheme():
    g = ontology_graph()
    for scheme in SCHEMES.values():
        codes = [str(n) for c in g.subjects(SKOS.inScheme, scheme) for n in g.objects(c, SKOS.notation)]
        assert len(codes) == len(set(codes)), scheme


def test_every_property_the_loader_emits_is_declared():
    g = ontology_graph()
    for kind in KINDS.values():
        assert (kind.rdf_class, RDF.type, OWL.Class) in g or not str(kind.rdf_class).startswith(OURS)
        for field in kind.fields:
            p = field.predicate
            if p is not None and str(p).startswith(OURS):
                assert (p, RDF.type, None) in g, f"{kind.key}.{field.name} -> {p} is not declared"


def test_countries_match_wikidata_and_focus_countries_are_flagged():
    g = ontology_graph()
    focus = {str(g.value(c, SKOS.notation)) for c in g.subjects(RKG.focusCountry, None)}
    assert focus == {"BGD", "IND", "NPL", "PAK", "LKA"}
    for country in g.subjects(SKOS.inScheme, RKG.countryScheme):
        match = g.value(country, SKOS.exactMatch)
        assert match is not None and str(match).startswith("http://www.wikidata.org/entity/Q"), country


def test_roles_are_aligned_to_iati_codes():
    g = ontology_graph()
    codes = {str(g.value(r, SKOS.notation)): str(g.value(r, RKG.iatiCode))
             for r in g.subjects(SKOS.inScheme, RKG.roleScheme) if g.value(r, RKG.iatiCode)}
    assert codes == {"funder": "1", "accountable": "2", "extending": "3", "implementer": "4"}


def test_every_shape_targeting_a_class_is_documented():
    g = shapes_graph()
    SH = "http://www.w3.org/ns/shacl#"
    for shape in g.subjects(URIRef(SH + "targetClass"), None):
        assert g.value(shape, RDFS.comment) is not None, shape
