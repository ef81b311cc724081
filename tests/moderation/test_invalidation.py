"""Invalidation (#12, item 3 and 5): a moderator's filter, previewed, run in the
background with progress and cancel; each signature turns once; the counts fall through
count deltas exactly (totals, regions, hours) and `counts reconcile` finds no drift;
revalidation restores them; the public page, its JSON and its chart say what was removed."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.core.jobs import worker
from app.extensions import db
from app.models import (
    AuditEntry,
    InvalidationState,
    Petition,
    PetitionRegionCount,
    Role,
    Signature,
    SignatureInvalidation,
    User,
)
from app.moderation import integrity
from app.moderation.jobs import resume_invalidations, run_invalidation
from app.petitions import services
from app.petitions.counting import reconcile_petition
from app.petitions.services import fraud_fields
from tests.support import login, make_petition, make_user, page_text, post, settle

WAVE_REGIONS = ("KZ-75", "KZ-71", "KZ-79", "KZ-31")
OTHER_REGIONS = ("KZ-75", "KZ-11", "KZ-55")


def wave(petition, n: int, *, network: str = "10.20.30", regions=WAVE_REGIONS, agent="python-requests/2.32",
         domain="example.kz", prefix="w"):
    """n accounts signing `petition` from addresses of one /24 (or, with network=None,
    each from a network of its own)."""
    signers = []
    for i in range(n):
        user = make_user(f"{prefix}{i}@{domain}", region=regions[i % len(regions)], commit=False)
        ip = f"{network}.{i % 250 + 1}" if network else f"172.{16 + i // 250}.{i % 250}.9"
        services.sign(petition, user, show_name=False, notify=False, meta={"ip": ip, "user_agent": agent})
        signers.append(user)
    db.session.commit()
    return signers


def network_hex(prefix: str = "10.20.30") -> str:
    return fraud_fields(f"{prefix}.1", None)["network_hmac"].hex()


def regional(petition_id: int) -> dict[str, int]:
    db.session.expire_all()
    return {r.region.code: r.count for r in db.session.scalars(
        select(PetitionRegionCount).where(PetitionRegionCount.petition_id == petition_id)) if r.count}


def total(petition_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Petition, petition_id).signature_count


@pytest.fixture
def moderator(app):
    make_user("integrity-mod@example.kz", roles=(Role.MODERATOR,))
    client = app.test_client()
    login(client, "integrity-mod@example.kz")
    return client


def start_run(client, *, note="500 accounts from one network within ten minutes.", category="bulk_accounts",
              suspend=False, **criteria):
    data = {**criteria, "category": category, "note": note}
    if suspend:
        data["suspend"] = "y"
    return post(client, "/en/moderation/integrity/invalidate", data, token_from="/en/moderation/integrity/invalidate")


def the_run() -> SignatureInvalidation:
    db.session.expire_all()
    return db.session.scalars(select(SignatureInvalidation).order_by(SignatureInvalidation.id.desc())).first()


def test_a_wave_is_previewed_removed_exactly_shown_to_the_public_and_restored(app, moderator):
    petition = make_petition(state="open", title="Ауыл мектептеріне интернет қосу керек")
    wave(petition, 500)
    wave(petition, 200, network=None, regions=OTHER_REGIONS, agent="Mozilla/5.0", prefix="o")
    settle()
    before_total, before_regions = total(petition.id), regional(petition.id)
    assert before_total == 700  # the wave and the ordinary signers

    preview = moderator.get(f"/en/moderation/integrity/invalidate?petition={petition.id}&network={network_hex()}")
    assert preview.status_code == 200
    assert "500 valid signatures match" in page_text(preview)
    assert "from 500 accounts" in page_text(preview)

    response = start_run(moderator, petition=str(petition.id), network=network_hex())
    assert response.status_code == 303
    run = the_run()
    assert response.headers["Location"].endswith(f"/moderation/integrity/runs/{run.id}")
    assert run.expected == 500 and run.state is InvalidationState.QUEUED
    worker.drain(app)
    settle()

    run = the_run()
    assert run.state is InvalidationState.DONE and run.changed == 500 and run.processed == 500
    assert total(petition.id) == before_total - 500
    wave_share = Counter(WAVE_REGIONS[i % 4] for i in range(500))
    assert regional(petition.id) == {code: n - wave_share.get(code, 0) for code, n in before_regions.items()
                                     if n - wave_share.get(code, 0)}
    assert reconcile_petition(petition.id) is None  # no drift: totals, regions and hours agree with the rows
    db.session.rollback()
    page = moderator.get(f"/en/moderation/integrity/runs/{run.id}")
    assert page.status_code == 200 and "500 of 500 looked at; 500 changed" in page_text(page)

    # The public: the page, its JSON and its chart.
    anonymous = app.test_client()
    public = anonymous.get(f"/en/petitions/{petition.id}")
    text = page_text(public)
    assert "500 signatures removed as invalid on" in text
    assert "made from accounts registered in bulk or with false details" in text
    assert "−500" in public.get_data(as_text=True)  # the chart's step, in its table
    data = anonymous.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert data["signature_count"] == 200
    assert data["removed_as_invalid"]["count"] == 500
    removal = data["removed_as_invalid"]["removals"][0]
    assert removal["count"] == 500 and removal["reason"] == "bulk_accounts" and removal["at"].endswith("Z")
    assert "500" in page_text(anonymous.get(f"/ru/petitions/{petition.id}"))

    # Undo it: the counts come back exactly, the note goes.
    url = f"/en/moderation/integrity/runs/{run.id}"
    assert "500 signatures would be counted again" in page_text(moderator.get(url))
    undo = post(moderator, f"{url}/revalidate", {"note": "The school confirmed the pupils signed themselves."},
                token_from=url)
    assert undo.status_code == 303
    worker.drain(app)
    settle()
    assert total(petition.id) == before_total and regional(petition.id) == before_regions
    assert reconcile_petition(petition.id) is None
    db.session.rollback()
    assert "removed as invalid" not in page_text(anonymous.get(f"/en/petitions/{petition.id}"))
    assert anonymous.get(f"/api/v1/petitions/{petition.id}").get_json()["removed_as_invalid"]["count"] == 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "signature_invalidation")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["signatures.invalidate", "signatures.invalidate.done", "signatures.revalidate",
                       "signatures.revalidate.done"]
    # A run is undone once.
    again = post(moderator, f"{url}/revalidate", {"note": "Twice?"}, token_from=url)
    assert again.status_code == 409


def test_two_overlapping_runs_never_remove_a_signature_twice(app):
    moderator = make_user("overlap-mod@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(state="open", title="Қалалық көлікке жаңа автобустар керек")
    first_half = wave(petition, 60, domain="burst.kz", prefix="a")
    wave(petition, 60, prefix="b")  # the same network, another domain
    settle()
    before = total(petition.id)
    by_network = integrity.start(moderator, integrity.Filter(network=network_hex()),
                                 integrity.RemovalCategory.AUTOMATED, "network", suspend_accounts=False)
    by_domain = integrity.start(moderator, integrity.Filter(email_domain="burst.kz"),
                                integrity.RemovalCategory.AUTOMATED, "domain", suspend_accounts=False)
    db.session.commit()
    assert by_network.expected == 120 and by_domain.expected == 60
    # Interleave their batches: each of the 60 shared signatures is met by both runs.
    for _ in range(20):
        for run_id in (by_domain.id, by_network.id):
            run = integrity.lock(run_id)
            if run.active:
                integrity.step(run, size=7)
            db.session.commit()
    assert run_invalidation(by_network.id) == "done" and run_invalidation(by_domain.id) == "done"
    db.session.expire_all()
    changed = db.session.get(SignatureInvalidation, by_network.id).changed + \
        db.session.get(SignatureInvalidation, by_domain.id).changed
    assert changed == 120
    settle()
    assert total(petition.id) == before - 120
    assert reconcile_petition(petition.id) is None
    invalid = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.valid.is_(False)))
    assert invalid == 120
    assert {u.id for u in first_half} <= set(db.session.scalars(
        select(Signature.user_id).where(Signature.invalidation_id.is_not(None))))


def test_a_cancelled_run_stops_between_batches_and_what_it_did_can_be_undone(app, moderator):
    petition = make_petition(state="open", title="Аулаларға балалар алаңы салынсын")
    wave(petition, 40)
    settle()
    before = total(petition.id)
    mod = db.session.scalar(select(User).where(User.email == "integrity-mod@example.kz"))
    run = integrity.start(mod, integrity.Filter(network=network_hex()), integrity.RemovalCategory.AUTOMATED,
                          "bots", suspend_accounts=False)
    db.session.commit()
    run = integrity.lock(run.id)
    integrity.step(run, size=15)
    db.session.commit()
    url = f"/en/moderation/integrity/runs/{run.id}"
    assert post(moderator, f"{url}/cancel", {}, token_from=url).status_code == 303
    assert run_invalidation(run.id) == "cancelled"
    run = the_run()
    assert run.changed == 15 and run.state is InvalidationState.CANCELLED
    settle()
    assert total(petition.id) == before - 15 and reconcile_petition(petition.id) is None
    db.session.rollback()
    assert post(moderator, f"{url}/cancel", {}, token_from=url).status_code == 409  # finished already
    assert post(moderator, f"{url}/revalidate", {"note": "Stopped early; restore."}, token_from=url).status_code == 303
    worker.drain(app)
    settle()
    assert total(petition.id) == before


def test_accounts_are_suspended_in_the_same_step_but_never_staff(app, moderator):
    petition = make_petition(state="open", title="Жаяу жүргіншілер өткелдері жарықтандырылсын")
    signers = wave(petition, 12)
    staff = make_user("staff-signer@example.kz", roles=(Role.OFFICIAL,), body="GOV")
    services.sign(petition, staff, show_name=False, notify=False, meta={"ip": "10.20.30.77", "user_agent": "x"})
    db.session.commit()
    assert start_run(moderator, network=network_hex(), suspend=True).status_code == 303
    worker.drain(app)
    db.session.expire_all()
    run = the_run()
    assert run.changed == 13 and run.suspended == 12
    suspended = db.session.scalars(select(User.id).where(User.suspended_at.is_not(None))).all()
    assert sorted(suspended) == sorted(u.id for u in signers)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.suspend")).all()
    assert len(entries) == 12 and all(e.actor.email == "integrity-mod@example.kz" for e in entries)
    assert f"#{run.id}" in db.session.get(User, signers[0].id).suspension_reason


@pytest.mark.parametrize("criteria, message", [
    ({"network": "zz"}, "Paste the network's fingerprint"),
    ({"network": "a" * 63}, "Paste the network's fingerprint"),
    ({"network": "10.20.0.0/16"}, "Paste the network's fingerprint"),
    ({"address": "10.20.30.400"}, "Paste the address's fingerprint"),
    ({"user_agent": "zz"}, "Paste the whole fingerprint"),
    ({"email_domain": "@mail.kz"}, "Write a domain such as"),
    ({"accounts": "12 x3"}, "Account numbers are whole numbers"),
    ({"petition": "²"}, "Write a petition number"),
    ({"signed_from": "yesterday"}, "Write a date and time"),
    ({"signed_from": "2026-11-23T10:00", "signed_to": "2026-11-23T09:00"}, "The end must come after the start"),
])
def test_a_bad_filter_is_explained_and_starts_nothing(app, moderator, criteria, message):
    preview = moderator.get("/en/moderation/integrity/invalidate", query_string=criteria)
    assert preview.status_code == 422 and message in page_text(preview)
    response = start_run(moderator, **criteria)
    assert response.status_code == 422 and message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SignatureInvalidation)) == 0


def test_a_network_typed_in_clear_previews_and_removes_its_signatures(app, moderator):
    petition = make_petition(state="open", title="Қоғамдық көліктің жүру кестесі жарияланcын")
    wave(petition, 3)
    bystander = make_user("bystander@example.kz", commit=False)
    services.sign(petition, bystander, show_name=False, notify=False, meta={"ip": "198.51.100.9", "user_agent": "x"})
    db.session.commit()
    network = "10.20.30.0/24"  # the wave's network, typed in clear
    preview = moderator.get("/en/moderation/integrity/invalidate", query_string={"network": network})
    assert preview.status_code == 200 and "3" in page_text(preview)
    response = start_run(moderator, network=network)
    assert response.status_code == 303
    worker.drain(app)
    db.session.expire_all()
    invalid = set(db.session.scalars(select(Signature.user_id).where(Signature.valid.is_(False))))
    assert len(invalid) == 3 and bystander.id not in invalid


@pytest.mark.parametrize("data, status, message", [
    ({}, 422, "Give at least one criterion"),
    ({"network": "b" * 64}, 422, "No valid signature matches"),
    ({"network": "NETWORK", "category": "everything"}, 422, "Choose the public reason"),
    ({"network": "NETWORK", "note": ""}, 422, "Write a note"),
])
def test_a_run_needs_a_criterion_matches_a_reason_and_a_note(app, moderator, data, status, message):
    petition = make_petition(state="open", title="Қоғамдық көліктің жүру кестесі жарияланcын")
    wave(petition, 3)
    data = {k: network_hex() if v == "NETWORK" else v for k, v in data.items()}
    response = start_run(moderator, **data)
    assert response.status_code == status and message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SignatureInvalidation)) == 0
    assert db.session.scalar(select(func.count()).select_from(Signature).where(Signature.valid.is_(False))) == 0


def test_a_lost_job_is_queued_again_by_the_sweeper(app, clock):
    moderator = make_user("sweep-mod@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(state="open", title="Көпқабатты үйлерге лифт орнатылсын")
    wave(petition, 5)
    integrity.start(moderator, integrity.Filter(network=network_hex()), integrity.RemovalCategory.OTHER,
                    "lost", suspend_accounts=False)
    db.session.commit()  # and never enqueued: Redis was down
    assert resume_invalidations() == 0  # not stalled yet
    clock.advance(minutes=11)
    assert resume_invalidations() == 1
    worker.drain(app)
    assert the_run().state is InvalidationState.DONE and the_run().changed == 5


def test_a_review_case_keeps_its_place_and_shows_the_removal(app, moderator):
    from tests.support import restore_threshold, set_fixed_threshold

    body, saved = set_fixed_threshold("GOV", 20)
    try:
        petition = make_petition(state="open", title="Ұлттық парктерге кіру тегін болсын")
        wave(petition, 25)
        settle()
        db.session.expire_all()
        case = db.session.get(Petition, petition.id).review_case
        assert case is not None
        assert start_run(moderator, petition=str(petition.id), network=network_hex()).status_code == 303
        worker.drain(app)
        settle()
        db.session.expire_all()
        petition = db.session.get(Petition, petition.id)
        assert petition.signature_count == 0 and petition.review_case is not None
        official = make_user("integrity-official@example.kz", roles=(Role.OFFICIAL,), body="GOV")
        client = app.test_client()
        login(client, official.email)
        page = client.get(f"/en/review/cases/{case.id}")
        assert page.status_code == 200 and "25 signatures removed as invalid" in page_text(page)
        assert "25 signatures removed as invalid" in page_text(moderator.get(f"/en/moderation/petitions/{petition.id}"))
    finally:
        restore_threshold(body, saved)


def test_overlapping_runs_started_at_once_on_postgresql_never_double_subtract(app):
    """Two workers, two runs over the same signatures, started at the same instant,
    while people keep signing: each signature is removed once."""
    import threading

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrency is a PostgreSQL property; SQLite serialises writers")
    moderator = make_user("race-mod@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(state="open", title="Орман алқаптарын қорғау керек")
    wave(petition, 300)
    settle()
    before = total(petition.id)
    runs = [integrity.start(moderator, integrity.Filter(network=network_hex()), integrity.RemovalCategory.AUTOMATED,
                            f"race {i}", suspend_accounts=False).id for i in range(2)]
    latecomers = [make_user(f"late{i}@example.kz", commit=False).id for i in range(40)]
    db.session.commit()
    barrier, errors, states = threading.Barrier(3), [], []

    def work(run_id):
        with app.app_context():
            barrier.wait()
            try:
                states.append(run_invalidation(run_id, batch=25))
            except Exception as exc:  # a failure of the test
                errors.append(exc)
            db.session.remove()

    def sign_meanwhile():
        with app.app_context():
            barrier.wait()
            for user_id in latecomers:
                services.sign(petition.id, db.session.get(User, user_id), show_name=False, notify=False,
                              meta={"ip": "192.0.2.1", "user_agent": "Mozilla/5.0"})
                db.session.commit()
            db.session.remove()

    pool = [threading.Thread(target=work, args=(r,)) for r in runs] + [threading.Thread(target=sign_meanwhile)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not errors and states == ["done", "done"]
    db.session.expire_all()
    assert sum(db.session.get(SignatureInvalidation, r).changed for r in runs) == 300
    settle()
    assert total(petition.id) == before - 300 + 40
    assert reconcile_petition(petition.id) is None


@pytest.mark.parametrize("criteria, message", [
    ({"accounts": "999999999999"}, "Account numbers are whole numbers"),
    ({"accounts": "9" * 3000}, "Account numbers are whole numbers"),
    ({"petition": "9" * 3000}, "Write a petition number"),
    ({"signed_from": "0001-01-01T00:00"}, "between the years 2000 and 2100"),
    ({"registered_to": "9999-12-31T23:59"}, "between the years 2000 and 2100"),
])
def test_out_of_range_filters_are_explained_not_a_server_error(app, moderator, criteria, message):
    preview = moderator.get("/en/moderation/integrity/invalidate", query_string=criteria)
    assert preview.status_code == 422 and message in page_text(preview)


def test_a_restoration_is_not_cancelled(app, moderator):
    petition = make_petition(state="open", title="Спорт алаңдары барлық ауылда болсын")
    wave(petition, 10)
    assert start_run(moderator, network=network_hex()).status_code == 303
    worker.drain(app)
    url = f"/en/moderation/integrity/runs/{the_run().id}"
    assert post(moderator, f"{url}/revalidate", {"note": "Mistaken."}, token_from=url).status_code == 303
    restoration = the_run()
    page = f"/en/moderation/integrity/runs/{restoration.id}"
    assert "Cancel the run" not in page_text(moderator.get(page))
    refused = post(moderator, f"{page}/cancel", {}, token_from=page)
    assert refused.status_code == 409 and "A restoration is not cancelled" in page_text(refused)
    worker.drain(app)
    settle()
    assert total(petition.id) == 10


def test_reconcile_finds_no_drift_while_the_removal_is_not_yet_folded(app):
    moderator = make_user("fold-mod@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(state="open", title="Жеке секторға газ құбыры тартылсын")
    wave(petition, 8, regions=("KZ-79",))  # every signer of one region
    wave(petition, 3, network="10.9.9", regions=("KZ-75",), prefix="x")
    settle()
    run = integrity.start(moderator, integrity.Filter(network=network_hex()), integrity.RemovalCategory.AUTOMATED,
                          "one region", suspend_accounts=False)
    db.session.commit()
    assert run_invalidation(run.id) == "done"
    # The -8 delta is pending: the region has no valid rows but still counts 8 until folded.
    assert reconcile_petition(petition.id) is None
    db.session.rollback()
    settle()
    assert regional(petition.id) == {"KZ-75": 3}
    assert reconcile_petition(petition.id) is None
