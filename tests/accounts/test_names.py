"""Names in parts (#13, item 3): surname, given name and an optional patronymic; public
pages show "Given S."; names typed in one field are split by the migration (a best
guess, in any order) and confirmed by their owner at the next log-in."""

import importlib.util
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, User
from tests.accounts.test_registration import form
from tests.support import login, make_user, page_text, post, scratch_migrations

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "a3c5e7f9b111_names_in_parts.py"


def _migration():
    spec = importlib.util.spec_from_file_location("names_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("typed", "parts"), [
    ("Zhumabayeva Asem Nurlanovna", ("Asem", "Zhumabayeva", "Nurlanovna")),  # ID-card order
    ("Asem Nurlanovna Zhumabayeva", ("Asem", "Zhumabayeva", "Nurlanovna")),
    ("Жұмабаева Әсем Нұрланқызы", ("Әсем", "Жұмабаева", "Нұрланқызы")),
    ("Әсем Нұрлан қызы Жұмабаева", ("Әсем", "Жұмабаева", "Нұрлан қызы")),
    ("Иванов Иван Иванович", ("Иван", "Иванов", "Иванович")),
    ("Zhumabayeva Asem", ("Asem", "Zhumabayeva", None)),
    ("Asem Zhumabayeva", ("Asem", "Zhumabayeva", None)),
    ("Марина Иванова", ("Марина", "Иванова", None)),
    ("Омарова Дина", ("Дина", "Омарова", None)),
    ("Петрова Ирина", ("Ирина", "Петрова", None)),
    ("Ахмет Байтұрсынұлы", ("Ахмет", "Байтұрсынұлы", None)),
    ("Анна Мария Смит", ("Анна Мария", "Смит", None)),
    ("Madonna", ("Madonna", "", None)),
    ("   ", ("", "", None)),
])
def test_the_migration_splits_a_name_typed_in_any_order(typed, parts):
    assert _migration().split_name(typed) == parts


def test_the_migration_splits_stored_names_and_asks_to_confirm(app, tmp_path):
    """On a throwaway database: names stored in one field before the migration come out
    in parts, marked unconfirmed (a deleted account's blank name is not)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the PostgreSQL lane migrates its database from empty at session start")
    from alembic import command

    with scratch_migrations(app, tmp_path / "names.sqlite3") as (config, scratch_db):
        command.upgrade(config, "f2a4b6c8d010")
        with scratch_db.engine.begin() as conn:
            for n, name in enumerate(["Zhumabayeva Asem Nurlanovna", "Ерлан Жұмабаев", ""]):
                conn.execute(sa.text("INSERT INTO users (email, full_name, password_hash, language, session_version,"
                                     " active, created_at) VALUES (:e, :n, 'x', 'kk', 1, 1, '2026-01-01 00:00:00')"),
                             {"e": f"m{n}@example.kz", "n": name})
        command.upgrade(config, "head")
        with scratch_db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT given_name, surname, patronymic, name_unconfirmed FROM users"
                                        " ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("Asem", "Zhumabayeva", "Nurlanovna", 1), ("Ерлан", "Жұмабаев", None, 1),
                                            ("", "", None, 0)]
        command.downgrade(config, "f2a4b6c8d010")
        with scratch_db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT full_name FROM users ORDER BY id")).scalars().all() == [
                "Asem Nurlanovna Zhumabayeva", "Ерлан Жұмабаев", ""]


def test_registration_keeps_the_parts_and_pages_show_given_and_initial(app, client):
    decomposed = unicodedata.normalize("NFD", "Айгерім")  # й typed as и + breve
    response = post(client, "/register", form(surname="  Серікова ", given_name=decomposed, patronymic="Болатқызы"),
                    token_from="/register")
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert (user.surname, user.given_name, user.patronymic) == ("Серікова", "Айгерім", "Болатқызы")
    assert user.full_name == "Серікова Айгерім Болатқызы" and user.display_name == "Айгерім С."
    assert not user.name_unconfirmed


def test_the_patronymic_is_optional(app, client):
    response = post(client, "/register", form(patronymic=""), token_from="/register")
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.patronymic is None and user.display_name == "Айгерім С."


def test_a_split_name_is_confirmed_at_the_next_log_in(app):
    user = make_user("split@example.kz")
    user.given_name, user.surname, user.patronymic = "Asem", "Zhumabayeva", "Nurlanovna"
    user.name_unconfirmed = True
    db.session.commit()
    client = app.test_client()
    answer = post(client, "/en/login?next=/en/petitions", {"email": user.email, "password": "correct horse battery"},
                  token_from="/en/login")
    landing = answer.headers["Location"]
    assert answer.status_code == 302 and "/account/name" in landing and "next=" in landing
    page = page_text(client.get(landing))
    assert "Please check your name" in page and 'value="Zhumabayeva"' in page and 'value="Nurlanovna"' in page
    # Nothing else opens until it is confirmed (but the person's data and the API do).
    blocked = client.get("/en/petitions/new")
    assert blocked.status_code == 302 and "/account/name" in blocked.headers["Location"]
    assert client.get("/en/account/data.json").status_code == 200
    assert client.get("/api/v1/petitions").status_code == 200
    # A wrong correction is refused with the reason; nothing changes.
    refused = post(client, landing, {"surname": "Zhumabayeva", "given_name": "", "patronymic": "Nurlanovna"},
                   token_from=landing)
    assert refused.status_code == 422 and "Enter your given name." in page_text(refused)
    db.session.expire_all()
    assert db.session.get(User, user.id).name_unconfirmed
    fixed = post(client, landing, {"surname": "Zhumabayeva", "given_name": "Asem", "patronymic": ""},
                 token_from=landing)
    assert fixed.status_code == 302 and fixed.headers["Location"].endswith("/en/petitions")
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert not saved.name_unconfirmed and saved.patronymic is None and saved.display_name == "Asem Z."
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.name_change"))
    assert entry.target_id == user.id and entry.after == {"confirmed_split": True}
    assert "Zhumabayeva" not in str(entry.before) + str(entry.after)  # the log keeps no names
    assert client.get("/en/petitions/new").status_code == 200


def test_the_privacy_notice_comes_before_the_name(app):
    user = make_user("both@example.kz")
    user.consent_version, user.name_unconfirmed = "2000-01-01", True
    db.session.commit()
    client = app.test_client()
    first = login(client, user.email).headers["Location"]
    assert "/account/consent" in first
    early = client.get("/en/account/name")  # not before the notice
    assert early.status_code == 302 and "/account/consent" in early.headers["Location"]
    after = post(client, first, {"consent": "y"}, token_from=first)
    assert client.get("/en/petitions/new").headers["Location"].split("?")[0].endswith("/account/name")
    assert after.status_code == 302


def test_a_name_is_corrected_from_the_account_page(app):
    user = make_user("fix@example.kz")
    client = app.test_client()
    login(client, user.email)
    assert "/account/name" in page_text(client.get("/en/account"))
    bad = post(client, "/en/account/name", {"surname": "Person1", "given_name": "Test"}, token_from="/en/account/name")
    assert bad.status_code == 422
    assert "Use letters only: a hyphen, an apostrophe or a space may join two parts." in page_text(bad)
    ok = post(client, "/en/account/name", {"surname": "O'Neil-Smith", "given_name": "Ayman Ruth"},
              token_from="/en/account/name")
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Ayman Ruth O."


def test_the_name_page_asks_for_a_log_in(app):
    answer = app.test_client().get("/en/account/name")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_an_admin_finds_people_by_any_part_of_the_name(app):
    admin = make_user("finder@example.kz", roles=(Role.ADMIN,))
    target = make_user("target@example.kz")
    target.given_name, target.surname, target.patronymic = "Әсем", "Жұмабаева", "Нұрланқызы"
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    for query in ("жұмабаева", "Әсем ЖҰМАБАЕВА", "нұрлан"):
        found = page_text(client.get("/en/admin/users", query_string={"q": query}))
        assert "target@example.kz" in found, query
    assert "target@example.kz" not in page_text(client.get("/en/admin/users", query_string={"q": "Әсем Петрова"}))
