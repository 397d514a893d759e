"""/api/docs/ works without the internet: Swagger UI comes from our own static files
(drf-spectacular-sidecar), never from a CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_api_docs_load_only_local_files_and_each_is_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    references = _references(html)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references), references
    assert any(ref.endswith("swagger-ui.css") for ref in references), references
    for ref in references:
        assert ref.startswith("/static/"), ref
        served = client.get(ref)
        assert served.status_code == 200, ref
        assert b"".join(served.streaming_content if served.streaming else [served.content])
    assert not re.findall(r"https?://", html)  # nothing from another host


def test_the_schema_the_docs_read_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "MeetingOps API"
