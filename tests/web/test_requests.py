"""Request helpers (app.web.requests): control characters, ids and page numbers from the
address are a 400 or a 404, never a 500; line breaks pasted from Word are kept."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition
from tests.support import login, make_user, post


@pytest.mark.parametrize("url", ["/petitions?body=%00", "/petitions?region=a%01b", "/petitions?q=%00",
                                 "/petitions/new?idea=%00abc"])
def test_control_characters_in_queries_are_400(client, url):
    make_user("nul@example.kz")
    login(client, "nul@example.kz")
    assert client.get(url).status_code == 400


def test_nul_in_a_form_is_400_and_creates_nothing(client):
    from tests.accounts.test_registration import form, user_count

    before = user_count()
    response = post(client, "/register", form(given_name="Nul\x00Byte"), token_from="/register")
    assert response.status_code == 400
    assert user_count() == before


def test_text_pasted_from_word_keeps_its_line_breaks(client, app):
    make_user("author@example.kz", region="KZ-75")
    login(client, "author@example.kz")
    details = "Бірінші абзац.\x0bЕкінші жол.\x0cКелесі бет."
    response = post(client, "/petitions/new/form", {
        "title": "Word-тан көшірілген мәтін туралы петиция", "summary": "Қысқаша\x0bмазмұны.",
        "details": details, "body": "GOV", "category": "other", "language": "kk"},
        token_from="/petitions/new/form")
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert petition.details == "Бірінші абзац.\nЕкінші жол.\n\nКелесі бет."
    assert petition.summary == "Қысқаша\nмазмұны."
    # Other control characters are still a bad request, and nothing is written.
    bad = post(client, "/petitions/new/form", {"title": "A title with a NUL\x00 inside it", "summary": "s",
                                               "details": "d", "body": "GOV", "category": "other", "language": "kk"},
               token_from="/petitions/new/form")
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 1


@pytest.mark.parametrize("url", ["/petitions/99999999999999999999", "/petitions/0", "/petitions/-1"])
def test_absurd_ids_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-3", "x"])
def test_absurd_pages_are_400(client, page):
    assert client.get(f"/petitions?page={page}").status_code == 400


@pytest.mark.parametrize("page", ["²", "³", "①", "١٢"])
def test_a_page_number_in_other_digits_is_a_400_not_a_500(client, page):
    """str.isdigit() accepts superscripts and circled digits that int() refuses."""
    assert client.get(f"/petitions?page={page}").status_code == 400
    assert client.get(f"/api/v1/petitions?page={page}").status_code == 400

