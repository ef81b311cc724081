"""Validate an API answer against the OpenAPI document, as the tests' readers would
rely on it."""

import jsonschema_rs


def check(app, template: str, response) -> dict:
    """The answer's JSON, after checking that its status is documented for `template`
    (e.g. "/petitions/{petition_id}") and that the body matches the documented schema.
    Raises AssertionError or jsonschema_rs.ValidationError."""
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    responses = doc["paths"][template]["get"]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{template}: status {status} is not documented"
    assert response.mimetype == "application/json"
    schema = responses[status]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]}, validate_formats=True)
    body = response.get_json()
    validator.validate(body)
    return body
