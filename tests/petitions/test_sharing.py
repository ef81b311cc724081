"""Sharing a petition: OpenGraph and Twitter-card tags with its count, plain share
links (no third-party script), a QR code of its address, and a print stylesheet."""

import io
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import segno

from tests.support import make_petition, page_text


def test_meta_tags_and_share_links(client, app):
    petition = make_petition(title="Ертіс жағалауын абаттандыру", signatures=3)
    page = page_text(client.get(f"/ru/petitions/{petition.id}"))
    link = f"http://localhost/petitions/{petition.id}"
    assert f'<meta property="og:url" content="{link}">' in page
    assert '<meta property="og:title" content="Ертіс жағалауын абаттандыру">' in page
    assert '<meta property="og:locale" content="ru_RU">' in page
    assert "3 подписи" in page[page.index('property="og:description"'):][:300]
    assert '<meta name="twitter:card" content="summary">' in page
    hrefs = [h.split('"')[0] for h in page.split('href="')[1:]]
    telegram = next(h for h in hrefs if h.startswith("https://t.me/share/url?"))
    assert parse_qs(urlsplit(telegram.replace("&amp;", "&")).query)["url"] == [link]
    assert any(h.startswith("https://wa.me/?") for h in hrefs)
    assert any(h.startswith("https://www.facebook.com/sharer/sharer.php?u=") for h in hrefs)
    assert any(h.startswith("https://x.com/intent/post?") for h in hrefs)
    assert "<script" not in page.replace('<script src="/static/share.js" defer></script>', "")


def test_the_qr_code_encodes_the_address(client, app):
    petition = make_petition(signatures=1)
    response = client.get(f"/kk/petitions/{petition.id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"].startswith("public")
    ET.fromstring(response.get_data())  # noqa: S314 (our own SVG): well-formed
    expected = io.BytesIO()
    segno.make(f"http://localhost/petitions/{petition.id}", error="m").save(
        expected, kind="svg", scale=8, border=2, title=petition.title, xmldecl=True)
    assert response.get_data() == expected.getvalue()
    assert client.get(f"/kk/petitions/{make_petition(state='draft').id}/qr.svg").status_code == 404


def test_the_poster_is_for_print_only(client, app):
    petition = make_petition(signatures=1)
    page = page_text(client.get(f"/en/petitions/{petition.id}"))
    assert 'href="/static/print.css" media="print"' in page
    assert 'class="print-only poster"' in page and f"/en/petitions/{petition.id}/qr.svg" in page
    css = client.get("/static/print.css").get_data(as_text=True)
    assert ".print-only.poster { display: block !important" in css


def test_the_thank_you_page_offers_the_same_sharing(client, app):
    from tests.support import login, make_user, sign_as

    petition = make_petition(signatures=1)
    reader = make_user("reader@example.kz")
    sign_as(petition, reader)
    login(client, "reader@example.kz")
    page = page_text(client.get(f"/en/petitions/{petition.id}/signed"))
    assert "Share this petition" in page and "https://t.me/share/url?" in page
    assert page.count('<script src="/static/share.js" defer></script>') == 1
