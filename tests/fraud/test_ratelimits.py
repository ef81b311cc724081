"""Rate limits (app.fraud.ratelimits): searching and creating petitions."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition
from tests.support import login, make_user, page_text, post


def test_search_and_petition_creation_are_rate_limited(client, app):
    client.language = "en"
    for _ in range(60):
        assert client.get("/petitions?q=water").status_code == 200
    limited = client.get("/petitions?q=roads")
    assert limited.status_code == 429
    assert "Too many" in page_text(limited) or "try again later" in page_text(limited).lower()
    assert client.get("/petitions").status_code == 200  # browsing without a search is not limited
    api = app.test_client()
    for _ in range(60):
        api.get("/api/v1/petitions?q=water")
    answer = api.get("/api/v1/petitions?q=water")
    assert answer.status_code == 429 and answer.is_json

    author = app.test_client()
    make_user("prolific@example.kz")
    login(author, "prolific@example.kz")
    data = {"title": "A petition about parks and squares", "summary": "Parks for everyone in every town.",
            "details": "More parks, please.", "body": "GOV", "category": "environment", "language": "kk"}
    statuses = [post(author, "/petitions/new/form", data, token_from="/petitions/new/form").status_code
                for _ in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 10

