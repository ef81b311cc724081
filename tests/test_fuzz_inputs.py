"""Property: no input makes a server error or a half-write.

Hypothesis sends generated bad values to every field of every form the site shows (found
by reading the pages as each kind of user sees them, so a new form is covered without
touching this file) and to every query parameter of the public and staff lists: at least
600 cases a run. Every answer must be below 500, and an answer that refuses (4xx) must
leave every table as it was. The CSRF token stays valid, or every case would stop at 400.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import Base, Role
from tests.support import login, make_petition, make_user

FORM_CASES = 450
QUERY_CASES = 250

NASTY = [
    "", " ", "\t\n", "0", "-1", "1e9999", "NaN", "sNaN", "Infinity", "99999999999999999999999",
    "2147483648", "-2147483649", "1.5", "١٢٣", "true", "null", "None", "[]", "{}", "%00", "\u200b",
    "\u202egnp.exe", "<script>alert(1)</script>", "' OR '1'='1' --", "\"; DROP TABLE users; --",
    "../../../etc/passwd", "${7*7}", "{{7*7}}", "%(x)s", "%s%s%s", "😀" * 50, "Қазақстан" * 40,
    "a" * 5000, "x@", "@x", "a@b", "user@қазақстан.kz", "KZ-99", "kk", "zz", "fixed", "emperor",
    "\r\n\r\nSet-Cookie: x=1", "javascript:alert(1)", "//evil.example", "0" * 12, "999999999999",
    "\x0b\x0c", "\u0000",
]
BAD_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
# Never sent: they would end the test's own sessions or secrets rather than test input.
SKIPPED_ACTIONS = {"/logout", "/language"}
SKIPPED_FIELDS = {"csrf_token"}


class _Forms(HTMLParser):
    """The POST forms of a page: action, and each field's name, kind and choices."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or self.page_path, "fields": {}}
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            self._form["fields"][a["name"]] = {"type": a.get("type", tag), "value": a.get("value") or "",
                                               "options": []}
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"][a["name"]] = {"type": "select", "value": "", "options": []}
        elif tag == "option" and self._select:
            self._form["fields"][self._select]["options"].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def _forms_on(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = _Forms(path)
    parser.feed(response.get_data(as_text=True))
    return [f for f in parser.forms if not any(f["action"].endswith(s) for s in SKIPPED_ACTIONS)]


def _row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.fixture
def world(app):
    """A citizen with a draft, a moderator, an admin, petitions in several states; a
    logged-in client for each, and every POST form each of them can see."""
    limiter.enabled = False  # the limits are tested elsewhere; here they would hide the forms
    citizen = make_user("fuzz.citizen@example.kz")
    make_user("fuzz.moderator@example.kz", roles=(Role.MODERATOR,))
    make_user("fuzz.admin@example.kz", roles=(Role.ADMIN,))
    target = make_user("fuzz.target@example.kz", roles=(Role.OFFICIAL,), body="GOV")
    draft = make_petition(citizen, state="draft", title="Жаңа саябақ салу туралы өтініш жобасы")
    pending = make_petition(state="pending_moderation", title="Қалада велосипед жолдарын салу керек")
    open_one = make_petition(state="open", title="Мектептерде ыстық тамақ беру керек", signatures=2)
    from app.models import StateBody

    body_id = db.session.scalar(select(StateBody.id).where(StateBody.code == "GOV"))
    clients, pages = {}, {
        "anonymous": ["/register", "/login", "/reset"],
        "citizen": ["/account/password", "/account/email", "/petitions/new/form", f"/petitions/{open_one.id}",
                    f"/petitions/{draft.id}/edit", f"/petitions/{draft.id}", "/account/two-factor"],
        "moderator": [f"/moderation/petitions/{pending.id}", f"/moderation/petitions/{open_one.id}"],
        "admin": [f"/admin/users/{target.id}", f"/admin/bodies/{body_id}"],
    }
    forms = []
    for who, paths in pages.items():
        client = app.test_client()
        if who != "anonymous":
            assert login(client, f"fuzz.{who}@example.kz").status_code == 302
        clients[who] = client
        for path in paths:
            forms += [(who, form) for form in _forms_on(client, path)]
    assert len(forms) >= 15, [f["action"] for _, f in forms]
    return clients, forms


def _value(field: dict, choice: int, bad: str) -> str | None:
    """0: the page's own value (or a valid choice); 1: a bad value; 2: the field left out."""
    if choice == 2:
        return None
    if choice == 1:
        return bad
    if field["type"] == "select":
        return next((o for o in field["options"] if o), "")
    return field["value"]


def _check(response, before: dict[str, int], what) -> None:
    event(f"HTTP {response.status_code}")
    assert response.status_code < 500, what
    if 400 <= response.status_code < 500:
        assert _row_counts() == before, ("half-write on a refusal", what)


@settings(max_examples=FORM_CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_form_input_makes_a_server_error_or_a_half_write(world, data):
    clients, forms = world
    who, form = data.draw(st.sampled_from(forms), label="form")
    client = clients[who]
    payload = {}
    for name, field in form["fields"].items():
        if name in SKIPPED_FIELDS:
            payload[name] = field["value"]
            continue
        value = _value(field, data.draw(st.sampled_from([0, 1, 1, 2]), label=f"{name}?"),
                       data.draw(BAD_TEXT, label=name))
        if value is not None:
            payload[name] = value
    event(form["action"].split("/")[-1] or form["action"])
    before = _row_counts()
    response = client.post(form["action"], data=payload)
    _check(response, before, (who, form["action"], payload))


# Every query parameter a page reads (and one it does not, which must be ignored or 400).
QUERIES = {
    "/petitions": ["q", "state", "category", "body", "region", "sort", "page", "bogus"],
    "/petitions/export.csv": ["q", "state", "category", "body", "region", "sort"],
    "/api/v1/petitions": ["q", "state", "category", "body", "region", "sort", "page", "per_page", "bogus"],
    "/api/v1/responses": ["page", "per_page"],
    "/api/v1/trending": ["page", "per_page"],
    "/petitions/new": ["idea"],
    "/login": ["next"],
    "/admin/users": ["q", "page"],
    "/admin/outbox": ["status", "page"],
    "/moderation/": ["page"],
}
WHO_FOR = {"/petitions/new": "citizen", "/admin/users": "admin", "/admin/outbox": "admin",
           "/moderation/": "moderator"}


@settings(max_examples=QUERY_CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_query_parameter_makes_a_server_error(world, data):
    clients, _ = world
    path = data.draw(st.sampled_from(sorted(QUERIES)), label="path")
    names = data.draw(st.lists(st.sampled_from(QUERIES[path]), min_size=1, max_size=4, unique=True))
    query = {name: data.draw(BAD_TEXT, label=name) for name in names}
    client = clients[WHO_FOR.get(path, "anonymous")]
    before = _row_counts()
    response = client.get(path, query_string=query)
    _check(response, before, (path, query))
    if response.status_code < 400 and path.startswith("/api/"):
        assert response.is_json
