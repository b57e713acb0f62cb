"""Conditional requests (ETag / If-None-Match): an unchanged page costs GitHub nothing.

ETagCache is a transport layer above the governed transport. For a request whose Call is
`conditional` it sends If-None-Match with the last ETag seen for that URL; a 304 is answered with the
cached page (status 200, the stored headers updated by the 304's, as RFC 9111 section 4.3.4 says),
while the layer below counts the 304 as `not_modified`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from suite.github.transport import call_of

# the cached body is stored decoded: the headers that describe the encoded one are not replayed
ENCODING_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


@dataclass(frozen=True)
class CachedPage:
    etag: str
    headers: httpx.Headers
    content: bytes


class ETagCache(httpx.BaseTransport):
    """The last 2xx page per URL with its ETag; `pages` may be shared by several transports."""

    def __init__(self, inner: httpx.BaseTransport, pages: dict[str, CachedPage]) -> None:
        self._inner = inner
        self._pages = pages

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not call_of(request).conditional:
            return self._inner.handle_request(request)
        key = str(request.url)
        cached = self._pages.get(key)
        if cached is not None:
            request.headers["If-None-Match"] = cached.etag
        response = self._inner.handle_request(request)
        if response.status_code == 304 and cached is not None:
            headers = httpx.Headers(cached.headers)
            for name, value in response.headers.items():
                if name not in ENCODING_HEADERS:
                    headers[name] = value
            return httpx.Response(
                200, headers=headers, content=cached.content, extensions=response.extensions
            )
        etag = response.headers.get("etag")
        if 200 <= response.status_code < 300 and etag:
            kept = httpx.Headers({k: v for k, v in response.headers.items() if k not in ENCODING_HEADERS})
            self._pages[key] = CachedPage(etag, kept, response.read())
        return response

    def close(self) -> None:
        self._inner.close()
