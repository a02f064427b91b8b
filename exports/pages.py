"""The ontology published: its HTML documentation, its JSON-LD context, and a plain HTML page for any
record or concept of the graph (what `/ontology`, `/ontology/context.jsonld` and `/id/...` serve).

The documentation is generated from ontology/ itself (rkg.ttl, concepts.ttl, countries.ttl and
shapes.ttl) with our own template rather than pyLODE: pyLODE 3.4.1, the newest release the
package index offers here, fails on import (it reads a pyproject.toml its wheel does not ship).
The page lists every class and property with its label, comment, domain, range and parents, every
concept scheme with its codes (and their IATI, DAC, GCM and ISO alignments), and every SHACL shape
with the rule it encodes and the message a curator reads. It loads nothing: no script, no font,
no stylesheet from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..graph.build import ontology_graph, prefixes, shapes_graph
from ..loaders.schema import CONCEPT, ID, RKG

SH = Namespace("http://www.w3.org/ns/shacl#")
RKGSH = Namespace("https://w3id.org/reintegration-kg/shapes#")
QB = Namespace("http://purl.org/linked-data/cube#")
ONTOLOGY_IRI = URIRef(str(RKG).rstrip("#"))
BASE = ID.rstrip("/").rsplit("/", 1)[0]                      # https://w3id.org/reintegration-kg
WIKIDATA = "http://www.wikidata.org/entity/"


def templates() -> Path:
    return Path(str(resources.files("rkg.exports") / "templates"))


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(templates())), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def curie(term: Node | str) -> str:
    text = str(term)
    for prefix, namespace in sorted(prefixes().items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def local_path(iri: str) -> str | None:
    """The path on the API an IRI of ours resolves at (`https://w3id.org/reintegration-kg/id/...` ->
    `/id/...`); the ontology's terms resolve on the documentation page."""
    if iri.startswith(str(RKG)):
        return "/ontology#" + iri[len(str(RKG)):]
    if iri.startswith(str(RKGSH)):
        return "/ontology#shape-" + iri[len(str(RKGSH)):]
    if iri.startswith(BASE + "/"):
        return iri[len(BASE):]
    return None


def _text(graph: Graph, subject, predicate) -> str:
    value = graph.value(subject, predicate)
    return str(value) if value is not None else ""


# ---------------------------------------------------------------------------- the ontology

@dataclass
class Term:
    iri: str
    name: str            # local name, the anchor
    label: str
    comment: str
    kinds: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)   # for classes: our properties whose domain it is


@dataclass
class Scheme:
    iri: str
    name: str
    label: str
    comment: str
    concepts: list[dict]
    extra: list[str]      # names of the alignment columns its concepts carry


@dataclass
class Shape:
    iri: str
    name: str
    label: str
    comment: str
    targets: list[str]
    constraints: list[dict]
    message: str


def _terms(g: Graph, types) -> list[Term]:
    found = {}
    for t in types:
        for s in g.subjects(RDF.type, t):
            if isinstance(s, URIRef) and str(s).startswith(str(RKG)) and s not in found:
                found[s] = Term(str(s), str(s)[len(str(RKG)):], _text(g, s, RDFS.label), _text(g, s, RDFS.comment),
                                sorted(curie(k) for k in g.objects(s, RDF.type)),
                                sorted(curie(p) for p in g.objects(s, RDFS.subClassOf) if isinstance(p, URIRef))
                                + sorted(curie(p) for p in g.objects(s, RDFS.subPropertyOf)),
                                sorted(curie(d) for d in g.objects(s, RDFS.domain)),
                                sorted(curie(r) for r in g.objects(s, RDFS.range)))
    return sorted(found.values(), key=lambda term: term.name.lower())


def _schemes(g: Graph) -> list[Scheme]:
    alignments = [("IATI code", RKG.iatiCode), ("IATI organisation type", RKG.iatiOrganisationType),
                  ("State", RKG.stateSector), ("ISO alpha-2", RKG.isoAlpha2), ("Wikidata", SKOS.exactMatch)]
    out = []
    for scheme in sorted(set(g.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
        if not str(scheme).startswith(str(RKG)):
            continue
        concepts, used = [], []
        for concept in g.subjects(SKOS.inScheme, scheme):
            row: dict = {"iri": str(concept), "code": _text(g, concept, SKOS.notation),
                   "label": _text(g, concept, SKOS.prefLabel) or _text(g, concept, RDFS.label),
                   "comment": _text(g, concept, RDFS.comment), "path": local_path(str(concept)), "extra": {}}
            for name, predicate in alignments:
                value = g.value(concept, predicate)
                if value is not None:
                    row["extra"][name] = str(value).replace(WIKIDATA, "") if predicate == SKOS.exactMatch else \
                        str(value).lower() if isinstance(value, Literal) and value.datatype == XSD.boolean else str(value)
                    if name not in used:
                        used.append(name)
            concepts.append(row)
        concepts.sort(key=lambda c: c["code"])
        out.append(Scheme(str(scheme), str(scheme)[len(str(RKG)):], _text(g, scheme, RDFS.label),
                          _text(g, scheme, RDFS.comment), concepts, [n for n, _ in alignments if n in used]))
    return out


def _constraint(g: Graph, node) -> dict:
    def values(predicate):
        return [curie(v) if isinstance(v, URIRef) else str(v) for v in g.objects(node, predicate)]

    parts = []
    for label, predicate in (("at least", SH.minCount), ("at most", SH.maxCount)):
        for v in values(predicate):
            parts.append(f"{label} {v}")
    for label, predicate in (("class", SH["class"]), ("datatype", SH.datatype), ("in scheme of", SH.node),
                             ("has value", SH.hasValue), ("pattern", SH.pattern), ("min length", SH.minLength)):
        for v in values(predicate):
            parts.append(f"{label} {v}")
    if (node, SH["or"], None) in g or (node, SH.xone, None) in g:
        parts.append("one of several alternatives (sh:or / sh:xone)")
    path = g.value(node, SH.path)
    return {"path": curie(path) if path is not None else "", "rule": ", ".join(parts),
            "message": _text(g, node, SH.message)}


def _shapes(g: Graph) -> list[Shape]:
    out = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)), key=str):
        if not isinstance(shape, URIRef):
            continue
        targets = [curie(t) for p in (SH.targetClass, SH.targetSubjectsOf) for t in g.objects(shape, p)]
        if (shape, SH.target, None) in g:
            targets.append("the records a SPARQL target selects")
        constraints = [_constraint(g, p) for p in g.objects(shape, SH.property)]
        if (shape, SH.path, None) in g:
            constraints.insert(0, _constraint(g, shape))
        constraints.sort(key=lambda c: c["path"])
        out.append(Shape(str(shape), str(shape)[len(str(RKGSH)):], _text(g, shape, RDFS.label),
                         _text(g, shape, RDFS.comment), targets, constraints, _text(g, shape, SH.message)))
    # the documented shapes first (one per class, with their rule), then the building blocks
    return sorted(out, key=lambda s: (not s.comment, s.name.lower()))


@lru_cache(maxsize=1)
def ontology_html() -> str:
    g = ontology_graph()
    classes = _terms(g, [OWL.Class])
    properties = _terms(g, [OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property])
    names = {t.name for t in classes + properties}
    others = [t for t in _terms(g, [QB.DataSet, QB.DataStructureDefinition]) if t.name not in names]
    for c in classes:
        c.used_by = sorted(p.name for p in properties if f"rkg:{c.name}" in p.domain)
        c.children = sorted(o.name for o in classes if f"rkg:{c.name}" in o.parents)
    return _env().get_template("ontology.html.j2").render(
        title=_text(g, ONTOLOGY_IRI, RDFS.label), iri=str(ONTOLOGY_IRI), namespace=str(RKG),
        comment=_text(g, ONTOLOGY_IRI, RDFS.comment), version=_text(g, ONTOLOGY_IRI, OWL.versionInfo),
        licence=_text(g, ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/license")),
        classes=classes, properties=properties, others=others, schemes=_schemes(g), shapes=_shapes(shapes_graph()),
        prefixes=sorted(prefixes().items()))


@lru_cache(maxsize=1)
def ontology_turtle() -> bytes:
    return ontology_graph().serialize(format="turtle", encoding="utf-8")


@lru_cache(maxsize=1)
def shapes_turtle() -> bytes:
    return shapes_graph().serialize(format="turtle", encoding="utf-8")


# ---------------------------------------------------------------------------- the JSON-LD context

@lru_cache(maxsize=1)
def context() -> dict:
    """A JSON-LD context for the graph: the prefixes, and every term of ours by its local name
    (`SupportMeasure`, `measureType`, ...), object properties typed `@id`, datatype properties with
    their datatype; with it a JSON-LD document (the graph, a record) reads as plain JSON."""
    g = ontology_graph()
    terms: dict = {prefix: namespace for prefix, namespace in sorted(prefixes().items())}
    terms |= {"id": "@id", "type": "@type"}
    for term in _terms(g, [OWL.Class]):
        terms[term.name] = f"rkg:{term.name}"
    for term in _terms(g, [OWL.ObjectProperty, OWL.DatatypeProperty]):
        iri = URIRef(term.iri)
        if (iri, RDF.type, OWL.ObjectProperty) in g:
            terms[term.name] = {"@id": f"rkg:{term.name}", "@type": "@id"}
        else:
            ranges = [r for r in g.objects(iri, RDFS.range) if str(r).startswith(str(XSD)) and r != XSD.string]
            terms[term.name] = {"@id": f"rkg:{term.name}"} | ({"@type": curie(ranges[0])} if ranges else {})
    reused = {"label": "rdfs:label", "comment": "rdfs:comment", "prefLabel": "skos:prefLabel",
              "altLabel": "skos:altLabel", "notation": "skos:notation", "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
              "broader": {"@id": "skos:broader", "@type": "@id"}, "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
              "editorialNote": "skos:editorialNote", "definition": "skos:definition",
              "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
              "agent": {"@id": "prov:agent", "@type": "@id"}, "hadRole": {"@id": "prov:hadRole", "@type": "@id"},
              "startDate": "schema:startDate", "endDate": "schema:endDate", "url": {"@id": "schema:url", "@type": "@id"},
              "title": "dcterms:title", "description": "dcterms:description", "issued": "dcterms:issued",
              "publisher": "dcterms:publisher", "hasMember": {"@id": "org:hasMember", "@type": "@id"},
              "subOrganizationOf": {"@id": "org:subOrganizationOf", "@type": "@id"},
              "dataSet": {"@id": "qb:dataSet", "@type": "@id"}}
    return {"@context": terms | {k: v for k, v in reused.items() if k not in terms}}


# ---------------------------------------------------------------------------- a record's page

def record_html(iri: str, triples: list[tuple], names: dict[str, str], data_version: str) -> str:
    """A plain HTML page of the resource `iri` from its DESCRIBE-like triples (its own, and those of
    the nodes inside it: roles and source passages); `names` gives labels of the IRIs it links to."""
    g = ontology_graph()
    own = [(p, o) for s, p, o in triples if str(s) == iri]
    inner: dict[str, list] = {}
    for s, p, o in triples:
        if str(s) != iri:
            inner.setdefault(str(s), []).append((p, o))

    def label_of(predicate) -> str:
        found = g.value(predicate, RDFS.label)
        return str(found) if found is not None else curie(predicate)

    def value(o) -> dict:
        if isinstance(o, URIRef):
            text = names.get(str(o)) or curie(o)
            return {"text": text, "href": local_path(str(o)) or str(o), "iri": str(o)}
        return {"text": str(o), "href": None, "iri": None}

    def rows(pairs) -> list[dict]:
        grouped: dict[str, dict] = {}
        for p, o in pairs:
            if p == RDF.type:
                continue
            entry = grouped.setdefault(str(p), {"label": label_of(p), "curie": curie(p), "objects": []})
            entry["objects"].append(value(o))
        for entry in grouped.values():
            entry["objects"].sort(key=lambda v: v["text"])
        return sorted(grouped.values(), key=lambda e: e["label"].lower())

    labels = [str(o) for p, o in own if p in (RDFS.label, SKOS.prefLabel)]
    title = labels[0] if labels else iri.rsplit("/", 1)[-1]
    types = sorted(value(o)["text"] for p, o in own if p == RDF.type)
    parts = [{"id": s.split("#", 1)[1], "rows": rows(pairs),
              "types": sorted(curie(o) for p, o in pairs if p == RDF.type)} for s, pairs in sorted(inner.items())]
    return _env().get_template("record.html.j2").render(
        title=title, iri=iri, types=types, rows=rows(own), parts=parts, data_version=data_version)


__all__ = ["ontology_html", "ontology_turtle", "shapes_turtle", "context", "record_html", "local_path", "curie",
           "CONCEPT"]
