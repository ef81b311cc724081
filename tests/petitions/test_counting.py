"""The one place counts change (app/petitions/counting.py): deltas folded exactly
once into totals and regional counts, and a recount that proves and repairs them."""

from datetime import UTC, datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Petition, PetitionHourlyCount, PetitionRegionCount, Region, Signature, SignatureDelta
from app.petitions import counting
from tests.support import make_petition, make_user, sign_as


def region_id(code: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.code == code))


def regional(petition_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(PetitionRegionCount.region_id, PetitionRegionCount.count)
                                   .where(PetitionRegionCount.petition_id == petition_id)).all())


def totals(petition_id: int) -> tuple[int, int]:
    db.session.expire_all()
    p = db.session.get(Petition, petition_id)
    return p.signature_count, p.sponsor_count


def test_aggregate_folds_each_delta_once_into_totals_and_regions(app):
    a, b = make_petition(title="First petition to count"), make_petition(title="Second petition to count")
    almaty, astana = region_id("KZ-75"), region_id("KZ-71")
    for petition_id, region, sponsor in [(a.id, almaty, False), (a.id, astana, True), (a.id, astana, False),
                                         (b.id, almaty, False)]:
        counting.add_signature(petition_id, region, sponsor=sponsor)
    db.session.flush()
    assert counting.pending() == 4 and counting.pending(a.id) == 3
    batch = counting.aggregate()
    db.session.commit()
    assert batch.petitions == {a.id: 3, b.id: 1} and batch.folded == 4
    assert totals(a.id) == (3, 1) and totals(b.id) == (1, 0)
    assert regional(a.id) == {almaty: 1, astana: 2}
    assert counting.pending() == 0
    assert counting.aggregate().folded == 0  # nothing is folded twice


def test_a_batch_takes_the_oldest_deltas_and_leaves_the_rest(app):
    petition = make_petition()
    for _ in range(5):
        counting.add_signature(petition.id, region_id("KZ-75"), sponsor=False)
    db.session.commit()
    assert counting.aggregate(batch_size=3).folded == 3
    db.session.commit()
    assert counting.pending(petition.id) == 2 and totals(petition.id)[0] == 3
    assert counting.aggregate(batch_size=3).folded == 2
    db.session.commit()
    assert totals(petition.id)[0] == 5


def test_a_rolled_back_aggregation_counts_nothing(app):
    petition = make_petition()
    counting.add_signature(petition.id, region_id("KZ-75"), sponsor=False)
    db.session.commit()
    counting.aggregate()
    db.session.rollback()  # e.g. the crossing that followed failed
    assert counting.pending(petition.id) == 1 and totals(petition.id)[0] == 0


def test_reconcile_finds_no_drift_in_honest_counts(app):
    petition = make_petition(signatures=3)
    assert counting.reconcile_petition(petition.id) is None


def test_reconcile_repairs_totals_and_regions_from_valid_rows(app):
    petition = make_petition(signatures=4)
    invalid = db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)).first()
    invalid.valid = False
    db.session.execute(update(Petition).where(Petition.id == petition.id).values(signature_count=99, sponsor_count=5))
    db.session.execute(update(PetitionRegionCount).where(PetitionRegionCount.petition_id == petition.id)
                       .values(count=40))
    db.session.commit()
    drift = counting.reconcile_petition(petition.id)
    db.session.commit()
    assert (drift.stored, drift.counted) == (99, 3)
    assert totals(petition.id) == (3, 0)
    assert regional(petition.id) == {region_id("KZ-75"): 3}
    assert counting.reconcile_petition(petition.id) is None


def test_reconcile_counts_deltas_not_yet_folded(app):
    petition = make_petition(signatures=2)
    sign_as(petition, make_user())  # a row and a delta, not folded yet
    assert counting.pending(petition.id) == 1
    assert counting.reconcile_petition(petition.id) is None  # 3 rows = 2 counted + 1 pending
    counting.aggregate()
    db.session.commit()
    assert totals(petition.id)[0] == 3
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id))
    assert rows == 3 == sum(regional(petition.id).values())


def test_reconcile_of_a_missing_petition_is_none(app):
    assert counting.reconcile_petition(2**31 - 1) is None
    assert db.session.scalar(select(func.count()).select_from(SignatureDelta)) == 0


def signed_now(title: str, signers: int):
    """A petition that `signers` citizens sign at the clock's time, counted."""
    petition = make_petition(title=title)
    for _ in range(signers):
        sign_as(petition, make_user())
    counting.aggregate()
    db.session.commit()
    return petition


def hourly(petition_id: int) -> dict:
    return {h.hour: h.count for h in db.session.scalars(
        select(PetitionHourlyCount).where(PetitionHourlyCount.petition_id == petition_id))}


def test_aggregate_keeps_signatures_per_hour(app, clock):
    clock.set("2027-03-20T22:59:59+05:00")  # 17:59:59 UTC, the eve of Nauryz in Almaty
    petition = make_petition(title="Counted by the hour")
    sign_as(petition, make_user())
    clock.advance(seconds=1)  # 18:00:00 UTC: the next hour
    sign_as(petition, make_user())
    sign_as(petition, make_user())
    counting.aggregate()
    db.session.commit()
    assert hourly(petition.id) == {datetime(2027, 3, 20, 17, tzinfo=UTC): 1, datetime(2027, 3, 20, 18, tzinfo=UTC): 2}
    assert counting.reconcile_petition(petition.id) is None  # the hours agree with the rows


def test_reconcile_repairs_the_hours(app, clock):
    clock.set("2026-12-31T23:30+05:00")
    petition = signed_now("Hours gone astray", 3)
    db.session.execute(update(PetitionHourlyCount).where(PetitionHourlyCount.petition_id == petition.id)
                       .values(count=40))
    db.session.commit()
    assert counting.reconcile_petition(petition.id) is not None
    db.session.commit()
    assert hourly(petition.id) == {datetime(2026, 12, 31, 18, tzinfo=UTC): 3}


def test_trending_reads_the_last_24_hours(client, clock):
    """Trending: signatures of the last day, from the hourly counts."""
    clock.set("2026-11-20T12:00+05:00")
    old = signed_now("Many signatures, all two days ago", 4)
    clock.advance(hours=48)
    recent = signed_now("Fewer signatures, all today", 2)
    from tests.support import page_text

    trending = page_text(client.get("/petitions?sort=trending"))
    popular = page_text(client.get("/petitions?sort=popular"))
    assert trending.index(recent.title) < trending.index(old.title)
    assert popular.index(old.title) < popular.index(recent.title)


def test_counts_by_assurance_follow_signing_invalidation_and_reconcile(app):
    from app.models import IdentityLevel, PetitionAssuranceCount
    from app.petitions.services import sign

    petition = make_petition(signatures=2)  # two made through self-declared accounts
    confirmed = make_user()
    confirmed.identity_level = IdentityLevel.STATE_IDP
    db.session.commit()
    sign(petition.id, confirmed, show_name=False, notify=False)
    sign(petition.id, make_user(), show_name=False, notify=False, assurance=IdentityLevel.EDS)
    db.session.commit()
    counting.aggregate()
    db.session.commit()
    assert counting.by_assurance(petition.id) == {IdentityLevel.SELF_DECLARED: 2, IdentityLevel.STATE_IDP: 1,
                                                  IdentityLevel.EDS: 1}
    assert counting.reconcile_petition(petition.id) is None

    # Drift in one level alone is found and repaired from the rows.
    db.session.execute(update(PetitionAssuranceCount).where(PetitionAssuranceCount.petition_id == petition.id,
                                                            PetitionAssuranceCount.assurance == IdentityLevel.EDS)
                       .values(count=7))
    assert counting.reconcile_petition(petition.id) is not None
    db.session.commit()
    assert counting.by_assurance(petition.id)[IdentityLevel.EDS] == 1

    # An invalid signature leaves its own level.
    eds_row = db.session.scalar(select(Signature).where(Signature.petition_id == petition.id,
                                                        Signature.assurance == IdentityLevel.EDS))
    eds_row.valid = False
    db.session.add(SignatureDelta(petition_id=petition.id, region_id=eds_row.region_id, n=-1,
                                  assurance=IdentityLevel.EDS))
    db.session.commit()
    counting.aggregate()
    db.session.commit()
    assert IdentityLevel.EDS not in counting.by_assurance(petition.id)
    assert counting.reconcile_petition(petition.id) is None
