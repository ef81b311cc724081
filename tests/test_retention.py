"""Retention (#13, item 5): fingerprints of signatures erased a set time after the
petition's course ended, accounts never confirmed deleted after 30 days; each a periodic
job, idempotent, counts unchanged."""

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.jobs import delete_unverified
from app.extensions import db
from app.models import Petition, PetitionState, Role, Signature, User, UserSession
from app.petitions import services
from app.petitions.jobs import erase_fingerprints
from app.review import services as review
from tests.support import login, make_petition, make_user, settle


def fingerprinted(petition_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.petition_id == petition_id, Signature.network_hmac.is_not(None)))


def sign_from(petition, n: int, prefix: str):
    for i in range(n):
        services.sign(petition, make_user(f"{prefix}{i}@example.kz", commit=False), show_name=False, notify=False,
                      meta={"ip": f"10.7.{i}.1", "user_agent": "Mozilla/5.0"})
    db.session.commit()


def test_fingerprints_go_six_months_after_the_answer_and_counts_stay(app, clock):
    from tests.support import restore_threshold, set_fixed_threshold

    body, saved = set_fixed_threshold("MIN-HEALTH", 3)
    try:
        answered = make_petition(state="open", body="MIN-HEALTH", title="Жауап берілген петиция туралы мәтін")
        still_open = make_petition(state="open", title="Әлі ашық тұрған петиция туралы мәтін")
        sign_from(answered, 4, "a")
        sign_from(still_open, 3, "b")
        settle()
        db.session.expire_all()
        fresh = db.session.get(Petition, answered.id)
        case = fresh.review_case
        official = make_user("ret-official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
        review.publish_response(official, case, "Answered.")
        db.session.commit()

        clock.advance(timedelta(days=181))
        assert erase_fingerprints() == 0 and fingerprinted(answered.id) == 4
        clock.advance(timedelta(days=2))
        assert erase_fingerprints() == 4
        assert fingerprinted(answered.id) == 0 and fingerprinted(still_open.id) == 3
        assert erase_fingerprints() == 0  # idempotent
        db.session.expire_all()
        assert db.session.get(Petition, answered.id).signature_count == 4
        assert db.session.scalar(select(func.count()).select_from(Signature).where(
            Signature.petition_id == answered.id, Signature.user_agent_hash.is_not(None))) == 0
    finally:
        restore_threshold(body, saved)


def test_a_petition_closed_without_a_review_is_anonymised_too(app, clock):
    petition = make_petition(state="open", title="Қолдау таппай жабылған петиция мәтіні")
    sign_from(petition, 2, "c")
    db.session.expire_all()
    p = db.session.get(Petition, petition.id)
    p.state, p.closed_at = PetitionState.CLOSED, clock.now()
    db.session.commit()
    clock.advance(timedelta(days=183))
    assert erase_fingerprints() == 2 and fingerprinted(petition.id) == 0


def test_accounts_never_confirmed_go_after_30_days(app, clock):
    old_id = make_user("never-confirmed@example.kz", verified=False).id
    client = app.test_client()
    login(client, "never-confirmed@example.kz")  # a session row of its own
    clock.advance(timedelta(days=20))
    make_user("confirming-soon@example.kz", verified=False)
    make_user("confirmed@example.kz")
    author = make_user("unconfirmed-author@example.kz", verified=False)
    make_petition(author, state="draft", title="Расталмаған автордың жобасы")
    clock.advance(timedelta(days=11))
    assert delete_unverified() == 1
    db.session.expire_all()
    emails = set(db.session.scalars(select(User.email)))
    assert "never-confirmed@example.kz" not in emails
    assert {"confirming-soon@example.kz", "confirmed@example.kz", "unconfirmed-author@example.kz"} <= emails
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == old_id)) == 0
    assert delete_unverified() == 0


def test_a_suspended_unconfirmed_account_is_kept(app, clock):
    from app.moderation import accounts

    moderator = make_user("ret-mod@example.kz", roles=(Role.MODERATOR,))
    bot = make_user("bot-unconfirmed@example.kz", verified=False)
    accounts.suspend(moderator, bot, "One of 300 accounts from one network.")
    db.session.commit()
    clock.advance(timedelta(days=31))
    assert delete_unverified() == 0  # its IIN must not come back clean
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "bot-unconfirmed@example.kz"))
