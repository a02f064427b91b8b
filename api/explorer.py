"""The explorer for people who do not write SPARQL: `GET /search`, the page at `/` and the API
documentation served from the project's own files.

- `/search?q=...`: every kind of record by full-text search (api/search.py), best first, each hit
  with the fields that matched and a snippet of the best one;
- `/`: the explorer page for a browser (Accept: text/html), the JSON index of the API otherwise;
  the page (api/static/explorer/) is plain HTML, CSS and JavaScript modules, with no build step
  and nothing loaded from elsewhere: it asks this API the same questions a user could;
- `/docs` (Swagger UI) and `/redoc` (ReDoc), from api/static/swagger-ui and api/static/redoc
  (vendored from npm with their licences), so they work offline.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import Field

from ..errors import InvalidValue
from ..graph.parameters import Vocabulary
from . import models as m
from .caching import by_version
from .deps import CatalogueDep
from .links import ref
from .negotiation import negotiate
from .params import Filter, Page, filters, inject, known_parameters_only, paging
from .search import SEARCHED

SEARCH_FILTERS = (
    Filter("q", "string", "words to find (whole words, stemmed): \"a phrase\", OR between words, -word to leave "
                          "out, word* for a prefix", required=True),
    Filter("kind", "string", "only these kinds of record", multiple=True, choices=SEARCHED))


class SearchHit(m.Model):
    kind: str = Field(description="measures, actors, policies, findings, recommendations, figures, indicators, places")
    id: str
    name: str | None
    country: list[str] = []
    path: str | None = Field(description="the record in this API")
    rank: float = Field(description="bm25 relevance (higher is better)")
    field: str | None = Field(description="the best field that matched: name, aliases, description, quote, note, id")
    fields: list[str] = Field(description="every field that matched, best first")
    snippet: str = Field(description="the text around the match in the best field")
    highlights: list[list[int]] = Field(description="[start, end) of each matched word in the snippet")


class SearchResult(m.Model):
    q: str
    items: list[SearchHit]
    total: int
    by_kind: dict[str, int] = Field(description="hits of each kind, before `kind`, `limit` and `offset`")


@lru_cache(maxsize=4)
def static_text(*parts: str) -> str:
    return (resources.files("rkg.api").joinpath("static", *parts)).read_text(encoding="utf-8")


def router(vocabulary: Vocabulary) -> APIRouter:
    api = APIRouter(dependencies=[Depends(known_parameters_only), Depends(by_version)])

    def search(c: CatalogueDep, page: Page, values: dict) -> dict:
        q = values.get("q")
        if not q:
            raise InvalidValue("say what to search for: /search?q=words", parameter="q")
        hits = c.search.search(q)
        by_kind: dict[str, int] = {}
        for hit in hits:
            by_kind[hit.kind] = by_kind.get(hit.kind, 0) + 1
        wanted = values.get("kind")
        items = []
        for hit in hits:
            if wanted and hit.kind not in wanted:
                continue
            record = c.get(hit.kind, hit.id) or {}
            country = record.get("country") or record.get("countries") or []
            items.append(ref(c, hit.id) | hit.as_dict() | {
                "name": ref(c, hit.id)["name"] or _figure_name(c, record),
                "country": country if isinstance(country, list) else [country]})
        return {"q": q, **page(items), "by_kind": by_kind}

    api.add_api_route("/search", inject(search, page=paging(vocabulary), values=filters(SEARCH_FILTERS, vocabulary)),
                      methods=["GET"], response_model=SearchResult, tags=["search"],
                      summary="Full-text search over every record: names, aliases, acronyms, descriptions, "
                              "statements, curator notes and source quotes",
                      description="Whole words, stemmed (`databases` finds \"database\", `older` does not find "
                                  "\"stakeholders\"), ranked by bm25 with names above quotes; `\"a phrase\"`, `OR`, "
                                  "`-word` and `word*` are understood. Each hit says which fields matched and shows "
                                  "a snippet. The `q` of every list uses the same index.")
    return api


def _figure_name(c, record: dict) -> str | None:
    if "indicator" not in record:
        return None
    indicator = c.get("indicators", record["indicator"]) or {}
    return f"{indicator.get('name', record['indicator'])}: {record.get('value')} {record.get('unit', '')}".strip()


def install(app: FastAPI, vocabulary: Vocabulary) -> None:
    """The search route, the page at `/` and the documentation pages, on `app` (made with
    docs_url=None and redoc_url=None)."""
    app.include_router(router(vocabulary))

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        if negotiate(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html":
            return HTMLResponse(static_text("explorer", "index.html"))
        return JSONResponse(api_index(app))

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title}: API",
                                   swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger-ui/favicon-32x32.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title}: API",
                              redoc_js_url="/static/redoc/redoc.standalone.js",
                              redoc_favicon_url="/static/swagger-ui/favicon-32x32.png", with_google_fonts=False)


def api_index(app: FastAPI) -> dict[str, Any]:
    return {"name": app.title, "explorer": "/ (in a browser)", "docs": "/docs", "redoc": "/redoc",
            "openapi": "/openapi.json", "sparql": "/sparql", "graph": "/graph", "health": "/health",
            "search": "/search?q=psychosocial",
            "resources": ["/programmes", "/actors", "/policies", "/countries", "/findings", "/recommendations",
                          "/indicators", "/figures", "/queries", "/gaps/coverage", "/coordination/overlaps",
                          "/coordination/network"],
            "facets": ["/programmes/facets", "/actors/facets", "/policies/facets", "/findings/facets",
                       "/recommendations/facets", "/figures/facets"]}

