"""Response models: what each resource returns, as documented in /docs.

Field names follow the curated data format (data/README.md). Controlled values are codes
(`economic`, `ongoing`, `BGD`); references to other records are `{"id", "name"}`.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ref(Model):
    id: str
    name: str | None = None


class TypedRef(Ref):
    kind: str | None = Field(None, description="measure, policy, actor, ...")


class Source(Model):
    document: str | None = None
    section: str | None = None
    quote: str | None = None


class Page(Model, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, before limit and offset")


class FiledUnder(Model):
    dimension: str | None = None
    level: str | None = None


class Record(Model):
    id: str


class Curated(Record):
    """A record curated from the sources: its passages, the curator's note, what stays unsettled."""

    sources: list[Source] = Field([], description="the passages the record is curated from")
    note: str | None = Field(None, description="the curator's note: what the sources leave unclear")
    uncertain: list[str] = Field([], description="fields the sources do not settle")


class Programme(Curated):
    name: str
    acronym: str | None = None
    aliases: list[str] = []
    types: list[str] = []
    country: list[str] = Field([], description="ISO 3166-1 alpha-3 codes of the countries it covers")
    scope: str | None = Field(None, description="regional or international, for measures beyond one country")
    places: list[Ref] = []
    status: str
    start: str | None = None
    end: str | None = None
    dimensions: list[str] = []
    levels: list[str] = []
    filed_under: FiledUnder | None = None
    target_groups: list[str] = []
    phases: list[str] = []
    roles: dict[str, list[Ref]] = Field({}, description="actors by role: lead, funder, implementer, ...")
    role_types: dict[str, list[str]] = Field({}, description="kinds of body by role, where the sources name no actor")
    funders: list[Ref] = []
    implementers: list[Ref] = []
    general_population: bool | None = None
    kind: str | None = Field(None, description="the counting unit, derived: dedicated, component or general-population")
    part_of: Ref | None = Field(None, description="the measure this one is a component of")
    actor_sector: str | None = Field(None, description="state or non-state: whether a State actor takes part "
                                                       "(derived; absent when the sources name no actor)")
    funder_sector: str | None = Field(None, description="state or non-state: whether a State body funds it "
                                                        "(derived; absent when no funder is stated)")
    pilot: bool | None = None
    description: str | None = None
    url: str | None = None


class PolicyRef(Ref):
    kind: str | None = None
    status: str | None = None


class FindingRef(Ref):
    kind: str | None = None
    statement: str | None = None


class Figure(Curated):
    indicator: Ref
    value: float | int
    unit: str
    date: str
    period_start: str | None = None
    cumulative: bool | None = None
    bound: str | None = None
    country: list[str] = []
    scope: str | None = None
    place: Ref | None = None
    breakdown: list[Ref] = []
    about: list[TypedRef] = []


class Involvement(Model):
    role: str
    actor: Ref | None = Field(None, description="the actor, when the source names one")
    actor_type: str | None = Field(None, description="the kind of body, when the source names only that")
    words: str | None = Field(None, description="the words of the source the role rests on")


class ProgrammeDetail(Programme):
    involvements: list[Involvement] = Field([], description="every role, named or by kind of body, with its words")
    policies: list[PolicyRef] = Field([], description="policies it implements")
    parts: list[Ref] = []
    successor_of: list[Ref] = []
    successors: list[Ref] = []
    possibly_same_as: list[Ref] = []
    findings: list[FindingRef] = Field([], description="findings about it")
    recommendations: list[FindingRef] = Field([], description="recommendations about it")
    figures: list[Figure] = Field([], description="figures about it")


class Actor(Curated):
    name: str
    acronym: str | None = None
    aliases: list[str] = []
    type: str
    state: bool = Field(description="whether its type belongs to the State of a country")
    countries: list[str] = []
    parent: Ref | None = None
    name_uncertain: bool | None = None
    description: str | None = None
    url: str | None = None


class MeasureRef(Ref):
    country: list[str] = []
    status: str | None = None


class BodyRef(Ref):
    role: str = Field(description="member or head")


class ActorDetail(Actor):
    measures_by_role: dict[str, list[MeasureRef]] = {}
    coordination_bodies: list[BodyRef] = Field([], description="bodies it heads or is a member of")
    members: list[Ref] = Field([], description="for a coordination body: its members")
    headed_by: Ref | None = None
    subunits: list[Ref] = []
    places: list[Ref] = []
    designated_by: list[PolicyRef] = Field([], description="policies that make it responsible")
    issued: list[PolicyRef] = []
    findings: list[FindingRef] = []
    recommendations: list[FindingRef] = []


class Policy(Curated):
    name: str
    acronym: str | None = None
    aliases: list[str] = []
    kind: str
    country: list[str] = []
    scope: str | None = None
    year: str | None = None
    start: str | None = None
    end: str | None = None
    status: str
    addresses_reintegration: bool | None = None
    under_revision: bool | None = None


class PolicyDetail(Policy):
    designates: list[Ref] = []
    issued_by: list[Ref] = []
    counterparts: list[str] = []
    under: Ref | None = None
    instruments: list[Ref] = Field([], description="policies made under it")
    dimensions: list[str] = []
    target_groups: list[str] = []
    description: str | None = None
    measures: list[MeasureRef] = Field([], description="measures that implement it")
    findings: list[FindingRef] = []
    recommendations: list[FindingRef] = []


class Statement(Curated):
    """What findings and recommendations share: a statement of the assessment, tagged."""

    name: str | None = None
    country: list[str] = []
    scope: str | None = None
    themes: list[str] = []
    statement: str
    dimensions: list[str] = []
    levels: list[str] = []
    phases: list[str] = []
    target_groups: list[str] = []
    about: list[TypedRef] = []


class Finding(Statement):
    kind: str
    recommendations: list[Ref] = Field([], description="recommendations that answer it")


class Recommendation(Statement):
    addresses: list[FindingRef] = []


class Indicator(Model):
    id: str
    name: str | None = None
    unit: str | None = None
    definition: str | None = None
    figures: int = Field(description="number of figures of this indicator")
    countries: list[str] = []


class IndicatorDetail(Indicator):
    values: list[Figure] = []


class CountrySummary(Model):
    iso3: str
    name: str
    focus: bool = Field(description="one of the five countries of origin the graph covers")
    wikidata: str | None = None
    measures: int
    policies: int
    findings: int


class Cell(Model):
    dimension: str
    level: str
    measures: int
    ids: list[str]


class CountryMeasures(Model):
    total: int
    by_dimension: dict[str, int]
    by_level: dict[str, int]
    cells: list[Cell]
    items: list[Programme]


class CountryProfile(Model):
    iso3: str
    name: str
    focus: bool
    wikidata: str | None = None
    policies: list[Policy]
    institutions: list[Actor] = Field(description="actors active in the country")
    measures: CountryMeasures
    findings: list[Finding]
    recommendations: list[Recommendation]
    figures: list[Figure]


class FacetValue(Model):
    value: str
    label: str
    count: int = Field(description="records the list gives with this value chosen (the facet's other values dropped)")
    selected: bool


class FacetCounts(Model):
    name: str = Field(description="the list's parameter")
    label: str
    values: list[FacetValue]


class Years(Model):
    min: int | None
    max: int | None
    undated: int = Field(description="records with neither a start nor an end")


class Facets(Model):
    kind: str
    total: int = Field(description="records the list gives with every filter")
    facets: list[FacetCounts]
    years: Years | None = None
