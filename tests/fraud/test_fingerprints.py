"""Address and network fingerprints: keyed with FINGERPRINT_HMAC_KEY, and still found by
the invalidation filter when they were keyed with SECRET_KEY before that key existed."""

import hashlib
import hmac

import pytest
from sqlalchemy import select

from app.extensions import db
from app.fraud.fingerprints import fingerprints, network_candidates
from app.models import Signature
from app.moderation import integrity
from app.petitions import services
from tests.support import make_petition, make_user


def keyed(key: str, value: str) -> bytes:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).digest()


def sign_from(petition, email: str, ip: str) -> Signature:
    user = make_user(email, commit=False)
    services.sign(petition, user, show_name=False, notify=False, meta={"ip": ip, "user_agent": "curl/8"})
    db.session.commit()
    return db.session.scalar(select(Signature).where(Signature.user_id == user.id))


def matched(criteria: integrity.Filter) -> set[int]:
    return set(db.session.scalars(select(Signature.user_id).where(*criteria.conditions())))


def test_new_fingerprints_use_their_own_key_not_secret_key(app):
    fields = fingerprints("10.20.30.7", None)
    assert fields["ip_hmac"] == keyed(app.config["FINGERPRINT_HMAC_KEY"], "ip:10.20.30.7")
    assert fields["network_hmac"] == keyed(app.config["FINGERPRINT_HMAC_KEY"], "net:10.20.30.0/24")
    assert fields["ip_hmac"] != keyed(app.config["SECRET_KEY"], "ip:10.20.30.7")


def test_a_signature_fingerprinted_under_the_old_key_is_still_found_after_the_switch(app):
    petition = make_petition(signatures=0)
    old = sign_from(petition, "before@example.kz", "10.20.30.7")
    # As it was stored before FINGERPRINT_HMAC_KEY existed: keyed with SECRET_KEY.
    old.ip_hmac = keyed(app.config["SECRET_KEY"], "ip:10.20.30.7")
    old.network_hmac = keyed(app.config["SECRET_KEY"], "net:10.20.30.0/24")
    db.session.commit()
    new = sign_from(petition, "after@example.kz", "10.20.30.9")
    elsewhere = sign_from(petition, "elsewhere@example.kz", "10.99.0.1")
    assert new.network_hmac == keyed(app.config["FINGERPRINT_HMAC_KEY"], "net:10.20.30.0/24")

    assert matched(integrity.Filter(network="10.20.30.0/24")) == {old.user_id, new.user_id}
    assert matched(integrity.Filter(network="10.20.30.200")) == {old.user_id, new.user_id}
    assert matched(integrity.Filter(address="10.20.30.7")) == {old.user_id}
    # A fingerprint pasted from the dashboard matches exactly the rows that carry it.
    assert matched(integrity.Filter(network=new.network_hmac.hex())) == {new.user_id}
    assert matched(integrity.Filter(network=old.network_hmac.hex())) == {old.user_id}
    assert elsewhere.user_id not in matched(integrity.Filter(network="10.20.30.0/24"))


def test_the_filter_previews_old_and_new_fingerprints_together(app):
    petition = make_petition(signatures=0)
    old = sign_from(petition, "before@example.kz", "10.20.30.7")
    old.network_hmac = keyed(app.config["SECRET_KEY"], "net:10.20.30.0/24")
    db.session.commit()
    sign_from(petition, "after@example.kz", "10.20.30.9")
    assert integrity.preview(integrity.Filter(network="10.20.30.1")).total == 2


@pytest.mark.parametrize("network", ["10.20.0.0/16", "not an address", "10.20.30.1/32"])
def test_a_network_other_than_the_fingerprinted_prefix_is_refused(app, network):
    with pytest.raises(ValueError):
        network_candidates(network)
