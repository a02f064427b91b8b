"""Curated YAML records -> RDF triples, checking keys, values and references on the way.

Every problem is collected (never raised one at a time) with the file and line of the
offending key, so a curator sees all of them in one run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV

from .problems import Problem, did_you_mean
from .provenance import SourceText, in_section, normalise, section_number
from .schema import KIND_ORDER, KINDS, QB, RKG, ROLE_PROPERTIES, SCHEMES, SOURCE_KEYS, Field, Kind
from .yamlio import LineDict, LineList, read_yaml

DATA_SCHEMES = {"places": RKG.placeScheme, "indicators": RKG.indicatorScheme, "categories": RKG.categoryScheme}
ROLE_ACTOR = Field("roles", "refs", targets=("actors",))
ROLE_ENTRY_KEYS = ("actor", "type", "words", "source")
MAX_PROBLEMS_PER_FILE = 100  # a file of a million bad entries is told in a hundred lines (and one more)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
DATE_FORMS = [
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), XSD.date),
]


def _name(value) -> str | None:
    """The text of a single value (an id, a code, a section number), or None for a list or a
    mapping: a structure is never turned into text, however large it is."""
    return str(value) if isinstance(value, (str, int, float)) else None


def _show(value, limit: int = 100) -> str:
    """A value as a message quotes it: a single value up to `limit` characters, anything else by kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value) if value is None or isinstance(value, (str, int, float, Decimal, dt.date)) \
        else type(value).__name__
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass
class Record:
    kind: Kind
    data: LineDict
    file: str
    line: int

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def iri(self) -> URIRef:
        return URIRef(self.kind.iri_base + self.id)

    def line_of(self, key: str) -> int:
        return self.data.line_of(key) if isinstance(self.data, LineDict) else self.line


@dataclass
class Conversion:
    graph: Graph
    problems: list[Problem]
    records: dict[str, Record]
    # (record IRI, predicate) -> line of the YAML key that produced it, for SHACL messages
    key_lines: dict[tuple[URIRef, URIRef], int] = field(default_factory=dict)
    # ids of records the loader already refused: SHACL results about them would only repeat it
    records_with_problems: set[str] = field(default_factory=set)
    _by_iri: dict | None = field(default=None, repr=False)

    def locate(self, node: URIRef, predicate: URIRef | None) -> tuple[Record | None, int]:
        base = URIRef(str(node).split("#", 1)[0])
        if self._by_iri is None or len(self._by_iri) != len(self.records):  # one look-up per SHACL result
            self._by_iri = {r.iri: r for r in self.records.values()}
        record = self._by_iri.get(base)
        if record is None:
            return None, 0
        line = self.key_lines.get((base, predicate)) if predicate is not None else None
        return record, line or record.line


class Converter:
    def __init__(self, ontology: Graph, data_dir: Path, sources_dir: Path, into: Graph | None = None):
        """`into`: the graph the records are written into (by default a new one); the build gives
        the graph that already holds the ontology, so that 20,000 triples are not copied again."""
        self.ontology = ontology
        self.data_dir = data_dir
        self.sources_dir = sources_dir
        self.problems: list[Problem] = []
        self.graph = Graph() if into is None else into
        self.records: dict[str, Record] = {}
        self.key_lines: dict[tuple[URIRef, URIRef], int] = {}
        self.schemes = {name: self._scheme_members(iri) for name, iri in SCHEMES.items()}
        self.texts: dict[str, SourceText | None] = {}
        self.current: Record | None = None
        self.records_with_problems: set[str] = set()
        self.unreadable: list[str] = []  # the text of each file with a YAML syntax error
        self._listed: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ reading
    def _scheme_members(self, scheme: URIRef) -> dict[str, URIRef]:
        return {str(code): URIRef(str(concept))
                for concept in self.ontology.subjects(SKOS.inScheme, scheme)
                for code in self.ontology.objects(concept, SKOS.notation)}

    @property
    def truncated(self) -> bool:
        """Whether a file had more problems than are listed."""
        return any(unlisted for _, unlisted, _ in self._listed.values())

    def problem(self, file: str, line: int, code: str, message: str, hint: str = "",
                column: int = 0, severity: str = "error") -> None:
        if self.current is not None and severity == "error":
            self.records_with_problems.add(self.current.id)
        listed = self._listed.setdefault(file, [0, 0, 0])  # listed, not listed, line of the first not listed
        if listed[0] >= MAX_PROBLEMS_PER_FILE:
            listed[1] += 1
            listed[2] = listed[2] or line
            return
        listed[0] += 1
        self.problems.append(Problem(file, line, column, code, message, hint, severity))

    def read(self, files: list[Path], contents: dict[Path, bytes] | None = None) -> None:
        """Read the records of `files`; `contents`: their bytes, when the caller has read them."""
        for path in files:
            rel = path.relative_to(self.data_dir.parent).as_posix() if self.data_dir.parent in path.parents \
                else path.as_posix()
            data = contents.get(path) if contents else None
            doc, problem = read_yaml(path, data)
            if problem:
                self.problem(rel, problem.line, "yaml-syntax", problem.message, problem.hint, problem.column)
                with contextlib.suppress(OSError):
                    self.unreadable.append((path.read_bytes() if data is None else data).decode("utf-8", "replace"))
                continue
            if doc is None:
                continue
            if not isinstance(doc, LineDict):
                self.problem(rel, 1, "bad-structure",
                             "a data file must be a mapping from kinds of record to lists of records",
                             f"start the file with one of: {', '.join(KIND_ORDER)}")
                continue
            for key, items in doc.items():
                kind = KINDS.get(key)
                if kind is None:
                    self.problem(rel, doc.line_of(key), "unknown-kind", f"unknown kind of record '{_show(key)}'",
                                 did_you_mean(key, KINDS) or f"use one of: {', '.join(KIND_ORDER)}")
                    continue
                if items is None:
                    continue
                if not isinstance(items, LineList):
                    self.problem(rel, doc.line_of(key), "bad-structure",
                                 f"'{_show(key)}' must be a list of records (each starting with '- id: ...')")
                    continue
                for index, item in enumerate(items):
                    line = items.line_of(index)
                    if not isinstance(item, LineDict):
                        self.problem(rel, line, "bad-structure", f"each entry of '{_show(key)}' must be a record "
                                     "with fields (`- id: ...`), not a plain value")
                        continue
                    self._register(Record(kind, item, rel, line))

    def _register(self, record: Record) -> None:
        rid = record.data.get("id")
        if rid is None:
            self.problem(record.file, record.line, "missing-field", f"a {record.kind.label} record has no 'id'",
                         "add `id: some-stable-slug` as the first field")
            return
        if not isinstance(rid, str) or not SLUG.match(rid):
            if _name(rid) is None:
                self.problem(record.file, record.line_of("id"), "bad-id",
                             f"an id is one word, not {_show(rid)}", "write `id: some-stable-slug`")
                return
            suggestion = re.sub(r"[^a-z0-9]+", "-", str(rid)[:100].lower()).strip("-")
            self.problem(record.file, record.line_of("id"), "bad-id",
                         f"'{_show(rid)}' is not a valid id: ids are lower-case letters and digits joined by hyphens",
                         f"use `id: {suggestion}`")
            return
        if rid in self.records:
            first = self.records[rid]
            self.problem(record.file, record.line_of("id"), "duplicate-id",
                         f"the id '{rid}' is already used by the {first.kind.label} at {first.file}:{first.line}",
                         "ids are unique across all files and kinds: rename one of them")
            return
        self.records[rid] = record

    # ------------------------------------------------------------------ converting
    def convert(self) -> Conversion:
        for kind_key in KIND_ORDER:
            for record in [r for r in self.records.values() if r.kind.key == kind_key]:
                self.current = record
                self._convert(record)
        self.current = None
        self._infer_activity()
        for file, (_, unlisted, line) in self._listed.items():
            if unlisted:
                self.problems.append(Problem(file, max(line, 1), 0, "too-many-problems",
                                             f"{unlisted} more problem(s) in this file are not listed (only the "
                                             f"first {MAX_PROBLEMS_PER_FILE} are), and the SHACL shapes were not "
                                             "checked", "fix these, then validate again"))
        return Conversion(self.graph, self.problems, self.records, self.key_lines, self.records_with_problems)

    def _convert(self, record: Record) -> None:
        kind, data, subject = record.kind, record.data, record.iri
        add = self.graph.add
        add((subject, RDF.type, kind.rdf_class))
        for key in data:
            if kind.field(key) is None:
                self.problem(record.file, record.line_of(key), "unknown-key",
                             f"unknown field '{_show(key)}' in {kind.label} '{record.id}'",
                             did_you_mean(key, kind.field_names) or
                             f"the fields of a {kind.label} are: {', '.join(kind.field_names)}")
        for spec in kind.fields:
            if spec.required and (spec.name not in data or data[spec.name] in (None, "", [])):
                self.problem(record.file, record.line, "missing-field",
                             f"{kind.label} '{record.id}' has no '{spec.name}'",
                             f"add `{spec.name}: ...`" + (f" ({spec.help})" if spec.help else ""))
        if kind.needs_source and "source" not in data:
            self.problem(record.file, record.line, "missing-source",
                         f"{kind.label} '{record.id}' cites no source",
                         "add `source: {document: ..., section: ..., quote: \"...\"}` with a verbatim quote")
        for key, value in data.items():
            field_spec = kind.field(key)
            if field_spec is None or key == "id" or value is None:
                continue
            if field_spec.predicate is not None:
                self.key_lines[(subject, field_spec.predicate)] = record.line_of(key)
            self._field(record, field_spec, value)
        if kind.key in ("measures", "policies", "findings", "recommendations") \
                and "country" not in data and "scope" not in data:
            self.problem(record.file, record.line, "missing-field",
                         f"{kind.label} '{record.id}' has neither 'country' nor 'scope'",
                         "add `country: BGD` (ISO 3166-1 alpha-3) or `scope: regional` / `scope: international`")
        if kind.key == "actors" and data.get("type") == "coordination-body":
            add((subject, RDF.type, RKG.CoordinationBody))
        if kind.key == "figures":
            add((subject, QB.dataSet, RKG.figures))
            area = self._ref_iri(data.get("place"), ("places",))
            for country in self._as_list(data.get("country")):
                if area is None:
                    area = self.schemes["country"].get(_name(country) or "")
            if area is None:
                area = self.schemes["scope"].get(_name(data.get("scope")) or "")
            if area is not None:
                add((subject, RKG.refArea, area))
        if kind.key in DATA_SCHEMES:
            add((subject, RDF.type, SKOS.Concept))
            add((subject, SKOS.inScheme, DATA_SCHEMES[kind.key]))
            add((subject, SKOS.notation, Literal(record.id)))
            if _name(data.get("name")) is not None:
                add((subject, SKOS.prefLabel, Literal(_name(data["name"]))))
        country_concept = self.schemes["country"].get(_name(data.get("country")) or "")
        if kind.key == "places" and "within" not in data and country_concept is not None:
            add((subject, SKOS.broader, country_concept))
        if kind.key == "documents":
            self._load_text(record)

    @staticmethod
    def _as_list(value) -> list:
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def _field(self, record: Record, spec: Field, value) -> None:
        subject, line = record.iri, record.line_of(spec.name)
        where = f"'{spec.name}' of {record.kind.label} '{record.id}'"

        def add(obj) -> None:
            if spec.predicate is not None:
                self.graph.add((subject, spec.predicate, obj))

        t = spec.type
        if t in ("str", "text"):
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                self.problem(record.file, line, "bad-value", f"{where} must be text, not {type(value).__name__}",
                             "write a single line of text (quote it if it contains ': ')")
                return
            if spec.name == "wikidata":
                if not WIKIDATA.match(str(value)):
                    self.problem(record.file, line, "bad-value", f"{where} must be a Wikidata id like Q1186")
                    return
                add(URIRef("http://www.wikidata.org/entity/" + str(value)))
                return
            add(URIRef(str(value)) if spec.name == "url" else Literal(str(value).strip()))
        elif t == "strs":
            items = self._as_list(value)
            for item in items:
                if not isinstance(item, (str, int, float)):
                    self.problem(record.file, line, "bad-value", f"{where} must be a list of text values")
                    return
                add(Literal(str(item).strip()))
        elif t == "bool":
            if not isinstance(value, bool):
                self.problem(record.file, line, "bad-value", f"{where} must be true or false, not '{_show(value)}'",
                             f"write `{spec.name}: true` or `{spec.name}: false`")
                return
            if spec.predicate is not None:
                add(Literal(value))
        elif t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                self.problem(record.file, line, "bad-value", f"{where} must be a number")
                return
            try:
                number = Decimal(str(value).replace(",", "")) if isinstance(value, str) else Decimal(str(value))
                if not number.is_finite() or abs(number.adjusted()) > 30:  # NaN, .inf, 1e999999999
                    raise InvalidOperation
            except InvalidOperation:
                self.problem(record.file, line, "bad-value", f"{where} must be a number, not '{_show(value)}'",
                             "write digits only, e.g. 1340601 (no thousands separators, units or words)")
                return
            add(Literal(canonical_decimal(number), datatype=XSD.decimal))
        elif t == "date":
            literal = self._date(value)
            if literal is None:
                self.problem(record.file, line, "bad-date", f"{where} is not a date: '{_show(value)}'",
                             "write a year (2013), a month (2020-11) or a day (2020-11-26)")
                return
            add(literal)
        elif t in ("concept", "concepts", "ref", "refs"):
            if t in ("concept", "ref") and isinstance(value, list):
                self.problem(record.file, line, "bad-value",
                             f"{where} takes one {'value' if t == 'concept' else 'id'}, not a list")
                return
            lookup = self._concept if t.startswith("concept") else self._resolve
            for item in self._as_list(value):
                node = lookup(record, spec, item, line)
                if node is not None:
                    add(node)
        elif t == "roles":
            self._roles(record, value, line)
        elif t == "filed_under":
            self._filed_under(record, value, line)
        elif t == "source":
            self._sources(record, value, line)

    @staticmethod
    def _date(value) -> Literal | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
            return None
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()[:10]
        text = str(value)
        for pattern, datatype in DATE_FORMS:
            if pattern.match(text):
                if datatype == XSD.date:
                    try:
                        dt.date.fromisoformat(text)
                    except ValueError:
                        return None
                return Literal(text, datatype=datatype)
        return None

    def _concept(self, record: Record, spec: Field, value, line: int) -> URIRef | None:
        members, name = self.schemes[spec.scheme or ""], _name(value)
        if name is not None and name in members and not isinstance(value, bool):
            return members[name]
        allowed = sorted(members)
        listing = ", ".join(allowed) if len(allowed) <= 30 else ", ".join(allowed[:30]) + ", ..."
        hint = did_you_mean(name, allowed) if name is not None else ""
        self.problem(record.file, line, "not-in-scheme",
                     f"{repr(_show(value)) if name is not None else _show(value)} is not a {spec.scheme} "
                     f"('{spec.name}' of {record.kind.label} '{record.id}'); "
                     f"allowed values: {listing}",
                     hint or ("add the concept to ontology/ if it is really missing" if spec.scheme != "country"
                              else "use an ISO 3166-1 alpha-3 code listed in ontology/countries.ttl"))
        return None

    def _resolve(self, record: Record, spec: Field, value, line: int) -> URIRef | None:
        name = _name(value)
        target = self.records.get(name) if name is not None else None
        if target is not None and target.kind.key in spec.targets:
            return target.iri
        wanted = " or ".join(KINDS[k].label for k in spec.targets)
        if target is not None:
            self.problem(record.file, line, "bad-reference",
                         f"'{_show(value)}' in '{spec.name}' of {record.kind.label} '{record.id}' is a "
                         f"{target.kind.label} ({target.file}:{target.line}), not a {wanted}")
            return None
        if self._in_unreadable(name):
            return None
        candidates = [r.id for r in self.records.values() if r.kind.key in spec.targets]
        self.problem(record.file, line, "unknown-reference",
                     f"'{spec.name}' of {record.kind.label} '{record.id}' refers to {wanted} '{_show(value)}', "
                     f"which does not exist",
                     did_you_mean(name or "", candidates) or f"add a {wanted} record with `id: {_show(value)}`")
        return None

    def _in_unreadable(self, name: str | None) -> bool:
        """Whether the missing id `name` may be in a file that could not be read: its syntax error is
        reported, and an error here would only follow from it (the record is still not built)."""
        word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") if name else None
        if word is None or not any(word.search(text) for text in self.unreadable):
            return False
        if self.current is not None:
            self.records_with_problems.add(self.current.id)
        return True

    def _ref_iri(self, value, targets) -> URIRef | None:
        target = self.records.get(_name(value) or "")
        return target.iri if target is not None and target.kind.key in targets else None

    def _roles(self, record: Record, value, line: int) -> None:
        """`roles: {role: [entry, ...]}`: an entry is an actor id, or a mapping naming an actor
        (`actor:`) or, where the source says only what kind of body it is, an actor type (`type:`),
        with the words of the source it rests on (`words:`) and their passage (`source:`)."""
        if not isinstance(value, LineDict):
            self.problem(record.file, line, "bad-value",
                         f"'roles' of {record.kind.label} '{record.id}' must map roles to lists of actor ids",
                         "e.g. roles: {funder: [european-union], implementer: [iom]}")
            return
        for role, entries in value.items():
            role_line = value.line_of(role)
            if role not in ROLE_PROPERTIES:
                self.problem(record.file, role_line, "not-in-scheme",
                             f"'{_show(role)}' is not a role (in measure '{record.id}'); allowed values: "
                             + ", ".join(ROLE_PROPERTIES), did_you_mean(role, ROLE_PROPERTIES))
                continue
            items = entries if isinstance(entries, LineList) else self._as_list(entries)
            for index, entry in enumerate(items):
                entry_line = items.line_of(index) if isinstance(items, LineList) else role_line
                if isinstance(entry, LineDict):
                    self._role_entry(record, role, entry, entry_line)
                else:
                    self._involvement(record, role, entry, role_line)

    def _involvement(self, record: Record, role: str, actor, line: int) -> URIRef | None:
        target = self._resolve(record, ROLE_ACTOR, actor, line)
        if target is None:
            return None
        node = URIRef(f"{record.iri}#{role.replace('_', '-')}-{actor}")
        self._role_node(record, role, node)
        self.graph.add((node, PROV.agent, target))
        self.graph.add((record.iri, RKG.involves, target))
        self.graph.add((record.iri, ROLE_PROPERTIES[role], target))
        self.key_lines[(record.iri, ROLE_PROPERTIES[role])] = line
        return node

    def _role_node(self, record: Record, role: str, node: URIRef) -> None:
        self.graph.add((record.iri, RKG.involvement, node))
        self.graph.add((node, RDF.type, RKG.Involvement))
        self.graph.add((node, PROV.hadRole, self.schemes["role"][role]))

    def _role_entry(self, record: Record, role: str, entry: LineDict, line: int) -> None:
        where = f"a '{role}' entry of {record.kind.label} '{record.id}'"
        for key in entry:
            if key not in ROLE_ENTRY_KEYS:
                self.problem(record.file, entry.line_of(key), "unknown-key", f"unknown field '{_show(key)}' in {where}",
                             did_you_mean(key, ROLE_ENTRY_KEYS) or
                             "a role entry has `actor` (or `type`), `words` and `source`")
        if ("actor" in entry) == ("type" in entry):
            self.problem(record.file, line, "bad-value", f"{where} must name either an `actor` or a `type`",
                         "`actor: <actor id>` when the source names the body; `type: <actor type>` when it says "
                         "only what kind of body it is (\"a government scheme\", \"CSOs\")")
            return
        if "actor" in entry:
            node = self._involvement(record, role, entry["actor"], entry.line_of("actor"))
        else:
            spec = Field(f"roles.{role}.type", "concept", scheme="actor-type")
            concept = self._concept(record, spec, entry["type"], entry.line_of("type"))
            node = None
            if concept is not None:
                node = URIRef(f"{record.iri}#{role.replace('_', '-')}-type-{entry['type']}")
                self._role_node(record, role, node)
                self.graph.add((node, RKG.agentType, concept))
                if "source" not in entry and "words" not in entry:
                    self.problem(record.file, line, "missing-field",
                                 f"{where} names only the type of body: give the `words` of the source it rests on",
                                 "e.g. {type: ngo, words: \"CSOs\", source: {document: ..., section: ..., quote: ...}}")
        if node is None:
            return
        if entry.get("words") is not None:
            words = entry["words"]
            if not isinstance(words, str) or not words.strip():
                self.problem(record.file, entry.line_of("words"), "bad-value",
                             f"`words` of {where} must be the words of the source, as text")
            else:
                self.graph.add((node, RKG.statedAs, Literal(words.strip())))
                quotes = [_name(s.get("quote", "")) or "" for s in self._as_list(entry.get("source"))
                          if isinstance(s, LineDict)]
                quotes = quotes or [_name(s.get("quote", "")) or "" for s in self._as_list(record.data.get("source"))
                                    if isinstance(s, LineDict)]
                if not any(normalise(words) in normalise(q) for q in quotes):
                    self.problem(record.file, entry.line_of("words"), "words-not-in-quote",
                                 f"the words \"{_show(words)}\" of {where} are not in its quote",
                                 "copy the words from the quote of the entry's `source` (or of the record's)")
        if entry.get("source") is not None:
            self._sources(record, entry["source"], entry.line_of("source"), subject=node,
                          prefix=f"{node.split('#', 1)[1]}-source")

    def _filed_under(self, record: Record, value, line: int) -> None:
        if not isinstance(value, LineDict) or not set(value) <= {"dimension", "level"}:
            self.problem(record.file, line, "bad-value",
                         f"'filed_under' of {record.kind.label} '{record.id}' takes `dimension` and/or `level`",
                         "e.g. filed_under: {dimension: social, level: individual}")
            return
        for key, scheme, narrow, broad in (("dimension", "dimension", RKG.filedUnderDimension, RKG.dimension),
                                          ("level", "level", RKG.filedUnderLevel, RKG.level)):
            if key in value:
                spec = Field(f"filed_under.{key}", "concept", narrow, scheme=scheme)
                concept = self._concept(record, spec, value[key], value.line_of(key))
                if concept is not None:
                    self.graph.add((record.iri, narrow, concept))
                    self.graph.add((record.iri, broad, concept))

    def _sources(self, record: Record, value, line: int, subject: URIRef | None = None,
                 prefix: str = "source") -> None:
        """The passages `value` cites, as evidence of `subject` (the record, or one of its roles)."""
        subject = subject if subject is not None else record.iri
        items = value if isinstance(value, LineList) else [value]
        for index, item in enumerate(items, start=1):
            item_line = items.line_of(index - 1) if isinstance(items, LineList) else line
            if not isinstance(item, LineDict):
                self.problem(record.file, item_line, "bad-source",
                             f"the source of {record.kind.label} '{record.id}' must have document, section and quote",
                             "source: {document: reintegration-mapping-south-asia, section: \"3.2.1\", quote: \"...\"}")
                continue
            for key in item:
                if key not in SOURCE_KEYS + ("supports",):
                    self.problem(record.file, item.line_of(key), "unknown-key",
                                 f"unknown field '{_show(key)}' in the source of {record.kind.label} '{record.id}'",
                                 did_you_mean(key, SOURCE_KEYS + ("supports",))
                                 or "a source has document, section and quote (and `supports`)")
            structured = [k for k in SOURCE_KEYS if item.get(k) is not None and _name(item[k]) is None]
            for key in structured:
                self.problem(record.file, item.line_of(key), "bad-source",
                             f"the {key} of a source of {record.kind.label} '{record.id}' must be text, "
                             f"not {_show(item[key])}", "write one line of text (quote it)")
            if structured:
                continue
            missing = [k for k in SOURCE_KEYS if not item.get(k)]
            if missing:
                self.problem(record.file, item.line, "bad-source",
                             f"the source of {record.kind.label} '{record.id}' lacks {', '.join(missing)}",
                             "every source names its document, section and a short verbatim quote")
            document = self.records.get(_name(item.get("document")) or "")
            if item.get("document") and document is None and self._in_unreadable(_name(item["document"])):
                pass
            elif item.get("document") and (document is None or document.kind.key != "documents"):
                docs = [r.id for r in self.records.values() if r.kind.key == "documents"]
                self.problem(record.file, item.line_of("document"), "unknown-reference",
                             f"the source of {record.kind.label} '{record.id}' names document "
                             f"'{_show(item.get('document'))}', which does not exist",
                             did_you_mean(_name(item.get("document")) or "", docs)
                             or f"documents: {', '.join(docs)}")
                document = None
            passage = URIRef(f"{record.iri}#{prefix}-{index}")
            self.graph.add((subject, PROV.wasDerivedFrom, passage))
            self._supports(record, item, passage)
            self.graph.add((passage, RDF.type, RKG.SourcePassage))
            if document is not None:
                self.graph.add((passage, RKG.inDocument, document.iri))
            if item.get("section"):
                self.graph.add((passage, RKG.section, Literal(str(item["section"]))))
            if item.get("quote"):
                self.graph.add((passage, RKG.quote, Literal(str(item["quote"]))))
                if document is not None:
                    self._check_quote(record, document, item)

    def _supports(self, record: Record, item: LineDict, passage: URIRef) -> None:
        """`supports: [field, ...]`: the fields of the record this passage is the evidence for."""
        if item.get("supports") is None:
            return
        for name in self._as_list(item["supports"]):
            if _name(name) is None or record.kind.field(str(name)) is None \
                    or name in ("id", "source", "note", "uncertain"):
                self.problem(record.file, item.line_of("supports"), "bad-value",
                             f"`supports` of a source of {record.kind.label} '{record.id}' names '{_show(name)}', "
                             f"which is not a field of a {record.kind.label}",
                             did_you_mean(_name(name) or "", record.kind.field_names) or "name fields of the record")
            elif name not in record.data:
                self.problem(record.file, item.line_of("supports"), "bad-value",
                             f"a source of {record.kind.label} '{record.id}' supports '{name}', "
                             "which the record does not give", f"add `{name}:` or remove it from `supports`")
            else:
                self.graph.add((passage, RKG.supportsField, Literal(str(name))))

    # ------------------------------------------------------------------ provenance
    def _load_text(self, record: Record) -> None:
        name = record.data.get("file")
        if not name or not isinstance(name, str):
            return  # reported as a bad value of `file`
        path = self.sources_dir / name
        self.texts[record.id] = None
        try:  # only a file of the sources folder: `file: /etc/passwd` or `../..` names none
            inside = path.resolve().is_relative_to(self.sources_dir.resolve()) and path.is_file()
        except (OSError, ValueError):  # a NUL in the name, a loop of links
            inside = False
        if not inside:
            self.problem(record.file, record.line_of("file"), "missing-file",
                         f"the text of document '{record.id}' is not at {_show(path.name)} in the sources folder",
                         "put the plain-text copy of the document in sources/ or fix `file:`")
            return
        try:
            self.texts[record.id] = SourceText.from_file(record.id, path, bool(record.data.get("numbered_sections")))
        except (OSError, UnicodeDecodeError) as error:
            self.problem(record.file, record.line_of("file"), "missing-file",
                         f"the text of document '{record.id}' ({_show(path.name)}) cannot be read: {_show(str(error))}",
                         "save the source text as UTF-8 plain text in sources/")

    def _text(self, document: Record) -> SourceText | None:
        if document.id not in self.texts:
            self._load_text(document)
        return self.texts.get(document.id)

    def _check_quote(self, record: Record, document: Record, item: LineDict) -> None:
        text = self._text(document)
        if text is None:
            return
        quote, line = str(item["quote"]), item.line_of("quote")
        found = text.sections_containing(quote)
        if not found:
            self.problem(record.file, line, "quote-not-found",
                         f"the quote of {record.kind.label} '{record.id}' is not in '{document.id}': "
                         f"\"{quote[:80]}{'...' if len(quote) > 80 else ''}\"",
                         "copy the words exactly as the source has them (line breaks and spacing may differ)")
            return
        if text.numbered_sections:
            wanted = section_number(str(item.get("section", "")))
            if wanted is None:
                if "" not in found:  # unnumbered labels are for the front matter (Foreword)
                    self.problem(record.file, item.line_of("section"), "quote-wrong-section",
                                 f"the quote of {record.kind.label} '{record.id}' is in section "
                                 f"{' and '.join(sorted(set(found)))}; give that section's number",
                                 f"write section: \"{found[0]}\"")
            elif not in_section(found, wanted):
                self.problem(record.file, item.line_of("section"), "quote-wrong-section",
                             f"the quote of {record.kind.label} '{record.id}' is in section "
                             f"{' and '.join(sorted(set(f or 'front matter' for f in found)))}, not {wanted}",
                             f"write section: \"{found[0]}\"")

    # ------------------------------------------------------------------ inference
    def _infer_activity(self) -> None:
        """rkg:activeIn for actors, from the countries of what they take part in."""
        g = self.graph
        for measure in set(g.subjects(RDF.type, RKG.SupportMeasure)):
            countries = set(g.objects(measure, RKG.country))
            for actor in set(g.objects(measure, RKG.involves)):
                for country in countries:
                    g.add((actor, RKG.activeIn, country))
        for policy in set(g.subjects(RDF.type, RKG.Policy)):
            for actor in set(g.objects(policy, RKG.designatesAgency)):
                for country in set(g.objects(policy, RKG.country)):
                    g.add((actor, RKG.activeIn, country))


def canonical_decimal(number: Decimal) -> str:
    """The XSD 1.1 canonical form (163 -> '163', 0.50 -> '0.5'), the one Oxigraph writes, so every
    serialisation round-trips to the same lexical forms."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")
