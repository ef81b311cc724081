"""The JSON API v1: every operation answers what the OpenAPI document says, the figures
equal the HTML page's, nothing personal leaks, bad parameters are 400 in JSON, and the
answers are public, cacheable and open to any origin."""

import re
from datetime import timedelta

import pytest

from tests.api.conformance import check
from tests.support import make_petition, page_text


@pytest.fixture
def answered(answered_petition):
    return answered_petition("Ауылға дәрігер керек: Қарасу ауылы", ["KZ-71", "KZ-75"],
                             "Дәрігер 2027 жылдың қаңтарында келеді.", after=timedelta(days=2),
                             shown={0: "Асель Нурланова"})


def test_a_petition_in_json_equals_its_page(client, app, answered):
    data = check(app, "/petitions/{petition_id}", client.get(f"/api/v1/petitions/{answered.id}"))
    page = page_text(client.get(f"/en/petitions/{answered.id}"))
    count = re.search(r'data-testid="signature-count">([\d,]+)<', page).group(1)
    assert data["signature_count"] == int(count.replace(",", "")) == 3
    assert data["title"] == answered.title and data["title"] in page
    assert data["status"] == "responded" and "Responded" in page
    assert data["review"]["response"] == "Дәрігер 2027 жылдың қаңтарында келеді." and data["review"]["response"] in page
    assert data["review"]["answered_on_time"] is True and data["review"]["overdue"] is False
    assert data["threshold"]["signatures"] == 3 and "of the 3 signatures needed" in page
    assert sum(r["count"] for r in data["regions"]) == 3
    assert sum(h["count"] for h in data["signatures_by_hour"]) == 3
    assert data["recent_signers"] == ["Асель Н."] and "Асель Н." in page
    assert data["addressee"]["name"]["ru"].startswith("Министерство здравоохранения")
    assert data["review"]["answered_at"].endswith("Z")
    assert data["links"]["html"].endswith(f"/petitions/{answered.id}")


def test_nothing_personal_in_any_answer(client, app, answered):
    raw = "".join(client.get(path).get_data(as_text=True) for path in (
        f"/api/v1/petitions/{answered.id}", "/api/v1/petitions", "/api/v1/bodies", "/api/v1/bodies/MIN-HEALTH",
        "/api/v1/responses", "/api/v1/trending"))
    for secret in ("@example.kz", "@health.kz", "Нурланова", "hmac", "iin", "email", "password"):
        assert secret not in raw


def test_every_operation_conforms(client, app, answered):
    pid = answered.id
    for template, path in [("/petitions", "/api/v1/petitions?state=all&sort=newest"),
                           ("/petitions", "/api/v1/petitions?state=responded"),
                           ("/petitions/{petition_id}/count", f"/api/v1/petitions/{pid}/count"),
                           ("/bodies", "/api/v1/bodies"), ("/bodies/{code}", "/api/v1/bodies/MIN-HEALTH"),
                           ("/regions", "/api/v1/regions"), ("/responses", "/api/v1/responses?limit=5"),
                           ("/trending", "/api/v1/trending"), ("/openapi.json", "/api/v1/openapi.json")]:
        response = client.get(path)
        assert response.status_code == 200, path
        check(app, template, response)
    assert client.get("/api/v1/petitions?state=responded").get_json()["data"][0]["id"] == pid
    body = client.get("/api/v1/bodies/MIN-HEALTH").get_json()
    assert body["accountability"]["cases_answered"] == 1 and body["latest_responses"][0]["petition_id"] == pid
    # Signed two days ago (the fixture's clock moved on): not trending.
    assert [p["id"] for p in client.get("/api/v1/trending").get_json()["data"]] == []


@pytest.mark.parametrize("path, template", [
    ("/api/v1/petitions?state=answered", "/petitions"),
    ("/api/v1/petitions?sort=random", "/petitions"),
    ("/api/v1/petitions?category=nope", "/petitions"),
    ("/api/v1/petitions?page=0", "/petitions"),
    ("/api/v1/petitions?page=abc", "/petitions"),
    ("/api/v1/petitions?per_page=101", "/petitions"),
    ("/api/v1/petitions?colour=red", "/petitions"),
    ("/api/v1/petitions?region=KZ-99", "/petitions"),
    ("/api/v1/petitions?body=NOPE", "/petitions"),
    ("/api/v1/responses?limit=-1", "/responses"),
    ("/api/v1/trending?limit=1000", "/trending"),
])
def test_bad_parameters_are_a_400_in_json(client, app, path, template):
    response = client.get(path)
    assert response.status_code == 400
    assert check(app, template, response)["error"] == 400


def test_an_unknown_region_or_body_is_named_in_the_refusal_and_in_the_document(client, app):
    """The spec lists the codes there are; any other is refused as it says, not an empty list."""
    assert client.get("/api/v1/petitions?region=KZ-99").get_json() == {"error": 400, "message": "unknown region"}
    assert client.get("/api/v1/petitions?body=NOPE").get_json() == {"error": 400, "message": "unknown body"}
    assert client.get("/api/v1/petitions?region=KZ-75").status_code == 200
    assert client.get("/kk/petitions?region=KZ-99").status_code == 400
    parameters = {p["name"]: p for p in
                  client.get("/api/v1/openapi.json").get_json()["paths"]["/petitions"]["get"]["parameters"]}
    assert "KZ-75" in parameters["region"]["schema"]["enum"] and "KZ-99" not in parameters["region"]["schema"]["enum"]
    assert "GOV" in parameters["body"]["schema"]["enum"]
    for operation in client.get("/api/v1/openapi.json").get_json()["paths"].values():
        assert {"200", "304", "400", "414", "429", "503"} <= set(operation["get"]["responses"])


def test_what_the_public_cannot_see_is_a_404(client, app):
    for state in ("draft", "hidden", "returned"):
        p = make_petition(state=state, title=f"A {state} petition about parks")
        for path in (f"/api/v1/petitions/{p.id}", f"/api/v1/petitions/{p.id}/count"):
            response = client.get(path)
            assert response.status_code == 404 and response.get_json()["error"] == 404
    assert client.get("/api/v1/petitions/99999").status_code == 404
    assert client.get("/api/v1/bodies/NOPE").get_json() == {"error": 404, "message": "no such state body"}
    assert client.get("/api/v1/nowhere").status_code == 404
    refused = client.post("/api/v1/petitions")
    assert refused.status_code == 405 and set(refused.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert refused.get_json()["error"] == 405
    assert client.get("/api/v1/petitions?q=" + "ж" * 201).status_code == 400


def test_pages_are_stable_and_complete(client, app):
    for n in range(7):
        make_petition(title=f"Petition {n} about the same park", signatures=2)  # equal counts: the id decides
    seen = []
    for page in (1, 2, 3):
        data = client.get(f"/api/v1/petitions?per_page=3&page={page}").get_json()
        assert data["meta"] == {"page": page, "per_page": 3, "total": 7, "pages": 3}
        seen += [p["id"] for p in data["data"]]
    assert len(seen) == len(set(seen)) == 7


def test_answers_are_public_cacheable_and_open_to_any_origin(client, app):
    p = make_petition(signatures=1)
    response = client.get(f"/api/v1/petitions/{p.id}/count")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in response.headers and response.headers["ETag"]
    again = client.get(f"/api/v1/petitions/{p.id}/count", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/trending").get_json()["data"][0]["signatures_24h"] == 1
    assert "\\u04" not in client.get(f"/api/v1/petitions/{p.id}").get_data(as_text=True)  # UTF-8, not escapes


@pytest.mark.parametrize("language, heading", [("kk", "Ашық деректер: Dauys API"), ("ru", "Открытые данные: API Dauys"),
                                               ("en", "Open data: the Dauys API")])
def test_the_human_documentation_in_three_languages_and_its_examples_work(client, app, language, heading):
    from app.api.openapi import paths

    shown = make_petition(signatures=1)  # the examples show a public petition
    response = client.get(f"/{language}/open-data")
    page = page_text(response)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert f"<h1>{heading}</h1>" in page
    documented = {path.replace("{petition_id}", "{id}") for path in paths([], []) if path != "/openapi.json"}
    assert {m for m in re.findall(r"<code>GET ([^<]+)</code>", page)} == documented
    examples = set(re.findall(r'href="http://[^/]+(/api/v1/[^"]+)"', page))
    assert len(examples) == len(documented) and 'href="/api/v1/openapi.json"' in page
    assert f"/api/v1/petitions/{shown.id}/count" in examples
    for example in examples:
        assert client.get(example.replace("&amp;", "&")).status_code == 200, example
