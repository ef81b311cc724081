"""Security headers on every route family: a Content-Security-Policy without
'unsafe-inline', no framing, nosniff, a referrer policy, a permissions policy,
cross-origin opener isolation, and HSTS in production."""

import pytest

from app import create_app
from app.models import Role
from tests.support import login, make_petition, make_user

FAMILIES = ["/", "/petitions", "/petitions/{id}", "/petitions/{id}/qr.svg", "/petitions/export.csv",
            "/accountability", "/open-data", "/feeds/responses.atom", "/login", "/register", "/account",
            "/moderation/", "/review/", "/admin/users", "/no-such-page"]
RAW = ["/api/v1/petitions", "/api/v1/nowhere", "/health", "/static/dauys.css", "/petitions/1"]


def check(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", FAMILIES)
def test_every_page_family(client, app, path):
    petition = make_petition(signatures=1)
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(client, "admin@example.kz")
    check(client.get(path.format(id=petition.id)))


@pytest.mark.parametrize("path", RAW)
def test_api_health_static_and_redirects(client, app, path):
    make_petition(signatures=1)
    client.language = None
    check(client.get(path))


def test_hsts_in_production_only(client, app):
    assert "Strict-Transport-Security" not in client.get("/kk/").headers
    production = create_app("production", SECRET_KEY="x" * 40, IIN_HMAC_KEY="y" * 40, FINGERPRINT_HMAC_KEY="z" * 40,
                            SQLALCHEMY_DATABASE_URI="sqlite://", REDIS_URL="redis://127.0.0.1:1/0",
                            PAGE_CACHE_REDIS_URL="redis://127.0.0.1:2/0")
    with production.test_request_context():
        response = production.make_response("ok")
        response = production.process_response(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
