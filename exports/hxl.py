"""The HXL 3W/4W table: who does what where, for humanitarian coordinators and HDX's tools.

One row per measure x actor x role x place (a measure that states no role, or no place, still
has its row, with those columns empty). HXL (https://hxlstandard.org) puts a row of hashtags under
the header row; libhxl and HDX's tools read the columns by tag, so a coordinator can filter
`#org+impl`, count `#activity` by `#adm1` or join `#country+code`.

- each role has its own organisation column (`#org+lead`, `#org+funder`, `#org+impl`, ...), so a
  row fills at most one; `#org+role` holds the role's code;
- a role the source states only by kind of body ("CSOs", "a government scheme") leaves every
  `#org` column empty and fills `#org+type`: no organisation is invented;
- `#adm1` is filled where a subnational place is known and its top level is a State, province,
  division or region; `#loc` names the place itself;
- `#meta+source` is the passage the row rests on: the role's own passage, else the measure's
  passage that holds the words of the role, else the measure's first passage.
- cells with several values (dimensions, types) join them with "; ", as in the CSV tables.
"""

from __future__ import annotations

import csv
import io
import re

from .extract import Extract, Involvement, Passage

ROLE_TAGS = {"lead": "#org+lead", "funder": "#org+funder", "accountable": "#org+accountable",
             "extending": "#org+extending", "implementer": "#org+impl", "partner": "#org+partner",
             "supported_by": "#org+support"}
ADM1_TYPES = {"state", "province", "division", "region"}

COLUMNS: list[tuple[str, str]] = [
    ("Measure id", "#activity+code"), ("Measure", "#activity+name"), ("Measure types", "#activity+type"),
    ("Dimensions", "#sector"), ("Role", "#org+role"),
    *[(f"Organisation: {role.replace('_', ' ')}", tag) for role, tag in ROLE_TAGS.items()],
    ("Organisation id", "#org+id"), ("Organisation type", "#org+type"), ("Organisation type code", "#org+type+code"),
    ("Words of the source", "#meta+stated"), ("Status", "#status"), ("IATI activity status", "#status+iati"),
    ("Start", "#date+start"), ("End", "#date+end"), ("Country code", "#country+code"), ("Country", "#country+name"),
    ("Admin level 1", "#adm1+name"), ("Place", "#loc+name"), ("Place type", "#loc+type"),
    ("Source document", "#meta+source+document"), ("Source section", "#meta+source+section"),
    ("Source quote", "#meta+source+quote"),
]


def _words_in(words: str | None, quote: str | None) -> bool:
    if not words or not quote:
        return False
    squash = lambda text: re.sub(r"\s+", " ", text).casefold()
    return squash(words) in squash(quote)


def evidence(x: Extract, measure: str, involvement: Involvement | None) -> Passage | None:
    """The passage a row rests on (see the module's rules)."""
    if involvement is not None and involvement.passages:
        return involvement.passages[0]
    passages = x.passages.get(x.iri("measures", measure), [])
    if involvement is not None:
        holding = [p for p in passages if _words_in(involvement.words, p.quote)]
        if holding:
            return holding[0]
    return passages[0] if passages else None


def _top_place(x: Extract, place: str) -> dict:
    seen: set = set()
    record = x.catalogue.get("places", place) or {}
    while record.get("within") and record["within"] not in seen:
        seen.add(record["within"])
        record = x.catalogue.get("places", record["within"]) or record
    return record


def rows(x: Extract) -> list[dict[str, str]]:
    """The 3W rows, by hashtag."""
    labels = {code: r.get("name", code) for code, r in x.catalogue.countries.items()}
    out = []
    for mid, m in x.catalogue.kind("measures").items():
        status = m.get("status")
        countries = m.get("country", [])
        common = {"#activity+code": mid, "#activity+name": m.get("name"), "#activity+type": m.get("types", []),
                  "#sector": m.get("dimensions", []), "#status": status,
                  "#status+iati": x.concept_annotation("measure-status", status, "iatiCode") if status else None,
                  "#date+start": m.get("start"), "#date+end": m.get("end"), "#country+code": countries,
                  "#country+name": [labels.get(c, c) for c in countries]}
        involvements: list[Involvement | None] = [*x.roles_of(mid)] or [None]
        for involvement in involvements:
            who: dict = {}
            if involvement is not None:
                actor = x.catalogue.get("actors", involvement.actor) if involvement.actor else None
                kind = actor.get("type") if actor else involvement.actor_type
                who = {"#org+role": involvement.role, "#org+id": involvement.actor, "#org+type+code": kind,
                       "#org+type": x.concept_annotation("actor-type", kind, "prefLabel") if kind else None,
                       "#meta+stated": involvement.words}
                if actor:
                    who[ROLE_TAGS[involvement.role]] = actor.get("name")
            passage = evidence(x, mid, involvement)
            source = {"#meta+source+document": passage.document, "#meta+source+section": passage.section,
                      "#meta+source+quote": passage.quote} if passage else {}
            for place in m.get("places", []) or [None]:
                where: dict = {}
                if place is not None:
                    record = x.catalogue.get("places", place) or {}
                    top = _top_place(x, place)
                    where = {"#loc+name": record.get("name"), "#loc+type": record.get("place_type"),
                             "#adm1+name": top.get("name") if top.get("place_type") in ADM1_TYPES else None}
                out.append(common | who | source | where)
    return out


def hxl_csv(x: Extract) -> bytes:
    """The 3W table as HXL-tagged CSV (UTF-8): a header row, a hashtag row, then the rows."""
    from .tables import cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for label, _ in COLUMNS])
    writer.writerow([tag for _, tag in COLUMNS])
    for row in rows(x):
        writer.writerow([cell(row.get(tag)) for _, tag in COLUMNS])
    return out.getvalue().encode("utf-8")
