"""Full-text search over the records served: SQLite FTS5 from the standard library.

One FTS5 table, one row per record, one column per kind of text, so that bm25 ranks whole
records and weighs a hit in a name above one in a quote:

| column | what it holds | weight |
| --- | --- | --- |
| `name` | the name (for a figure: its indicator's name) | 10 |
| `aliases` | aliases and acronym | 8 |
| `description` | description, statement (findings, recommendations), definition (indicators) | 3 |
| `quote` | the verbatim source quotes, each with its section | 2 |
| `note` | the curator's note | 1.5 |
| `ident` | the record's id (`npl-sami` is found by `sami`) | 1 |

The tokenizer is `porter unicode61 remove_diacritics 2`: words are cut at word boundaries
(`older` does not find "stakeholders"), folded to lower case without accents and stemmed
(`databases` finds "database"). A query is words (all must match), `"quoted phrases"`, `OR`
between words, `-word` to leave out, and `word*` for a prefix; anything else in it is taken
as text, never as FTS5 syntax.

The index is built from the catalogue of a graph (`Catalogue.from_store`), in memory, with that
graph: a reload builds a new one beside it, and a failed reload keeps the last good graph with
its index.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass

from ..errors import InvalidValue

COLUMNS = ("ident", "name", "aliases", "description", "note", "quote")
WEIGHTS = {"ident": 1.0, "name": 10.0, "aliases": 8.0, "description": 3.0, "note": 1.5, "quote": 2.0}
FIELD_NAMES = {"ident": "id", "name": "name", "aliases": "aliases", "description": "description",
               "note": "note", "quote": "quote"}
# the kinds of record searched, in the order results of equal rank are listed
SEARCHED = ("measures", "actors", "policies", "findings", "recommendations", "figures", "indicators", "places")
_OPEN, _CLOSE = "\x02", "\x03"
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fts_query(text: str) -> str | None:
    """The FTS5 query for what a user typed: every word or phrase quoted (so that nothing they
    type is FTS5 syntax), `OR` kept, `-word` as NOT, `word*` as a prefix. None when no word is
    left to look for (only punctuation, or only words to leave out): such a search finds nothing."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    text = text.replace("\x00", " ")  # SQLite would end the query there, inside a quoted phrase
    for match in _TERM.finditer(text):
        minus, phrase, bare = match.group(1), match.group(2), match.group(3)
        prefix = False
        if bare is not None:
            if bare == "OR":
                pending_or = bool(positive)
                continue
            minus = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if minus else bare
            prefix = phrase.endswith("*")
            phrase = phrase.rstrip("*")
        if not re.search(r"\w", phrase or ""):
            continue
        term = '"' + phrase.replace('"', '""') + '"' + ("*" if prefix else "")
        if minus:
            negative.append(term)
        elif pending_or and positive:
            positive[-1] = f"{positive[-1]} OR {term}"
            pending_or = False
        else:
            positive.append(term)
    if not positive:
        return None
    query = " AND ".join(f"({p})" if " OR " in p else p for p in positive)
    for term in negative:
        query = f"({query}) NOT {term}"
    return query


@dataclass
class Hit:
    kind: str
    id: str
    rank: float
    fields: list[str]           # the fields that matched, best first
    snippet: str                # of the best field, without markers
    highlights: list[list[int]]  # [start, end) of each matched word in the snippet

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "rank": round(self.rank, 4), "field": self.fields[0] if self.fields
                else None, "fields": self.fields, "snippet": self.snippet, "highlights": self.highlights}


def _texts(catalogue, kind: str, record: dict) -> dict[str, str]:
    """The text of each column for one record."""
    def join(*values) -> str:
        out = []
        for value in values:
            out += [str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        return " \u2026 ".join(out)

    name = record.get("name")
    if kind == "figures":
        indicator = catalogue.get("indicators", record.get("indicator", "")) or {}
        name = indicator.get("name")
    quotes = [f"\u201c{s['quote']}\u201d ({s['section']})" if s.get("section") else f"\u201c{s['quote']}\u201d"
              for s in record.get("source", []) if s.get("quote")]
    return {"ident": record["id"], "name": join(name), "aliases": join(record.get("aliases"), record.get("acronym")),
            "description": join(record.get("description"), record.get("statement"), record.get("definition")),
            "note": join(record.get("note")), "quote": join(quotes)}


def _unmark(text: str) -> tuple[str, list[list[int]]]:
    """A snippet without its markers, and where the marked words are."""
    out: list[str] = []
    spans: list[list[int]] = []
    start: int | None = None
    for char in text:
        if char == _OPEN:
            start = len(out)
        elif char == _CLOSE and start is not None:
            spans.append([start, len(out)])
            start = None
        else:
            out.append(char)
    return "".join(out), spans


class SearchIndex:
    """The FTS5 index of one catalogue."""

    def __init__(self, catalogue):
        started = time.perf_counter()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE records USING fts5(kind UNINDEXED, id UNINDEXED, "
                         + ", ".join(COLUMNS) + ", tokenize = 'porter unicode61 remove_diacritics 2')")
        rows = []
        for kind in SEARCHED:
            for record in catalogue.kind(kind).values():
                texts = _texts(catalogue, kind, record)
                rows.append((kind, record["id"], *(texts[c] for c in COLUMNS)))
        self._db.executemany(f"INSERT INTO records VALUES ({', '.join('?' * (len(COLUMNS) + 2))})", rows)
        self._db.execute("INSERT INTO records(records) VALUES ('optimize')")
        self.size = len(rows)
        self.build_seconds = time.perf_counter() - started
        self._weights = ", ".join(["0", "0"] + [str(WEIGHTS[c]) for c in COLUMNS])

    def _run(self, sql: str, params: tuple) -> list:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as error:  # a query fts_query let through that FTS5 refuses
                raise InvalidValue(f"cannot search for that: {error}", parameter="q") from None

    def ids(self, q: str, kind: str) -> set[str]:
        """The ids of the records of `kind` that match `q` (what the `q` of a list filters by)."""
        match = fts_query(q)
        if match is None:
            return set()
        return {row[0] for row in self._run("SELECT id FROM records WHERE records MATCH ? AND kind = ?",
                                            (match, kind))}

    def search(self, q: str, kinds: list[str] | None = None) -> list[Hit]:
        """Every record matching `q` (of `kinds`, or all), best first, with the fields that matched
        and a snippet of the best one."""
        wanted = [k for k in (kinds or SEARCHED) if k in SEARCHED]
        match = fts_query(q)
        if match is None:
            return []
        snippets = ", ".join(f"snippet(records, {i + 2}, '{_OPEN}', '{_CLOSE}', '\u2026', 16)"
                             for i in range(len(COLUMNS)))
        rows = self._run(f"SELECT kind, id, bm25(records, {self._weights}) AS score, {snippets} FROM records "
                         f"WHERE records MATCH ? AND kind IN ({', '.join('?' * len(wanted))}) ORDER BY score, kind, id",
                         (match, *wanted))
        hits = []
        for kind, rid, score, *texts in rows:
            matched = [(WEIGHTS[c], c, t) for c, t in zip(COLUMNS, texts) if t and _OPEN in t]
            matched.sort(key=lambda m: -m[0])
            snippet, spans = _unmark(matched[0][2]) if matched else ("", [])
            hits.append(Hit(kind, rid, -score, [FIELD_NAMES[c] for _, c, _ in matched], snippet, spans))
        return hits
