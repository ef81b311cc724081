"""Every staff route, every role: each reaches only its own; citizens get 403."""

import re

import pytest

from app.models import Role
from tests.support import make_user, post

ROLES = ["anonymous", "citizen", "moderator", "official", "admin"]
STAFF_PREFIXES = ("/admin", "/moderation", "/review")


def path_of(rule) -> str:
    """The rule's path after its language: /<lang>/admin/users -> /admin/users."""
    return re.sub(r"^/<any\([^)]*\):lang>", "", rule.rule)


def staff_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if path_of(rule).startswith(STAFF_PREFIXES) or getattr(view, "required_roles", None):
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def test_every_staff_route_declares_its_roles(app):
    rules = staff_rules(app)
    assert rules, "no staff routes found"
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_roles", None), f"{rule.rule} has no role check"


@pytest.fixture
def people(app):
    return {
        "citizen": make_user("m-citizen@example.kz"),
        "moderator": make_user("m-moderator@example.kz", roles=(Role.MODERATOR,)),
        "official": make_user("m-official@example.kz", roles=(Role.OFFICIAL,), body="GOV"),
        "admin": make_user("m-admin@example.kz", roles=(Role.ADMIN,)),
    }


def build_url(rule, people) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "lang":
            values[arg] = "ru"
        elif arg.endswith("user_id"):
            values[arg] = people["citizen"].id
        else:
            values[arg] = 1
    return re.sub(r"<(?:[^>]+:)?([^>:]+)>", lambda m: str(values[m.group(1)]), rule.rule)


@pytest.mark.parametrize("who", ROLES)
def test_role_matrix(app, people, who):
    client = app.test_client()
    if who != "anonymous":
        post(client, "/login", {"email": f"m-{who}@example.kz", "password": "correct horse battery"})
    checked = 0
    for rule in staff_rules(app):
        allowed = {r.value for r in app.view_functions[rule.endpoint].required_roles}
        url = build_url(rule, people)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = post(client, url, {})
            if who == "anonymous":
                assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
            elif who in allowed:
                assert response.status_code not in (401, 403), (who, method, url, response.status_code)
                assert response.status_code < 500
            else:
                assert response.status_code == 403, (who, method, url, response.status_code)
            # No cache in between may keep a staff page, whatever the answer.
            assert response.headers["Cache-Control"] == "private, no-store", (who, method, url)
            checked += 1
    assert checked > 0


def test_a_citizen_posting_a_role_change_is_refused_and_nothing_changes(app, people):
    client = app.test_client()
    post(client, "/login", {"email": "m-citizen@example.kz", "password": "correct horse battery"})
    response = post(client, f"/admin/users/{people['citizen'].id}",
                    {"action": "grant", "grant-role": "admin", "grant-body": ""})
    assert response.status_code == 403
    from app.extensions import db

    db.session.expire_all()
    assert not db.session.get(type(people["citizen"]), people["citizen"].id).has_role(Role.ADMIN)
