"""Security headers on every response, in one place.

The Content-Security-Policy allows scripts only from the app's own files (no inline
script or handler, so an injected ``<script>`` or ``onerror=`` does not run), styles from
its files and ``style`` attributes (code colours), images from itself and ``data:`` (the
report's inlined figures), and no framing by other sites: pages may not be framed at all,
except the report preview, which the report page frames from the same origin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

FRAMED_BY_SELF = frozenset({"/report/preview"})


def content_security_policy(frame_ancestors: str) -> str:
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}")


def security_headers(path: str) -> dict[str, str]:
    """The headers every response for ``path`` carries."""
    framed = path in FRAMED_BY_SELF
    return {
        "Content-Security-Policy": content_security_policy("'self'" if framed else "'none'"),
        "X-Frame-Options": "SAMEORIGIN" if framed else "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def add_security_headers(app: FastAPI) -> None:
    """Install the middleware that sets :func:`security_headers` on every response."""

    @app.middleware("http")
    async def headers(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in security_headers(request.url.path).items():
            response.headers.setdefault(name, value)
        return response
