"""The operator's public pages and consent (#13, items 1 and 2): privacy notice, terms,
petition standards, help and contact, accessibility statement, in kk, ru and en, from
files in the repository, linked from the footer, cacheable; an unticked consent box at
registration, recorded with the notice's version; a new version asked at the next log-in."""

import pytest
from sqlalchemy import func, select

from app import legal
from app.extensions import db
from app.models import User
from tests.support import login, make_user, page_text, post

PAGES = ("privacy", "terms", "standards", "help", "accessibility")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_each_page_exists_in_each_language_and_a_cache_may_keep_it(app, name, language):
    client = app.test_client()
    response = client.get(f"/{language}/{name}")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"] and not response.headers.getlist("Set-Cookie")
    page = legal.page(name, language)
    text = page_text(response)
    assert page.title in text and "{{" not in text and "}}" not in text  # every setting filled in
    assert f'href="/{language}/{name}"' in client.get(f"/{language}/").get_data(as_text=True)  # in the footer


def test_the_notice_says_what_the_configuration_does(app):
    text = page_text(app.test_client().get("/en/privacy"))
    assert f"{app.config['FINGERPRINT_RETENTION_DAYS']} days after the petition" in text
    assert app.config["OPERATOR_EMAIL"] in text
    assert "No. 94-V" in text


def test_every_language_carries_the_same_notice_version(app):
    assert len({legal.page("privacy", lang).version for lang in ("kk", "ru", "en")}) == 1
    assert legal.notice_version()


def test_registration_without_consent_is_refused_with_no_account(app):
    from tests.accounts.test_registration import form

    client = app.test_client()
    data = form()
    del data["consent"]
    response = post(client, "/en/register", data, token_from="/en/register")
    assert response.status_code == 422
    assert "Tick the box to give your consent" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_records_the_notice_version(app):
    from tests.accounts.test_registration import form

    assert post(app.test_client(), "/en/register", form(), token_from="/en/register").status_code == 200
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.consent_version == legal.notice_version() and user.consent_at is not None


def test_a_new_notice_is_confirmed_at_the_next_log_in(app):
    user = make_user("old-consent@example.kz")
    user.consent_version = "2025-01-01"
    db.session.commit()
    client = app.test_client()
    answer = post(client, "/en/login?next=/en/petitions", {"email": user.email, "password": "correct horse battery"},
                  token_from="/en/login")
    assert answer.status_code == 302
    landing = answer.headers["Location"]
    assert "/account/consent" in landing and "next=" in landing
    page = client.get(landing)
    assert page.status_code == 200 and "privacy notice" in page_text(page).lower()
    refused = post(client, landing, {}, token_from=landing)
    assert refused.status_code == 422 and "Tick the box to give your consent" in page_text(refused)
    agreed = post(client, landing, {"consent": "y"}, token_from=landing)
    assert agreed.status_code == 302 and agreed.headers["Location"].endswith("/en/petitions")
    db.session.expire_all()
    assert db.session.get(User, user.id).consent_version == legal.notice_version()
    # Agreed: the next log-in goes straight on.
    again = app.test_client()
    assert "/account/consent" not in login(again, user.email).headers["Location"]


def test_an_unknown_page_is_a_404(app):
    assert app.test_client().get("/en/cookies-policy").status_code == 404


def test_a_session_from_before_a_new_notice_is_asked_first(app):
    user = make_user("session-consent@example.kz")
    client = app.test_client()
    login(client, user.email)
    assert client.get("/en/petitions/new").status_code == 200
    user.consent_version = "2000-01-01"  # the notice changed while the session was open
    db.session.commit()
    answer = client.get("/en/petitions/new")
    assert answer.status_code == 302 and "/account/consent" in answer.headers["Location"]
    assert client.get("/en/account/data.json").status_code == 200  # their data stays theirs
    assert client.get("/api/v1/petitions").status_code == 200
    agreed = post(client, answer.headers["Location"], {"consent": "y"}, token_from=answer.headers["Location"])
    assert agreed.status_code == 302 and "/petitions/new" in agreed.headers["Location"]


def test_a_broken_page_stops_the_start_not_the_log_ins(app, tmp_path, monkeypatch):
    import shutil

    original = legal.CONTENT
    for source in original.glob("*.md"):
        shutil.copy(source, tmp_path / source.name)
    monkeypatch.setattr(legal, "CONTENT", tmp_path)
    legal.check(app)  # a copy of the real pages passes
    (tmp_path / "terms.kk.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(ValueError, match="terms.kk.md"):
        legal.check(app)
    (tmp_path / "terms.kk.md").write_bytes((original / "terms.kk.md").read_bytes().replace(b"\n", b"\r\n"))
    legal.check(app)  # Windows line endings are fine
