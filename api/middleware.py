"""ASGI middleware of the API: HEAD answered wherever GET is; security headers, and a
Content-Security-Policy on HTML pages."""

from __future__ import annotations

import base64
import hashlib
import re


class HeadAsGet:
    """Answer HEAD wherever GET is answered (HTTP: a server that answers GET should answer HEAD):
    the request is run as a GET and its body dropped, so the status and the headers, Content-Length
    and Content-Type included, are the GET's. FastAPI's routes answer only the methods they are
    declared with, so HEAD /health was a 405."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, headers_only)


_COMMON = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
# what a page of this server may load: its own scripts (and inline scripts whose hash the header
# gives), styles (inline too: YASGUI and the reports set them), images and fonts (data: URIs too:
# the reports embed their charts), workers made from this page's own code (blob:, ReDoc's search),
# and requests to this server only; never framed
_POLICY = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'", "data:"], "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"], "base-uri": ["'none'"], "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}
_INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def content_security_policy(html: bytes) -> str:
    """The Content-Security-Policy of an HTML page: _POLICY, with the hash of each inline script the
    page has (script elements without src= whose type is JavaScript's)."""
    policy = {name: list(sources) for name, sources in _POLICY.items()}
    for match in _INLINE_SCRIPT.finditer(html):
        attributes = match.group(1).lower()
        kind = re.search(rb"""\btype\s*=\s*["']?([^"'\s>]+)""", attributes)
        if b"src=" in attributes or (kind and kind.group(1) not in (b"text/javascript", b"module")):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group(2)).digest()).decode()
        policy["script-src"].append(f"'sha256-{digest}'")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


class SecurityHeaders:
    """X-Frame-Options: DENY, X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer on
    every answer, and a Content-Security-Policy on HTML pages (the query editor, the reports, the
    API docs, served from this package like every asset): an HTML answer is held until its body is
    complete, to hash its inline scripts."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held, parts = None, []

        async def with_headers(message):
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _COMMON if name not in present]
                message = dict(message, headers=headers)
                media = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if media.split(b";")[0].strip().lower() == b"text/html":
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(parts)
                policy = content_security_policy(body)
                await send(dict(held, headers=held["headers"] + [(b"content-security-policy", policy.encode())]))
                message = {"type": "http.response.body", "body": body, "more_body": False}
            await send(message)

        await self.app(scope, receive, with_headers)
