"""The curated YAML format: which kinds of record exist and which fields each may have.

This table is the explicit mapping from YAML to RDF. The loader reads it to check
keys, types, concept values and references, and to emit triples; data/README.md
documents the same fields for curators.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import DCTERMS, PROV, RDFS, SKOS, Namespace, URIRef

RKG = Namespace("https://w3id.org/reintegration-kg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
ID = "https://w3id.org/reintegration-kg/id/"
CONCEPT = "https://w3id.org/reintegration-kg/concept/"

# Concept schemes defined in ontology/concepts.ttl and countries.ttl, by the short name
# fields use; the loader reads their members (skos:notation) from the ontology itself.
SCHEMES = {
    "dimension": RKG.dimensionScheme,
    "level": RKG.levelScheme,
    "phase": RKG.phaseScheme,
    "target-group": RKG.targetGroupScheme,
    "actor-type": RKG.actorTypeScheme,
    "measure-type": RKG.measureTypeScheme,
    "measure-status": RKG.measureStatusScheme,
    "policy-kind": RKG.policyKindScheme,
    "policy-status": RKG.policyStatusScheme,
    "finding-kind": RKG.findingKindScheme,
    "theme": RKG.themeScheme,
    "role": RKG.roleScheme,
    "scope": RKG.scopeScheme,
    "unit": RKG.unitScheme,
    "bound": RKG.boundScheme,
    "country": RKG.countryScheme,
    # derived by the build (graph/derive.py), not written by curators
    "measure-kind": RKG.measureKindScheme,
    "sector": RKG.sectorScheme,
    "counting-unit": RKG.countingUnitScheme,
    # derived by the build (graph/alignment.py): OECD DAC and Global Compact for Migration
    "dac-purpose": RKG.dacPurposeScheme,
    "gcm-objective": RKG.gcmObjectiveScheme,
}


@dataclass(frozen=True)
class Field:
    """One YAML field.

    type: str | text | strs | bool | number | date | concept | concepts | ref | refs |
          roles | source | filed_under
    scheme: for concept(s), a key of SCHEMES
    targets: for ref(s), the record kinds the id may name
    """

    name: str
    type: str
    predicate: URIRef | None = None
    required: bool = False
    scheme: str | None = None
    targets: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of record: the top-level key of a data file that lists such records."""

    key: str
    label: str
    rdf_class: URIRef
    iri_base: str
    fields: tuple[Field, ...]
    needs_source: bool = True

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _common(*fields: Field, name_required: bool = True) -> tuple[Field, ...]:
    head = (
        Field("id", "str", required=True, help="stable slug: lower-case words joined by hyphens"),
        Field("name", "str", RDFS.label, required=name_required),
    )
    tail = (
        Field("note", "text", SKOS.editorialNote, help="curator's note: what is unclear and why"),
        Field("uncertain", "strs", RKG.uncertainField,
              help="names of fields of this record the source does not settle"),
        Field("source", "source", PROV.wasDerivedFrom, help="document, section, quote (or a list of them)"),
    )
    return head + fields + tail


MEASURE_TARGETS = ("measures",)
ANY_SUBJECT = ("measures", "policies", "actors")

KINDS: dict[str, Kind] = {}


def _kind(kind: Kind) -> None:
    KINDS[kind.key] = kind


_kind(Kind("documents", "source document", RKG.SourceDocument, ID + "document/", (
    Field("id", "str", required=True),
    Field("title", "str", DCTERMS.title, required=True),
    Field("publisher", "str", DCTERMS.publisher, required=True),
    Field("issued", "date", DCTERMS.issued),
    Field("file", "str", required=True, help="the plain-text copy in sources/"),
    Field("numbered_sections", "bool",
          help="true when sections are numbered (3.2.1); quotes are then checked against the section"),
    Field("url", "str", SCHEMA.url),
    Field("attribution", "text", DCTERMS.rights),
    Field("note", "text", SKOS.editorialNote),
), needs_source=False))

_kind(Kind("places", "place", RKG.Place, CONCEPT + "place/", _common(
    Field("aliases", "strs", SKOS.altLabel),
    Field("place_type", "str", RKG.placeType, required=True,
          help="state, province, region, division, district, upazila, city, ..."),
    Field("country", "concept", RKG.country, required=True, scheme="country"),
    Field("within", "ref", SKOS.broader, targets=("places",)),
    Field("wikidata", "str", SKOS.exactMatch, help="a Wikidata item id such as Q1186, only where certain"),
), ))

_kind(Kind("indicators", "indicator", RKG.Indicator, CONCEPT + "indicator/", _common(
    Field("definition", "text", SKOS.definition),
    Field("unit", "concept", RKG.unit, scheme="unit"),
), needs_source=False))

_kind(Kind("categories", "category", RKG.Category, CONCEPT + "category/", _common(
    Field("variable", "str", RKG.variable, required=True,
          help="what the category breaks figures down by: sex, education, migrant-group, skills-gained, ..."),
    Field("definition", "text", SKOS.definition),
), needs_source=False))

_kind(Kind("actors", "actor", RKG.Actor, ID + "actor/", _common(
    Field("acronym", "str", RKG.acronym),
    Field("aliases", "strs", SKOS.altLabel),
    Field("type", "concept", RKG.actorType, required=True, scheme="actor-type"),
    Field("countries", "concepts", RKG.activeIn, scheme="country"),
    Field("places", "refs", RKG.place, targets=("places",)),
    Field("parent", "ref", ORG.subOrganizationOf, targets=("actors",)),
    Field("acts_for", "refs", RKG.actsFor, targets=("actors",),
          help="the actor this one acts for or through which another acts (a development agency for its "
               "government): linked, never merged"),
    Field("members", "refs", ORG.hasMember, targets=("actors",), help="for coordination bodies"),
    Field("headed_by", "ref", RKG.headedBy, targets=("actors",), help="for coordination bodies"),
    Field("name_uncertain", "bool", RKG.nameUncertain),
    Field("description", "text", DCTERMS.description),
    Field("url", "str", SCHEMA.url),
)))

_kind(Kind("measures", "measure", RKG.SupportMeasure, ID + "measure/", _common(
    Field("aliases", "strs", SKOS.altLabel),
    Field("acronym", "str", RKG.acronym),
    Field("types", "concepts", RKG.measureType, required=True, scheme="measure-type"),
    Field("country", "concepts", RKG.country, scheme="country"),
    Field("scope", "concept", RKG.scope, scheme="scope"),
    Field("places", "refs", RKG.place, targets=("places",)),
    Field("status", "concept", RKG.status, required=True, scheme="measure-status"),
    Field("start", "date", SCHEMA.startDate),
    Field("end", "date", SCHEMA.endDate),
    Field("dimensions", "concepts", RKG.dimension, scheme="dimension"),
    Field("levels", "concepts", RKG.level, scheme="level"),
    Field("filed_under", "filed_under", help="the dimension and level of the heading the source files it under"),
    Field("target_groups", "concepts", RKG.targetGroup, scheme="target-group"),
    Field("phases", "concepts", RKG.phase, scheme="phase"),
    Field("roles", "roles", RKG.involvement, help="lead, funder, accountable, extending, implementer, partner, supported_by"),
    Field("implements", "refs", RKG.implementsPolicy, targets=("policies",)),
    Field("part_of", "ref", RKG.partOf, targets=MEASURE_TARGETS),
    Field("successor_of", "refs", RKG.successorOf, targets=MEASURE_TARGETS),
    Field("possibly_same_as", "refs", RKG.possiblySameAs, targets=MEASURE_TARGETS),
    Field("general_population", "bool", RKG.generalPopulation),
    Field("pilot", "bool", RKG.pilot),
    Field("description", "text", DCTERMS.description),
    Field("url", "str", SCHEMA.url),
)))

_kind(Kind("policies", "policy", RKG.Policy, ID + "policy/", _common(
    Field("aliases", "strs", SKOS.altLabel),
    Field("acronym", "str", RKG.acronym),
    Field("kind", "concept", RKG.policyKind, required=True, scheme="policy-kind"),
    Field("country", "concepts", RKG.country, scheme="country"),
    Field("scope", "concept", RKG.scope, scheme="scope"),
    Field("year", "date", DCTERMS.issued, help="the year (or date) it was adopted"),
    Field("start", "date", SCHEMA.startDate),
    Field("end", "date", SCHEMA.endDate),
    Field("status", "concept", RKG.policyStatus, required=True, scheme="policy-status"),
    Field("addresses_reintegration", "bool", RKG.addressesReintegration),
    Field("designates", "refs", RKG.designatesAgency, targets=("actors",)),
    Field("issued_by", "refs", DCTERMS.creator, targets=("actors",),
          help="the body that adopted or issued it (a ministry, ILO, ASEAN, ...)"),
    Field("counterparts", "concepts", RKG.counterpart, scheme="country"),
    Field("under", "ref", RKG.underPolicy, targets=("policies",)),
    Field("under_revision", "bool", RKG.underRevision),
    Field("dimensions", "concepts", RKG.dimension, scheme="dimension"),
    Field("target_groups", "concepts", RKG.targetGroup, scheme="target-group"),
    Field("description", "text", DCTERMS.description),
)))

_kind(Kind("findings", "finding", RKG.Finding, ID + "finding/", _common(
    Field("kind", "concept", RKG.findingKind, required=True, scheme="finding-kind"),
    Field("country", "concepts", RKG.country, scheme="country"),
    Field("scope", "concept", RKG.scope, scheme="scope"),
    Field("themes", "concepts", RKG.theme, required=True, scheme="theme"),
    Field("statement", "text", RKG.statement, required=True),
    Field("dimensions", "concepts", RKG.dimension, scheme="dimension"),
    Field("levels", "concepts", RKG.level, scheme="level"),
    Field("phases", "concepts", RKG.phase, scheme="phase"),
    Field("target_groups", "concepts", RKG.targetGroup, scheme="target-group"),
    Field("about", "refs", RKG.about, targets=ANY_SUBJECT),
    name_required=False)))

_kind(Kind("recommendations", "recommendation", RKG.Recommendation, ID + "recommendation/", _common(
    Field("country", "concepts", RKG.country, scheme="country"),
    Field("scope", "concept", RKG.scope, scheme="scope"),
    Field("statement", "text", RKG.statement, required=True),
    Field("themes", "concepts", RKG.theme, required=True, scheme="theme"),
    Field("dimensions", "concepts", RKG.dimension, scheme="dimension"),
    Field("levels", "concepts", RKG.level, scheme="level"),
    Field("phases", "concepts", RKG.phase, scheme="phase"),
    Field("target_groups", "concepts", RKG.targetGroup, scheme="target-group"),
    Field("addresses", "refs", RKG.addressesFinding, targets=("findings",)),
    Field("about", "refs", RKG.about, targets=ANY_SUBJECT),
    name_required=False)))

_kind(Kind("figures", "figure", RKG.Figure, ID + "figure/", _common(
    Field("indicator", "ref", RKG.indicator, required=True, targets=("indicators",)),
    Field("value", "number", RKG.value, required=True),
    Field("unit", "concept", RKG.unit, required=True, scheme="unit"),
    Field("date", "date", RKG.refDate, required=True,
          help="the day, month (2020-11) or year the value refers to; for a running total, up to when"),
    Field("period_start", "date", RKG.periodStart),
    Field("cumulative", "bool", RKG.cumulative),
    Field("bound", "concept", RKG.bound, scheme="bound"),
    Field("country", "concepts", RKG.country, scheme="country"),
    Field("scope", "concept", RKG.scope, scheme="scope"),
    Field("place", "ref", RKG.place, targets=("places",)),
    Field("breakdown", "refs", RKG.breakdown, targets=("categories",),
          help="the subgroups the value is for, e.g. [women, secondary-education]"),
    Field("about", "refs", RKG.about, targets=ANY_SUBJECT),
    name_required=False)))

# The order records are converted in; references may point forwards or backwards.
KIND_ORDER = ["documents", "places", "indicators", "categories", "actors", "policies", "measures",
              "findings", "recommendations", "figures"]

ROLE_PROPERTIES = {
    "lead": RKG.ledBy,
    "funder": RKG.fundedBy,
    "accountable": RKG.accountableActor,
    "extending": RKG.extendingActor,
    "implementer": RKG.implementedBy,
    "partner": RKG.partner,
    "supported_by": RKG.supportedBy,
}

SOURCE_KEYS = ("document", "section", "quote")

__all__ = ["RKG", "SCHEMA", "ORG", "QB", "PROV", "KINDS", "KIND_ORDER", "SCHEMES", "ROLE_PROPERTIES",
           "Field", "Kind", "ID", "CONCEPT", "SOURCE_KEYS"]
