"""Objects as the API shows them: ISO 8601 UTC times, names in kk/ru/en, nothing
personal beyond what the HTML pages show (no emails, no fingerprints; signers' names
only for those who chose to show them). The OpenAPI document (app/api/openapi.py)
describes each shape; the tests validate every answer against it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import force_locale

from app.accountability import figures as accountability
from app.bodies.thresholds import counted_levels, describe, petition_threshold, profile, profile_of, threshold_for
from app.core import clock
from app.models import CaseState, IdentityLevel, Petition, Region, ReviewCase, StateBody
from app.petitions import counting, names
from app.petitions import status as standing
from app.petitions.subjects import BY_KEY
from app.web.requests import absolute_url, share_url

LANGUAGES = ("kk", "ru", "en")


def when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def localized(obj) -> dict:
    return {lang: obj.name(lang) for lang in LANGUAGES}


def translations(message) -> dict:
    out = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            out[lang] = str(message)
    return out


def region(r: Region) -> dict:
    return {"code": r.code, "name": localized(r), "kind": r.kind.value, "population": r.population,
            "population_as_of": day(r.population_as_of)}


def body_ref(b: StateBody) -> dict:
    return {"code": b.code, "name": localized(b), "level": b.level.value, "kind": b.kind.value,
            "region": b.region.code if b.region else None, "district": b.district.kato if b.district else None}


def excluded_subject(key: str | None) -> dict | None:
    subject = BY_KEY.get(key) if key else None
    if subject is None:
        return None
    return {"key": subject.key, "item": subject.item, "name": translations(subject.name)}


def threshold(b: StateBody, profile_name: str | None = None) -> dict:
    """A body's threshold now, or (given a petition's profile) that petition's."""
    t = threshold_for(b, profile_name)
    reason = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            reason[lang] = describe(b, t, lang)
    return {"signatures": t.signatures, "kind": t.kind, "profile": profile(profile_name).name,
            "percent": float(t.percent) if t.percent is not None else None, "reason": reason,
            "counts": [level.value for level in counted_levels(b, profile_name)]}


def figures(f: accountability.BodyFigures) -> dict:
    return {
        "petitions_addressed": f.addressed,
        "reached_threshold": f.reached_threshold,
        "cases": f.cases,
        "cases_answered": f.answered,
        "answered_on_time": f.answered_on_time,
        "answered_on_time_percent": f.on_time_percent,
        "median_working_days_to_respond": f.median_days,
        "awaiting_response": f.awaiting,
        "overdue_now": [{"petition_id": o.case.petition_id, "title": o.case.petition.title,
                         "due_on": day(o.case.due_on), "working_days_late": o.days_late} for o in f.overdue],
    }


def body(b: StateBody, f: accountability.BodyFigures) -> dict:
    return {**body_ref(b), "review_period_working_days": b.review_period_days, "active": b.active,
            "threshold": threshold(b), "accountability": figures(f)}


def _links(p: Petition) -> dict:
    return {"html": share_url("petitions.show", petition_id=p.id),
            "self": _api_url("api.petition", petition_id=p.id),
            "count": _api_url("api.petition_count", petition_id=p.id)}


def _api_url(endpoint: str, **values) -> str:
    # On PUBLIC_BASE_URL, never the request's Host: these answers are cached and shared.
    return absolute_url(endpoint, **values)


def petition_summary(p: Petition) -> dict:
    progress = standing.progress(p, clock.now())
    return {
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "language": p.language,
        "state": p.state.value,
        "status": standing.public_status(p),
        "addressee": body_ref(p.body),
        "reassigned_to": body_ref(p.review_case.body)
        if p.review_case is not None and p.review_case.body_id != p.body_id else None,
        "category": p.category.value,
        "signature_count": p.signature_count,
        "threshold": progress.threshold,
        "opened_at": when(p.opened_at),
        "closes_at": when(p.closes_at),
        "closed_at": when(p.closed_at),
        "days_left": progress.days_left,
        "links": _links(p),
    }


def review(case: ReviewCase | None, today: date) -> dict | None:
    if case is None:
        return None
    answered = case.state is CaseState.ANSWERED
    late = case.overdue_days(today)
    return {
        "status": standing.RESPONDED if answered else standing.AWAITING_RESPONSE,
        "body": body_ref(case.body),
        "queued_at": when(case.queued_at),
        "due_on": day(case.due_on),
        "overdue": late > 0,
        "overdue_working_days": late,
        "acknowledged_at": when(case.acknowledged_at),
        "answered_at": when(case.answered_at),
        "answered_on_time": accountability.answered_on_time(case) if answered else None,
        "response": case.response_text if answered else None,
        "reassignments": [{"from": m.from_body.code, "to": m.to_body.code, "at": when(m.at)}
                          for m in case.reassignments],
    }


def removed_as_invalid(removals: list) -> dict:
    return {"count": sum(r.count for r in removals),
            "removals": [{"count": r.count, "at": when(r.at), "reason": r.category.value,
                          "reason_name": translations(names.REMOVAL_NAMES[r.category])} for r in removals]}


def petition(p: Petition, *, regions: list, hours: list, signers: list[str], removals: list = (),
             levels: dict | None = None) -> dict:
    rejection = None
    if p.rejection_code is not None and p.state.value == "rejected":
        rejection = {"code": p.rejection_code.value, "reason": translations(names.REJECTION_NAMES[p.rejection_code]),
                     "explanation": p.rejection_explanation, "decided_at": when(p.decided_at),
                     "excluded_subject": excluded_subject(p.excluded_subject)}
    return {
        **petition_summary(p),
        "details": p.details,
        "category_name": translations(names.CATEGORY_NAMES[p.category]),
        "threshold": threshold(p.body, p.threshold_profile),
        "threshold_reached_at": when(p.threshold_reached_at),
        "sponsor_count": p.sponsor_count,
        "sponsors_required": profile_of(p).sponsors_required(),
        "regions": [{"code": r.code, "name": localized(r), "count": n} for r, n in regions],
        "signatures_by_hour": [{"hour": when(h), "count": n} for h, n in hours],
        "review": review(p.review_case, clock.today()),
        "rejection": rejection,
        "recent_signers": signers,
        "removed_as_invalid": removed_as_invalid(list(removals)),
        "signatures_by_assurance": {level.value: (levels or {}).get(level, 0) for level in IdentityLevel},
        "submitted_at": when(p.submitted_at),
    }


def count(p: Petition) -> dict:
    return {"id": p.id, "signature_count": p.signature_count, "counted": counting.counted(p), "state": p.state.value,
            "status": standing.public_status(p), "threshold": petition_threshold(p).signatures}


def response_item(case: ReviewCase) -> dict:
    p = case.petition
    return {"petition_id": p.id, "title": p.title, "language": p.language, "body": body_ref(case.body),
            "signature_count": p.signature_count, "answered_at": when(case.answered_at),
            "answered_on_time": accountability.answered_on_time(case), "response": case.response_text,
            "links": _links(p)}
