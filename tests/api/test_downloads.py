"""CSV downloads (the list with its filters, a petition's regions, the bodies' figures)
that open in LibreOffice with Kazakh letters intact and formulas defused; Atom feeds of
new petitions and responses, nationally and per body."""

import csv
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.support import make_petition

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Алматыда жаңа саябақ салу: Көкжиек, Шаңырақ, Ақбұлақ"


def atom(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.get_data())  # noqa: S314 (our own feed, not untrusted XML)


def rows(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    assert b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def responded(answered_petition):
    return answered_petition("Емханада кезек көп: Түркістан", ["KZ-61"], "Жаңа дәрігерлер қабылданады.")


def test_the_list_as_csv_follows_the_filters(client, app, responded):
    make_petition(title=TITLE, signatures=2)
    make_petition(title="=HYPERLINK(\"http://evil.example\",\"click\")", signatures=1)
    response = client.get("/ru/petitions/export.csv", query_string={"state": "all", "sort": "newest"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dauys-petitions-ru.csv"'
    assert response.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in response.headers
    header, *body = rows(response)
    assert header[:3] == ["Номер", "Заголовок", "Язык текста"]
    titles = [row[1] for row in body]
    assert TITLE in titles and "'=HYPERLINK(\"http://evil.example\",\"click\")" in titles
    only = rows(client.get("/en/petitions/export.csv", query_string={"state": "responded"}))
    assert [row[1] for row in only[1:]] == [responded.title]
    assert only[1][3] == "Responded" and only[1][11]  # the response's time
    assert client.get("/en/petitions/export.csv", query_string={"state": "nope"}).status_code == 400


def test_regions_and_accountability_csv(client, app, responded):
    regions = rows(client.get(f"/kk/petitions/{responded.id}/regions.csv"))
    assert regions[0][0] == "Өңір"
    assert sorted(int(r[2]) for r in regions[1:]) == [1, 1]
    assert client.get("/kk/petitions/99999/regions.csv").status_code == 404
    table = rows(client.get("/en/accountability.csv"))
    health = next(r for r in table[1:] if r[1] == "MIN-HEALTH")
    assert health[2:8] == ["1", "1", "1", "1", "1", "100.0"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/bootstrap.sh")
def test_libreoffice_opens_the_csv_with_kazakh_letters(client, app, tmp_path):
    make_petition(title=TITLE, signatures=2)
    make_petition(title="-2+3 туралы петиция: формула емес", signatures=1)
    path = tmp_path / "petitions.csv"
    path.write_bytes(client.get("/kk/petitions/export.csv").get_data())
    # The import a person makes in LibreOffice: comma-separated, quoted, UTF-8.
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "html", "--outdir", str(tmp_path / "out"),
                    str(path)], check=True, capture_output=True, timeout=120)
    html = (tmp_path / "out" / "petitions.html").read_text(encoding="utf-8")
    assert TITLE in html and "Тақырып" in html
    assert "'-2+3 туралы петиция: формула емес" in html  # text, not a formula


def test_atom_feeds(client, app, responded):
    make_petition(body="GOV", title=TITLE, signatures=1)
    feed = atom(client.get("/en/feeds/petitions.atom"))
    assert feed.tag == f"{ATOM}feed"
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert TITLE in titles and responded.title in titles
    health = atom(client.get("/en/feeds/bodies/MIN-HEALTH/petitions.atom"))
    assert [e.find(f"{ATOM}title").text for e in health.iter(f"{ATOM}entry")] == [responded.title]
    response = client.get("/ru/feeds/responses.atom")
    assert response.mimetype == "application/atom+xml" and response.headers["Cache-Control"].startswith("public")
    answers = atom(response)
    [entry] = answers.iter(f"{ATOM}entry")
    assert responded.title in entry.find(f"{ATOM}title").text
    assert entry.find(f"{ATOM}content").text == "Жаңа дәрігерлер қабылданады."
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/ru/petitions/{responded.id}#response")
    assert entry.find(f"{ATOM}updated").text.endswith("Z")
    assert not list(atom(client.get("/en/feeds/bodies/GOV/responses.atom")).iter(f"{ATOM}entry"))
    assert client.get("/en/feeds/bodies/NOPE/responses.atom").status_code == 404
