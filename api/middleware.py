"""ASGI middleware of the API: HEAD answered wherever GET is."""

from __future__ import annotations


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
