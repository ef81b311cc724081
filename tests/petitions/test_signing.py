"""Signing as DOMAIN.md says: eligibility, once per person, choices, confirmation."""

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition, Signature
from tests.support import login, make_petition, make_user, page_text, post, settle, translated


def count(petition):
    settle()
    db.session.expire_all()
    p = db.session.get(Petition, petition.id)
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == p.id))
    return p.signature_count, rows


def sign(client, petition, **data):
    return post(client, f"/petitions/{petition.id}/sign", data, token_from="/")


def test_sign_an_open_petition(client):
    petition = make_petition(signatures=1)
    make_user("signer@example.kz", region="KZ-35")
    login(client, "signer@example.kz")
    response = sign(client, petition, show_name="y", notify="y")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/petitions/{petition.id}/signed")
    assert client.get(response.headers["Location"]).status_code == 200
    assert count(petition) == (2, 2)
    signature = db.session.scalar(select(Signature).join(Signature.user).where(Signature.user.has(email="signer@example.kz")))
    assert signature.region.code == "KZ-35" and signature.show_name and signature.notify
    assert signature.ip_hmac is not None and signature.user_agent_hash
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert "Test" in page  # the signer chose to show their name: "Test P."


def test_signing_twice_is_refused_and_count_unchanged(client):
    petition = make_petition(signatures=1)
    make_user("twice@example.kz")
    login(client, "twice@example.kz")
    assert sign(client, petition).status_code == 302
    response = sign(client, petition)
    assert response.status_code == 409
    assert translated(_l("You have already signed this petition. Each person can sign once."), "kk") in page_text(response)
    assert count(petition) == (2, 2)


# Waiting for moderation: not public, so a stranger who counts ids finds no petition.
@pytest.mark.parametrize(("state", "status"), [("draft", 404), ("closed", 409), ("rejected", 409), ("hidden", 404),
                                               ("pending_moderation", 404), ("returned", 404)])
def test_cannot_sign_outside_open(client, state, status):
    petition = make_petition(state=state)
    make_user("eager@example.kz")
    login(client, "eager@example.kz")
    response = sign(client, petition)
    assert response.status_code == status
    if status == 409:
        assert translated(_l("This petition is not open for signatures."), "kk") in page_text(response)
    assert count(petition) == (0, 0)


def test_non_resident_cannot_sign_a_regional_petition(client):
    author = make_user(region="KZ-35")
    petition = make_petition(author, body="AKIMAT-KZ-35", signatures=1)
    make_user("almaty@example.kz", region="KZ-75")
    login(client, "almaty@example.kz")
    expected = translated(_l("Only residents of %(region)s can sign petitions to its akimats and maslikhats. "
                             "Your region of residence is different.", region="Қарағанды облысы"), "kk")
    assert expected in page_text(client.get(f"/petitions/{petition.id}"))  # said before trying
    response = sign(client, petition)
    assert response.status_code == 403
    assert expected in page_text(response)
    assert count(petition) == (1, 1)


def test_resident_can_sign_a_regional_petition(client):
    author = make_user(region="KZ-35")
    petition = make_petition(author, body="AKIMAT-KZ-35", signatures=1)
    make_user("karaganda@example.kz", region="KZ-35")
    login(client, "karaganda@example.kz")
    assert sign(client, petition).status_code == 302
    assert count(petition) == (2, 2)


def test_unverified_user_is_asked_to_verify(client):
    petition = make_petition()
    make_user("unverified@example.kz", verified=False)
    login(client, "unverified@example.kz")
    response = sign(client, petition)
    assert response.status_code == 403
    assert translated(_l("Confirm your email address first: open the link we sent you, or ask for a new one on "
                         "your account page."), "kk") in page_text(response)
    assert count(petition) == (0, 0)


def test_staff_account_without_iin_cannot_sign(client, runner):
    petition = make_petition()
    runner.invoke(args=["users", "create", "--email", "mod@dauys.kz", "--surname", "Erator", "--given-name", "Mod", "--role", "moderator"],
                  input="long-enough-secret\n")
    login(client, "mod@dauys.kz", "long-enough-secret")
    # Made on the command line, the account has not agreed to the privacy notice: it is
    # asked first, like anyone's.
    assert "/account/consent" in client.get("/").headers["Location"]
    assert post(client, "/account/consent", {"consent": "y"}, token_from="/account/consent").status_code == 302
    assert sign(client, petition).status_code == 403
    assert count(petition) == (0, 0)


def test_anonymous_is_sent_to_log_in(client):
    petition = make_petition()
    response = sign(client, petition)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_without_csrf_is_400(client):
    petition = make_petition()
    make_user("nocsrf@example.kz")
    login(client, "nocsrf@example.kz")
    assert client.post(f"/petitions/{petition.id}/sign", data={}).status_code == 400
    assert count(petition) == (0, 0)


def test_signature_keeps_region_at_signing_time(client):
    petition = make_petition()
    user = make_user("mover@example.kz", region="KZ-71")
    login(client, "mover@example.kz")
    sign(client, petition)
    from app.models import Region

    user.region = db.session.scalar(select(Region).where(Region.code == "KZ-79"))
    db.session.commit()
    sig = db.session.scalar(select(Signature).where(Signature.user_id == user.id))
    assert sig.region.code == "KZ-71"


def test_report_an_open_petition(client):
    petition = make_petition()
    make_user("reporter@example.kz")
    login(client, "reporter@example.kz")
    url = f"/petitions/{petition.id}/report"
    assert post(client, url, {"reason": "advertising", "comment": "Spam"}).status_code == 302
    again = post(client, url, {"reason": "advertising"})
    assert again.status_code == 409
    bad = post(client, url, {"reason": "because"})
    assert bad.status_code == 422
    long = post(client, url, {"reason": "other", "comment": "x" * 1001})
    assert long.status_code == 422


def test_a_refusal_after_the_signature_is_written_leaves_nothing_behind(client, monkeypatch):
    """The signature (and its count delta) is inserted, then a rule refuses: the answer
    is the refusal's 4xx and the request's transaction keeps none of it."""
    from app.models import SignatureDelta
    from app.petitions import services
    from app.petitions.services import PetitionError

    petition = make_petition(signatures=1)
    make_user("partial@example.kz")
    login(client, "partial@example.kz")

    def refuse_after_writing(*args, **kwargs):
        raise PetitionError("no_identity")

    monkeypatch.setattr(services.trending, "record_signature", refuse_after_writing)
    response = sign(client, petition)
    assert response.status_code == 403
    assert translated(_l("Your account has no IIN on file, so it cannot create, sponsor or sign petitions."),
                      "kk") in page_text(response)
    assert count(petition) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(SignatureDelta)) == 0
