"""app.fraud.trending against the real Redis: what each committed signature and new account
adds to the current period's counts, what top(), at_least(), for_petition() and night()
read back, and that nothing is counted for a transaction rolled back."""

import logging
from datetime import UTC, datetime

import pytest
import redis

from app.core import redis_client
from app.extensions import db
from app.fraud import fingerprints, trending
from app.petitions import services as petition_services
from tests.support import free_port, make_petition, make_user

DAYTIME = datetime(2027, 3, 3, 6, 10, tzinfo=UTC)  # 11:10 in Almaty
NIGHT = datetime(2027, 3, 3, 21, 30, tzinfo=UTC)  # 02:30 in Almaty


def origin(ip: str, agent: str = "Mozilla/5.0") -> dict:
    return fingerprints.fingerprints(ip, agent)


def counts(metric: str, scope: str, source: str, number: int | None = None) -> list[tuple[str, int]]:
    return [(e.value, e.count) for e in trending.top(metric, scope, source,
                                                   trending.period() if number is None else number)]


def test_a_committed_signature_is_counted_once_per_source_site_wide_and_per_petition(app, clock):
    clock.set(DAYTIME)
    fields = origin("203.0.113.50", "Mozilla/5.0 (X11)")
    trending.record_signature(41, fields, "Signer@Mail.KZ")
    assert counts("signatures", "site", "network") == []  # not before the commit
    db.session.commit()
    assert counts("signatures", "site", "network") == [(fields["network_hmac"].hex(), 1)]
    assert counts("signatures", "site", "address") == [(fields["ip_hmac"].hex(), 1)]
    assert counts("signatures", "site", "email_domain") == [("mail.kz", 1)]
    assert counts("signatures", "site", "user_agent") == [(fields["user_agent_hash"], 1)]
    mine = trending.top("signatures", "petition", "email_domain", trending.period())
    assert [(e.petition_id, e.value, e.count) for e in mine] == [(41, "mail.kz", 1)]
    assert counts("accounts", "site", "network") == []
    assert trending.night(trending.period()) == []  # signed in the daytime


def test_a_new_account_is_counted_site_wide_only(app, clock):
    clock.set(DAYTIME)
    for i in range(3):
        trending.record_account(origin(f"198.51.100.{i}"), f"new{i}@wave.kz")
    db.session.commit()
    assert counts("accounts", "site", "email_domain") == [("wave.kz", 3)]
    assert counts("accounts", "site", "network") == [(origin("198.51.100.9")["network_hmac"].hex(), 3)]
    assert len(counts("accounts", "site", "address")) == 3
    assert counts("accounts", "petition", "email_domain") == []
    assert counts("signatures", "site", "email_domain") == []


def test_addresses_and_browsers_are_never_kept_in_clear(app, clock):
    clock.set(DAYTIME)
    trending.record_signature(7, origin("203.0.113.50", "SecretBrowser/1.0"), "someone@example.kz")
    trending.record_account(origin("203.0.113.51", "SecretBrowser/1.0"), "other@example.kz")
    db.session.commit()
    connection = redis_client.connection()
    stored = []
    for name in connection.keys(f"{trending.PREFIX}*"):
        stored.append(name)
        stored.extend(member for member, _ in connection.zrange(name, 0, -1, withscores=True))
    assert stored
    text = b" ".join(stored)
    assert b"203.0.113" not in text and b"SecretBrowser" not in text


def test_top_is_the_largest_sources_first_and_at_least_those_over_a_threshold(app, clock):
    clock.set(DAYTIME)
    for i in range(4):
        trending.record_signature(1, origin(f"192.0.2.{i}"), f"a{i}@busy.kz")
    trending.record_signature(1, origin("198.51.100.1"), "b@quiet.kz")
    db.session.commit()
    number = trending.period()
    assert counts("signatures", "site", "email_domain") == [("busy.kz", 4), ("quiet.kz", 1)]
    assert [e.value for e in trending.top("signatures", "site", "email_domain", number, n=1)] == ["busy.kz"]
    assert [e.value for e in trending.at_least("signatures", "site", "email_domain", number, 2)] == ["busy.kz"]
    assert trending.at_least("signatures", "site", "email_domain", number, 5) == []


def test_for_petition_reads_one_petitions_sources_only(app, clock):
    clock.set(DAYTIME)
    for i in range(3):
        trending.record_signature(11, origin(f"192.0.2.{i}"), f"x{i}@one.kz")
    trending.record_signature(11, origin("198.51.100.1"), "y@two.kz")
    trending.record_signature(12, origin("192.0.2.9"), "z@one.kz")
    trending.record_signature(111, origin("192.0.2.8"), "w@one.kz")  # its id starts with 11
    db.session.commit()
    number = trending.period()
    found = trending.for_petition(11, "signatures", "email_domain", number)
    assert [(e.petition_id, e.value, e.count) for e in found] == [(11, "one.kz", 3), (11, "two.kz", 1)]
    assert [e.count for e in trending.for_petition(12, "signatures", "email_domain", number)] == [1]
    assert len(trending.for_petition(11, "signatures", "email_domain", number, n=1)) == 1
    assert trending.for_petition(13, "signatures", "email_domain", number) == []


def test_night_counts_signatures_made_between_one_and_five_in_almaty(app, clock):
    clock.set(NIGHT)
    for i in range(3):
        trending.record_signature(21, origin(f"192.0.2.{i}"), f"owl{i}@example.kz")
    trending.record_signature(22, origin("192.0.2.9"), "owl@example.kz")
    trending.record_account(origin("192.0.2.10"), "new-owl@example.kz")  # accounts are not signatures
    db.session.commit()
    assert trending.night(trending.period()) == [(21, 3), (22, 1)]
    clock.set(NIGHT.replace(hour=23, minute=5))  # 04:05 in Almaty, the last night hour
    trending.record_signature(23, origin("192.0.2.11"), "late@example.kz")
    clock.set(NIGHT.replace(day=4, hour=0, minute=5))  # 05:05 in Almaty: morning
    trending.record_signature(24, origin("192.0.2.12"), "early@example.kz")
    db.session.commit()
    assert trending.night(trending.period(NIGHT.replace(hour=23, minute=5))) == [(23, 1)]
    assert trending.night(trending.period()) == []


def test_each_period_counts_apart_and_expires_after_the_kept_periods(app, clock):
    clock.set(DAYTIME)
    trending.record_signature(31, origin("192.0.2.1"), "p@example.kz")
    db.session.commit()
    first = trending.period()
    clock.advance(seconds=app.config["INTEGRITY_PERIOD_SECONDS"])
    trending.record_signature(31, origin("192.0.2.2"), "q@example.kz")
    trending.record_signature(31, origin("192.0.2.3"), "r@example.kz")
    db.session.commit()
    assert trending.period() == first + 1
    assert counts("signatures", "site", "email_domain", first) == [("example.kz", 1)]
    assert counts("signatures", "site", "email_domain", first + 1) == [("example.kz", 2)]
    assert trending.period_start(first + 1) <= clock.now() < trending.period_start(first + 2)
    kept = app.config["INTEGRITY_PERIOD_SECONDS"] * app.config["INTEGRITY_KEEP_PERIODS"]
    name = trending.key(first + 1, "signatures", "petition", "email_domain")
    assert 0 < redis_client.connection().ttl(name) <= kept


def test_a_signature_rolled_back_is_not_counted(app, clock):
    petition = make_petition(state="open", title="Трендті тексеру үшін петиция")
    user = make_user("rolled@example.kz")
    petition_services.sign(petition, user, show_name=False, notify=False,
                           meta={"ip": "203.0.113.50", "user_agent": "x"})
    db.session.rollback()
    assert trending.top("signatures", "site", "network", trending.period()) == []
    petition_services.sign(petition, user, show_name=False, notify=False,
                           meta={"ip": "203.0.113.50", "user_agent": "x"})
    db.session.commit()
    assert [e.count for e in trending.top("signatures", "site", "network", trending.period())] == [1]


def test_an_account_rolled_back_is_not_counted(app, clock):
    db.session.connection()
    trending.record_account(origin("192.0.2.1"), "gone@example.kz")
    db.session.rollback()
    db.session.commit()
    assert counts("accounts", "site", "email_domain") == []


@pytest.fixture
def redis_down(monkeypatch):
    """Every Redis command fails, as when the server is unreachable."""
    dead = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    monkeypatch.setattr(redis_client, "connection", lambda *args, **kwargs: dead)


def test_redis_down_loses_the_count_never_the_signature(app, clock, redis_down, caplog):
    petition = make_petition(state="open", signatures=1)
    signer = make_user()
    with caplog.at_level(logging.WARNING, logger="app.fraud.trending"):
        petition_services.sign(petition, signer, show_name=False, notify=False,
                               meta={"ip": "203.0.113.60", "user_agent": "x"})
        db.session.commit()
    assert petition_services.has_signed(petition, signer)
    assert "trending not counted" in caplog.text


def test_a_signature_without_request_details_is_not_counted(app, clock):
    """meta=None: no address, browser or email domain of a request to count by."""
    petition = make_petition(state="open")
    petition_services.sign(petition, make_user(), show_name=False, notify=False)
    db.session.commit()
    assert redis_client.connection().keys(f"{trending.PREFIX}*") == []
