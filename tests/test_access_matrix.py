"""Every staff route, every role, every session state: each role reaches only its own
routes, and only in a session that passed the second factor; citizens get 403; staff
without a second factor are sent to turn it on; an idle staff session is over."""

import re

import pytest

from app.models import Role
from tests.support import login, make_user, post

ROLES = ["anonymous", "citizen", "moderator", "official", "admin"]
# The same staff accounts with no second factor turned on, and logged in but idle too long.
STATES = ROLES + [f"{r}-no-2fa" for r in ("moderator", "official", "admin")] + [
    f"{r}-idle" for r in ("moderator", "official", "admin")]
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
    people = {"citizen": make_user("m-citizen@example.kz")}
    for suffix, second_factor in (("", True), ("-no-2fa", False)):
        people[f"moderator{suffix}"] = make_user(f"m-moderator{suffix}@example.kz", roles=(Role.MODERATOR,),
                                                 second_factor=second_factor)
        people[f"official{suffix}"] = make_user(f"m-official{suffix}@example.kz", roles=(Role.OFFICIAL,),
                                                body="GOV", second_factor=second_factor)
        people[f"admin{suffix}"] = make_user(f"m-admin{suffix}@example.kz", roles=(Role.ADMIN,),
                                             second_factor=second_factor)
    return people


def build_url(rule, people) -> str:
    # <any(a, b):name> (other than the language): the first of its values.
    path = re.sub(r"<any\(([^),]+)[^)]*\):(?!lang>)([^>]+)>", lambda m: m.group(1).strip(), rule.rule)
    values = {}
    for arg in rule.arguments:
        if arg == "lang":
            values[arg] = "ru"
        elif arg.endswith("user_id"):
            values[arg] = people["citizen"].id
        else:
            values[arg] = 1
    return re.sub(r"<(?:[^>]+:)?([^>:]+)>", lambda m: str(values[m.group(1)]), path)


@pytest.mark.parametrize("who", STATES)
def test_role_matrix(app, people, who, clock):
    client = app.test_client()
    role, _, state = who.partition("-")
    if who != "anonymous":
        response = login(client, f"m-{role}{'-no-2fa' if state == 'no-2fa' else ''}@example.kz")
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
    if state == "idle":
        client.get("/account")
        clock.advance(minutes=31)
    checked = 0
    for rule in staff_rules(app):
        allowed = {r.value for r in app.view_functions[rule.endpoint].required_roles}
        url = build_url(rule, people)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = post(client, url, {}, token_from="/login" if state == "idle" else None)
            if who == "anonymous" or state == "idle":
                assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
            elif state == "no-2fa" and role in allowed:
                assert response.status_code == 302, (who, method, url, response.status_code)
                assert "/account/two-factor" in response.headers["Location"], (who, method, url)
            elif role in allowed:
                assert response.status_code not in (401, 403), (who, method, url, response.status_code)
                assert response.status_code < 500
            else:
                assert response.status_code == 403, (who, method, url, response.status_code)
            # No cache in between may keep a staff page, whatever the answer.
            assert response.headers["Cache-Control"] == "private, no-store", (who, method, url)
            checked += 1
    assert checked > 0


def test_a_staff_session_stays_while_active_and_ends_after_12_hours(app, people, clock):
    client = app.test_client()
    login(client, "m-moderator@example.kz")
    for _ in range(24):  # a request every 29 minutes: 11 h 36 min
        clock.advance(minutes=29)
        assert client.get("/moderation/").status_code == 200
    clock.advance(minutes=29)  # 12 h 5 min in all, though only 29 minutes idle
    response = client.get("/moderation/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_get_no_remember_me_cookie(app, people):
    client = app.test_client()
    response = login(client, "m-admin@example.kz", remember="y")
    assert response.status_code == 302
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is None


def test_a_citizen_posting_a_role_change_is_refused_and_nothing_changes(app, people):
    client = app.test_client()
    login(client, "m-citizen@example.kz")
    response = post(client, f"/admin/users/{people['citizen'].id}",
                    {"action": "grant", "grant-role": "admin", "grant-body": ""})
    assert response.status_code == 403
    from app.extensions import db

    db.session.expire_all()
    assert not db.session.get(type(people["citizen"]), people["citizen"].id).has_role(Role.ADMIN)
