"""Answers that depend only on the data version and the request, computed once and kept as bytes,
with an ETag: the one place the API caches responses and answers conditional requests.

A route opts in with the dependency `by_version` (`by_version_and_day` for an answer that also
names today's date: the reports). The middleware `ResponseCache` then keeps the encoded answer
(status 200 only) of the graph served, keyed by the path, the normalized query string (parameters
sorted by name, the values of one name in their order) and the negotiated format (the answer's
Content-Type), in a bounded LRU of that graph (`RKG_RESPONSE_CACHE_MB`). The Accept headers seen
are remembered with the format they were given, so the next request with the same path, query and
Accept is answered from the bytes before any routing, parameter checking or encoding: the path
most requests take. A reload serves a new graph, whose cache starts empty.

Every answer kept carries
- `ETag`: strong, `"<data version>-<digest of path, query, format and day>"`: the same in every
  worker process serving the version, different after a reload;
- `Cache-Control: no-cache`: a client or proxy may store it but asks again each time
  (`If-None-Match`), since a reload may change it at any moment; the answer is then a
  `304 Not Modified` without a body;
- `Vary: Accept`, since the format is negotiated.

What a route computes is cached underneath too, per graph (`KG.cached`, `KG.remembered`), so a
new Accept header that negotiates the same format does not run a query again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from .deps import KGDep
from .state import KG

SCOPE_KEY = "rkg.response-cache"  # set in the request's scope by the dependencies below
CACHE_CONTROL = b"no-cache"
MAX_ENTRIES = 4096            # answers kept per graph, whatever their size
MAX_SHARE = 4                 # one answer may take at most 1/MAX_SHARE of the cache
_OURS = {b"etag", b"cache-control"}
_ATTRIBUTE = "_kept_responses"  # where a graph holds the answers kept for it


@dataclass(frozen=True)
class Marker:
    """What a route that opted in tells the middleware: the graph it answered from, and the day
    its answer names (None: any day)."""

    kg: KG
    day: str | None = None


def today() -> dt.date:
    """The day a dated answer names (a report)."""
    return dt.date.today()


async def day_of_request() -> dt.date:
    """Dependency: the day of this request, one value for the route and its cache key."""
    return today()


async def by_version(request: Request, kg: KGDep) -> None:
    """Dependency: the answer depends only on the data version and the request."""
    request.scope[SCOPE_KEY] = Marker(kg)


async def by_version_and_day(request: Request, kg: KGDep, day: Annotated[dt.date, Depends(day_of_request)]) -> None:
    """Dependency: the answer depends on the data version, the request and today's date."""
    request.scope[SCOPE_KEY] = Marker(kg, day.isoformat())


Day = Annotated[dt.date, Depends(day_of_request)]  # a route's date, the same value `by_version_and_day` saw


@dataclass(frozen=True)
class Entry:
    etag: bytes
    day: str | None
    body: bytes
    headers: list[tuple[bytes, bytes]]      # of the 200, Content-Length included
    not_modified: list[tuple[bytes, bytes]]  # of a 304: ETag, Cache-Control, Vary, Content-Location

    def matches(self, if_none_match: bytes | None) -> bool:
        """Whether `If-None-Match` names this answer (weak comparison, RFC 9110 13.1.2)."""
        if not if_none_match:
            return False
        if if_none_match.strip() == b"*":
            return True
        tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
        return self.etag in tags


def etag(version: str, path: str, query: str, media: str, day: str | None) -> bytes:
    digest = hashlib.sha256("\0".join((path, query, media, day or "")).encode()).hexdigest()[:16]
    return f'"{version}-{digest}"'.encode()


def normalized_query(raw: bytes) -> str:
    """The query string with its parameters sorted by name (a name's values keep their order)."""
    if not raw:
        return ""
    pairs = [p for p in raw.decode("latin-1").split("&") if p]
    return "&".join(sorted(pairs, key=lambda p: p.split("=", 1)[0]))


class Responses:
    """The answers kept for one graph: (path, query, format) -> Entry, least recently used first,
    within `max_bytes`; and (path, query, Accept) -> the format that Accept was given."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()
        self.formats: OrderedDict[tuple[str, str, bytes], str] = OrderedDict()

    def find(self, path: str, query: str, accept: bytes) -> Entry | None:
        media = self.formats.get((path, query, accept))
        if media is None:
            return None
        entry = self.entries.get((path, query, media))
        if entry is None or (entry.day is not None and entry.day != today().isoformat()):
            return None
        self.entries.move_to_end((path, query, media))
        return entry

    def keep(self, path: str, query: str, accept: bytes, media: str, entry: Entry) -> None:
        if len(entry.body) * MAX_SHARE > self.max_bytes:
            return  # served, not kept: the routes of such answers (the whole graph) keep their bytes anyway
        key = (path, query, media)
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        self.formats[(path, query, accept)] = media
        self.formats.move_to_end((path, query, accept))
        while self.size > self.max_bytes or len(self.entries) > MAX_ENTRIES:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)
        while len(self.formats) > 4 * MAX_ENTRIES:
            self.formats.popitem(last=False)


def _entry(kg: KG, day: str | None, path: str, query: str, headers: list, body: bytes) -> tuple[str, Entry]:
    headers = [(k, v) for k, v in headers if k.lower() not in _OURS]
    media = next((v for k, v in headers if k.lower() == b"content-type"), b"").decode("latin-1")
    tag = etag(kg.version, path, query, media, day)
    if not any(k.lower() == b"vary" for k, _ in headers):
        headers.append((b"vary", b"Accept"))
    headers += [(b"etag", tag), (b"cache-control", CACHE_CONTROL)]
    keep = {b"etag", b"cache-control", b"vary", b"content-location"}
    return media, Entry(tag, day, body, headers, [(k, v) for k, v in headers if k.lower() in keep])


async def _send(send, entry: Entry, if_none_match: bytes | None) -> None:
    if entry.matches(if_none_match):
        await send({"type": "http.response.start", "status": 304, "headers": entry.not_modified})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})


class ResponseCache:
    """ASGI middleware: answers a GET from the bytes kept for the graph served, or runs the route
    and keeps its answer if the route opted in (`by_version`, `by_version_and_day`). It sits inside
    the CORS and security-header middleware, so their headers are added to every answer alike."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def responses(self, kg: KG) -> Responses:
        """The answers kept for `kg`, held by the graph itself so that they go with it. Only this
        middleware, on the event loop, reads and writes them: no lock is needed."""
        found = getattr(kg, _ATTRIBUTE, None)
        if found is None:
            found = Responses(self.max_bytes)
            setattr(kg, _ATTRIBUTE, found)
        return found

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        accept, if_none_match = b"", None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
        path, query = scope["path"], normalized_query(scope["query_string"])
        kg = scope["app"].state.kg
        entry = self.responses(kg).find(path, query, accept)
        if entry is not None:
            await _send(send, entry, if_none_match)
            return

        held: dict | None = None
        parts: list[bytes] = []

        async def keep(message):
            nonlocal held
            if message["type"] == "http.response.start":
                marker = scope.get(SCOPE_KEY)
                if message["status"] == 200 and isinstance(marker, Marker):
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                marker = scope[SCOPE_KEY]
                body = parts[0] if len(parts) == 1 else b"".join(parts)
                media, made = _entry(marker.kg, marker.day, path, query, list(held.get("headers", [])), body)
                self.responses(marker.kg).keep(path, query, accept, media, made)
                await _send(send, made, if_none_match)
                return
            await send(message)

        await self.app(scope, receive, keep)
