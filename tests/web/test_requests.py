"""Request helpers (app.web.requests): control characters, ids and page numbers from the
address are a 400 or a 404, never a 500; line breaks pasted from Word are kept."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition
from tests.support import login, make_petition, make_user, page_text, post, translated


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



@pytest.mark.parametrize("url", ["/api/v1/bodies/GOV%00", "/en/bodies/%00", "/en/feeds/bodies/%00/petitions.atom",
                                 "/kk/petitions/1%00", "/kk/no-such-page%01"])
def test_a_control_character_in_a_path_segment_is_a_400_with_no_traceback(client, url, caplog):
    response = client.get(url)
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    if url.startswith("/api/"):
        assert response.get_json() == {"error": 400, "message": "bad request"}
    else:
        from app.web.errors import MESSAGES

        assert translated(MESSAGES[400][1], url.split("/")[1]) in page_text(response)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_an_id_has_one_spelling_every_other_is_no_address(client):
    """ASCII digits without leading zeros: one address, one cache entry per petition."""
    petition = make_petition(state="open", title="Бір мекенжай туралы петиция мәтіні")
    plain = str(petition.id)
    assert client.get(f"/kk/petitions/{plain}").status_code == 200
    for spelling in ("0" + plain, "000" + plain, plain.translate(ARABIC_INDIC), plain.translate(FULL_WIDTH),
                     "+" + plain, plain + ".0", " " + plain):
        for url in (f"/kk/petitions/{spelling}", f"/api/v1/petitions/{spelling}",
                    f"/api/v1/petitions/{spelling}/count", f"/kk/petitions/{spelling}/regions.csv"):
            assert client.get(url).status_code == 404, url


def test_an_address_too_long_is_a_414_in_the_readers_language(client):
    response = client.get("/ru/petitions?q=" + "a" * 4100)
    assert response.status_code == 414
    assert "Адрес слишком длинный" in page_text(response)
    api = client.get("/api/v1/petitions?q=" + "a" * 4100)
    assert api.status_code == 414 and api.get_json() == {"error": 414, "message": "the address is too long"}
