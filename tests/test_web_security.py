"""Security of the web workbench (issue 10, in progress): headers on every response, and
no inline script anywhere the Content-Security-Policy would have to allow it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from framesynth.web.app import create_app
from framesynth.web.deps import Settings

LOCAL = "http://127.0.0.1"  # the Host a browser on this machine sends

TEMPLATES = Path(__file__).parent.parent / "src" / "framesynth" / "web" / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; ")


@pytest.fixture
def client(demo_path):
    return TestClient(create_app(Settings(project=demo_path, host="127.0.0.1", local_user="ruth",
                                          embedder="hashing.v1")), base_url=LOCAL)


@pytest.mark.parametrize("path", ["/", "/sources/1", "/matrix", "/api/sources", "/api/jobs/nope",
                                  "/static/app.js", "/login"])
def test_web_security_headers_on_pages_api_errors_and_files(client, path):
    headers = client.get(path).headers
    assert {name: headers[name] for name in (
        "content-security-policy", "x-frame-options", "x-content-type-options",
        "referrer-policy")} == {
        "content-security-policy": CSP + "frame-ancestors 'none'",
        "x-frame-options": "DENY", "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin"}


def test_web_security_only_the_report_preview_may_be_framed_and_only_by_us(client):
    headers = client.get("/report/preview").headers
    assert headers["content-security-policy"] == CSP + "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_web_security_templates_have_no_inline_script_or_handlers(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
