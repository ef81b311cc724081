"""Validate an API answer against the OpenAPI document, as the tests' readers would
rely on it."""

import jsonschema_rs

from app.api import openapi


def check(app, template: str, response) -> dict:
    """The answer's JSON, after checking that its status is documented for `template`
    (e.g. "/petitions/{petition_id}") and that the body matches the documented schema.
    Raises AssertionError or jsonschema_rs.ValidationError."""
    with app.test_request_context():
        doc = openapi.document()
    responses = doc["paths"][template]["get"]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{template}: status {status} is not documented"
    assert response.mimetype == "application/json"
    schema = responses[status]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]}, validate_formats=True)
    body = response.get_json()
    validator.validate(body)
    return body
