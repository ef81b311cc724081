"""The OpenAPI 3.1 document of /api/v1, built here so that it names the same states,
categories, sorts and limits as the code it describes. Served at /api/v1/openapi.json;
the tests validate every answer against it and CI runs schemathesis on it."""

from __future__ import annotations

from app.bodies.thresholds import PROFILES
from app.models import BodyKind, BodyLevel, Category, IdentityLevel, PetitionState, RejectionCode, RemovalCategory
from app.models.geo import RegionKind
from app.petitions.names import AWAITING_RESPONSE, RESPONDED
from app.petitions.queries import LIST_STATES, SORTS
from app.petitions.subjects import EXCLUDED_SUBJECTS

MAX_PER_PAGE = 100


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties,
            "required": [k for k in properties if k not in optional], "additionalProperties": False}


TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC"}
DATE = {"type": "string", "format": "date", "description": "a calendar date in Almaty"}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
# What a query or path parameter may hold: no control characters (a 400 anywhere on the site).
PLAIN = {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]*$"}
MAX_QUERY = 200
URL = {"type": "string", "format": "uri"}
STATUSES = [RESPONDED, AWAITING_RESPONSE] + [s.value for s in PetitionState]

SCHEMAS = {
    "Names": _object({"kk": TEXT, "ru": TEXT, "en": TEXT}),
    "BodyRef": _object({"code": TEXT, "name": _ref("Names"), "level": {"enum": [b.value for b in BodyLevel]},
                        "kind": {"enum": [k.value for k in BodyKind]},
                        "region": _nullable({**TEXT, "description": "the ISO 3166-2 code of its region"}),
                        "district": _nullable({**TEXT, "description": "the KATO code of its district or city"})}),
    "Threshold": _object({"signatures": {"type": "integer", "minimum": 1},
                          "kind": {"enum": ["fixed", "percent", "floor", "fallback"], "description": (
                              "fixed: a number; percent: of the population; floor: the number the law sets for "
                              "a place of more than 50,000 people; fallback: the population is not known")},
                          "profile": {"enum": list(PROFILES), "description": (
                              "the rules it follows: a petition's, those it was submitted under")},
                          "percent": _nullable({"type": "number"}), "reason": _ref("Names"),
                          "counts": {"type": "array", "items": {"enum": [level.value for level in IdentityLevel]},
                                     "description": "which signatures count toward it (signatures_by_assurance)"}}),
    "Links": _object({"html": URL, "self": URL, "count": URL}),
    "PetitionSummary": _object({
        "id": {"type": "integer"}, "title": TEXT, "summary": TEXT, "language": {"enum": ["kk", "ru", "en"]},
        "state": {"enum": [s.value for s in PetitionState]}, "status": {"enum": STATUSES},
        "addressee": _ref("BodyRef"),
        # The body that answers when the review case was passed on to another; else null.
        "reassigned_to": _nullable(_ref("BodyRef")), "category": {"enum": [c.value for c in Category]},
        "signature_count": COUNT, "threshold": {"type": "integer", "minimum": 1},
        "opened_at": _nullable(TIME), "closes_at": _nullable(TIME), "closed_at": _nullable(TIME),
        "days_left": _nullable(COUNT), "links": _ref("Links"),
    }),
    "Review": _object({
        "status": {"enum": [RESPONDED, AWAITING_RESPONSE]}, "body": _ref("BodyRef"), "queued_at": TIME,
        "due_on": DATE, "overdue": {"type": "boolean"}, "overdue_working_days": COUNT,
        "acknowledged_at": _nullable(TIME), "answered_at": _nullable(TIME),
        "answered_on_time": _nullable({"type": "boolean"}), "response": _nullable(TEXT),
        "reassignments": {"type": "array", "items": _object({"from": TEXT, "to": TEXT, "at": TIME})},
    }),
    "Rejection": _object({"code": {"enum": [r.value for r in RejectionCode]}, "reason": _ref("Names"),
                          "explanation": _nullable(TEXT), "decided_at": _nullable(TIME),
                          "excluded_subject": _nullable(_object({
                              "key": {"enum": [subject.key for subject in EXCLUDED_SUBJECTS]},
                              "item": {"type": "integer", "minimum": 1, "description": (
                                  "its item in the law's list (APPC art. 90-2, part 3)")},
                              "name": _ref("Names")}))}),
    "RegionCount": _object({"code": TEXT, "name": _ref("Names"), "count": COUNT}),
    "HourCount": _object({"hour": TIME, "count": COUNT}),
    "RemovedAsInvalid": _object({
        "count": COUNT,
        "removals": {"type": "array", "items": _object({
            "count": COUNT, "at": TIME, "reason": {"enum": [c.value for c in RemovalCategory]},
            "reason_name": _ref("Names")})},
    }),
}
SCHEMAS["Petition"] = {
    **SCHEMAS["PetitionSummary"],
    "properties": {
        **SCHEMAS["PetitionSummary"]["properties"],
        "details": TEXT, "category_name": _ref("Names"), "threshold": _ref("Threshold"),
        "threshold_reached_at": _nullable(TIME), "sponsor_count": COUNT, "sponsors_required": COUNT,
        "regions": {"type": "array", "items": _ref("RegionCount"),
                    "description": "signatures by the signer's region at signing, largest first"},
        "signatures_by_hour": {"type": "array", "items": _ref("HourCount"),
                               "description": "valid signatures per UTC hour, hours with none left out"},
        "review": _nullable(_ref("Review")), "rejection": _nullable(_ref("Rejection")),
        "recent_signers": {"type": "array", "items": TEXT,
                           "description": "the latest signers who chose to show their name (given name, initial)"},
        "submitted_at": _nullable(TIME),
        "removed_as_invalid": _ref("RemovedAsInvalid"),
        "signatures_by_assurance": {**_object({level.value: COUNT for level in IdentityLevel}), "description": (
            "valid signatures by how they were made (counted like signature_count): eds, signed with a "
            "certificate of the NCA RK, each with its evidence; state_idp, through an account whose identity the "
            "state's identity provider confirmed; self_declared, through an account whose IIN was typed")},
    },
}
SCHEMAS["Petition"]["required"] = list(SCHEMAS["Petition"]["properties"])
SCHEMAS.update({
    "Count": _object({"id": {"type": "integer"}, "signature_count": COUNT,
                      "counted": {**COUNT, "description": "the signatures that count toward the threshold "
                                                         "(the body's rule: threshold.counts)"},
                      "state": {"enum": [s.value for s in PetitionState]}, "status": {"enum": STATUSES},
                      "threshold": {"type": "integer", "minimum": 1}}),
    "Overdue": _object({"petition_id": {"type": "integer"}, "title": TEXT, "due_on": DATE,
                        "working_days_late": {"type": "integer", "minimum": 1}}),
    "Accountability": _object({
        "petitions_addressed": COUNT, "reached_threshold": COUNT, "cases": COUNT, "cases_answered": COUNT,
        "answered_on_time": COUNT, "answered_on_time_percent": _nullable({"type": "number"}),
        "median_working_days_to_respond": _nullable({"type": "number"}), "awaiting_response": COUNT,
        "overdue_now": {"type": "array", "items": _ref("Overdue")},
    }),
    "Response": _object({"petition_id": {"type": "integer"}, "title": TEXT, "language": {"enum": ["kk", "ru", "en"]},
                         "body": _ref("BodyRef"), "signature_count": COUNT, "answered_at": TIME,
                         "answered_on_time": {"type": "boolean"}, "response": TEXT, "links": _ref("Links")}),
    "Region": _object({"code": TEXT, "name": _ref("Names"), "kind": {"enum": [k.value for k in RegionKind]},
                       "population": _nullable({"type": "integer", "minimum": 1}),
                       "population_as_of": _nullable(DATE)}),
    "TrendingPetition": {**SCHEMAS["PetitionSummary"],
                         "properties": {**SCHEMAS["PetitionSummary"]["properties"], "signatures_24h": COUNT},
                         "required": [*SCHEMAS["PetitionSummary"]["required"], "signatures_24h"]},
    "Error": _object({"error": {"type": "integer"}, "message": TEXT}),
})
SCHEMAS["Body"] = {
    **SCHEMAS["BodyRef"],
    "properties": {**SCHEMAS["BodyRef"]["properties"], "review_period_working_days": {"type": "integer"},
                   "active": {"type": "boolean"}, "threshold": _ref("Threshold"),
                   "accountability": _ref("Accountability")},
}
SCHEMAS["Body"]["required"] = list(SCHEMAS["Body"]["properties"])
SCHEMAS["BodyDetail"] = {
    **SCHEMAS["Body"],
    "properties": {**SCHEMAS["Body"]["properties"],
                   "latest_responses": {"type": "array", "items": _ref("Response")}},
}
SCHEMAS["BodyDetail"]["required"] = list(SCHEMAS["BodyDetail"]["properties"])


def _list_of(name: str) -> dict:
    return _object({"data": {"type": "array", "items": _ref(name)}})


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_400 = _json(_ref("Error"), "A parameter is unknown or out of range, or the address carries a control "
                                 "character")
ERROR_404 = _json(_ref("Error"), "Not found")
NOT_MODIFIED = {"description": "Not modified: the request's If-None-Match names the current ETag"}
ERROR_503 = {**_json(_ref("Error"), "Briefly unavailable (the database is away): retry after the time given"),
             "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}
ERROR_414 = _json(_ref("Error"), "The address (with its query) is too long")
ERROR_429 = {**_json(_ref("Error"), "Too many requests from this address: wait and try again"),
             "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PETITION_ID = {"name": "petition_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}}
LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}, "how many")


def _get(summary: str, description: str, ok: dict, *, parameters=(), not_found: bool = False) -> dict:
    # Any operation: a control character in the address is refused before any route runs.
    responses = {"200": ok, "304": NOT_MODIFIED, "400": ERROR_400}
    if not_found:
        responses["404"] = ERROR_404
    # Any operation: an address longer than the server takes, and the rate limits (the
    # search's own, and the per-address limits every request is counted against).
    responses["414"] = ERROR_414
    responses["429"] = ERROR_429
    responses["503"] = ERROR_503
    return {"get": {"summary": summary, "description": description, "parameters": list(parameters),
                    "responses": responses}}


def paths(body_codes: list[str], region_codes: list[str]) -> dict:
    """The operations; the codes of the state bodies and regions there are now, which the
    list's filters take (any other is a 400)."""
    return {
        "/petitions": _get(
            "Petitions", "The public list, with the filters and sorts of the HTML list. Pages are stable: every "
            "sort ends with the petition's id.",
            _json({**_list_of("PetitionSummary"), "properties": {
                "data": {"type": "array", "items": _ref("PetitionSummary")},
                "meta": _object({"page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": COUNT,
                                 "pages": COUNT})}, "required": ["data", "meta"]}, "A page of petitions"),
            parameters=[
                _query("q", {**PLAIN, "maxLength": MAX_QUERY}, "words from the title or summary"),
                _query("state", {"enum": list(LIST_STATES), "default": "open"}, "state or review status"),
                _query("category", {"enum": [c.value for c in Category]}, "category"),
                _query("body", {"enum": body_codes}, "addressee's code (see /bodies; any other is a 400)"),
                _query("region", {"enum": region_codes},
                       "petitions to the state bodies of this region (code, see /regions; any other is a 400)"),
                _query("sort", {"enum": list(SORTS), "default": "popular"}, "order"),
                _query("page", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}, "page"),
                _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}, "size"),
            ]),
        "/petitions/{petition_id}": _get(
            "A petition", "Texts, addressee, category, state and dates, count, threshold and its reason, regional "
            "breakdown, signatures by hour, review status with due date and overdue flag, response, rejection.",
            _json(_ref("Petition"), "The petition"), parameters=[PETITION_ID], not_found=True),
        "/petitions/{petition_id}/count": _get(
            "A petition's count", "A tiny document for pollers. The count trails the signatures by at most the "
            "cache's max-age plus the aggregation period (seconds).",
            _json(_ref("Count"), "The count"), parameters=[PETITION_ID], not_found=True),
        "/bodies": _get("State bodies", "Every state body: threshold, review period and accountability figures.",
                        _json(_list_of("Body"), "The bodies")),
        "/bodies/{code}": _get(
            "A state body", "One body's figures, overdue cases and latest responses.",
            _json(_ref("BodyDetail"), "The body"),
            parameters=[{"name": "code", "in": "path", "required": True, "schema": PLAIN}],
            not_found=True),
        "/regions": _get("Regions", "Kazakhstan's regions, with their official population where known.",
                         _json(_list_of("Region"), "The regions")),
        "/responses": _get("Latest responses", "Official responses, newest first.",
                           _json(_list_of("Response"), "The responses"), parameters=[LIMIT]),
        "/trending": _get("Trending", "Open petitions by signatures in the last 24 hours.",
                          _json(_list_of("TrendingPetition"), "The petitions"), parameters=[LIMIT]),
        "/openapi.json": _get("This document", "The OpenAPI 3.1 document of this API.",
                              _json({"type": "object"}, "OpenAPI 3.1")),
    }


def document(body_codes: list[str], region_codes: list[str]) -> dict:
    from app.web.requests import absolute_url

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dauys API",
            "version": "1.0.0",
            "description": "Read-only open data of Dauys, the petitions platform of Kazakhstan: petitions, "
                           "counts, state bodies and how they keep their deadlines, regions, responses. No "
                           "authentication; answers are public and cacheable (Cache-Control, ETag) and open "
                           "to any origin. Times are ISO 8601 in UTC; names come in Kazakh, Russian and "
                           "English. Nothing personal: signers' names only for those who chose to show them.",
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": absolute_url("api.petitions").rsplit("/petitions", 1)[0]}],
        "paths": paths(body_codes, region_codes),
        "components": {"schemas": SCHEMAS},
    }
