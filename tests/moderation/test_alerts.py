"""Trending, alerts and rate limits as data (#12, items 1, 2 and 4): a wave from one
network is seen on the moderators' dashboard and raises one alert email per source and
period; rate limits are rules an administrator changes (audited) that apply at once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.passwords import hash_password
from app.extensions import db
from app.fraud import fingerprints, ratelimits, trending
from app.models import AlertRule, AuditEntry, IntegrityAlert, OutboxEmail, RateRule, Role
from app.moderation import alerts
from app.moderation.jobs import check_alerts
from app.petitions import services as petition_services
from tests.support import login, make_petition, make_user, page_text, post, valid_iin

WAVE_AGENT = "python-requests/2.32"


def network_hex(prefix: str) -> str:
    return fingerprints.fingerprints(f"{prefix}.1", None)["network_hmac"].hex()


@pytest.fixture
def fast_hash(monkeypatch):
    """Registration hashes each password with argon2 on purpose (tens of milliseconds);
    a wave of 500 registrations in a test reuses one hash instead."""
    cached = hash_password("wave-password-2026")
    monkeypatch.setattr(services, "hash_password", lambda password: cached)


def register(n: int, *, network: str, domain: str, clock, petition=None, check_every: int = 50):
    """n people register from addresses of one network and sign `petition`, one a second;
    the alert check runs every `check_every` of them (a check period of seconds)."""
    users = []
    for i in range(n):
        data = services.Registration(given_name="Wave", surname=f"Person{i}", email=f"wave{i}@{domain}",
                                     password="wave-password-2026", region_code=("KZ-75", "KZ-71")[i % 2],
                                     iin=valid_iin(), language="kk")
        origin = {"ip": f"{network}.{i % 250 + 1}", "user_agent": WAVE_AGENT}
        user = services.register(data, origin=origin)
        user.email_verified_at = clock.now()  # they follow the emailed link
        db.session.commit()
        if petition is not None:
            petition_services.sign(petition, user, show_name=False, notify=False, meta=origin)
            db.session.commit()
        users.append(user)
        clock.advance(seconds=1)
        if (i + 1) % check_every == 0:
            check_alerts()
    return users


def alert_emails() -> list[OutboxEmail]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "integrity_alert")
                              .order_by(OutboxEmail.id)).all()


def test_a_wave_from_one_network_raises_one_alert_per_source_and_period(app, clock, fast_hash):
    clock.set(clock.now().replace(minute=5, second=0, microsecond=0))
    moderator = make_user("alerts-mod@example.kz", roles=(Role.MODERATOR,), language="en")
    admin = make_user("alerts-admin@example.kz", roles=(Role.ADMIN,), language="ru")
    petition = make_petition(state="open", title="Ауыл жолдарын жөндеуге қаражат бөлінсін")
    register(500, network="10.20.30", domain="mail-wave.kz", clock=clock, petition=petition)
    # 200 ordinary signers, each from a network and a domain of their own.
    for i in range(200):
        user = make_user(f"ordinary{i}@host{i}.kz", commit=False)
        petition_services.sign(petition, user, show_name=False, notify=False,
                               meta={"ip": f"172.{16 + i // 200}.{i % 200}.7", "user_agent": "Mozilla/5.0"})
        if i % 40 == 39:
            db.session.commit()
            check_alerts()
    db.session.commit()
    for _ in range(3):
        check_alerts()  # the check keeps running: nothing is raised twice

    raised = db.session.scalars(select(IntegrityAlert).order_by(IntegrityAlert.id)).all()
    assert sorted((a.rule.metric, a.rule.scope, a.rule.source, a.value) for a in raised) == sorted([
        ("accounts", "site", "network", network_hex("10.20.30")),
        ("signatures", "petition", "network", network_hex("10.20.30")),
        ("accounts", "site", "email_domain", "mail-wave.kz"),
    ])
    emails = alert_emails()
    # One per source (the network, the domain) and period, to each of the two moderators.
    assert sorted((e.to_address, e.dedupe_key.split(":")[2]) for e in emails) == sorted([
        ("alerts-mod@example.kz", "network"), ("alerts-mod@example.kz", "email_domain"),
        ("alerts-admin@example.kz", "network"), ("alerts-admin@example.kz", "email_domain")])
    network_mail = next(e for e in emails if e.to_address == moderator.email and "network" in e.subject)
    # Raised when the first rule passed (50 new accounts in the first minute); the second
    # rule the same network passed later (signatures of one petition) adds no email.
    assert "50 new accounts on the whole site (threshold 50)" in network_mail.text_body
    assert "/en/moderation/integrity" in network_mail.text_body
    assert any(e.to_address == admin.email and e.language == "ru" for e in emails)

    # The dashboard shows the network, over its threshold, with a filter to remove them.
    client = app.test_client()
    login(client, moderator.email)
    page = client.get("/en/moderation/integrity")
    assert page.status_code == 200
    text, html = page_text(page), page.get_data(as_text=True)
    assert network_hex("10.20.30")[:12] in text and "over the threshold" in text
    assert "mail-wave.kz" in text
    assert f"network={network_hex('10.20.30')}" in html
    # ... and the filter it leads to previews exactly the wave.
    preview = client.get(f"/en/moderation/integrity/invalidate?petition={petition.id}&network={network_hex('10.20.30')}")
    assert "500 valid signatures match" in page_text(preview)
    # A period later the counting starts again (and so would the alerts).
    clock.advance(timedelta(hours=1))
    login(client, moderator.email)
    assert "Nothing in this period." in page_text(client.get("/en/moderation/integrity"))


def test_a_burst_of_new_accounts_through_the_registration_form_is_flagged(app, clock):
    clock.set(clock.now().replace(minute=1, second=0, microsecond=0))
    make_user("burst-mod@example.kz", roles=(Role.MODERATOR,), language="en")
    rule = db.session.scalar(select(AlertRule).where(AlertRule.metric == "accounts", AlertRule.source == "network"))
    saved = rule.threshold
    rule.threshold = 3
    db.session.commit()
    try:
        for i in range(4):
            browser = app.test_client()
            browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{i + 10}"
            response = post(browser, "/en/register", {
                "given_name": "Burst", "surname": "Person", "email": f"burst{i}@example.kz",
                "password": "steppe-wind-2026", "confirm": "steppe-wind-2026", "region": "KZ-75",
                "iin": valid_iin(), "consent": "y"}, token_from="/en/register")
            assert response.status_code == 200, page_text(response)
        assert check_alerts() == 1
        client = app.test_client()
        login(client, "burst-mod@example.kz")
        text = page_text(client.get("/en/moderation/integrity"))
        assert network_hex("198.51.100")[:12] in text and "over the threshold" in text
    finally:
        rule.threshold = saved
        db.session.commit()


def test_signing_at_night_shows_on_the_dashboard(app, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2027, 3, 3, 21, 30, tzinfo=UTC))  # 02:30 in Almaty
    make_user("night-mod@example.kz", roles=(Role.MODERATOR,), language="en")
    petition = make_petition(state="open", title="Түнгі жарықтандыруды көбейту керек")
    for i in range(3):
        petition_services.sign(petition, make_user(commit=False), show_name=False, notify=False,
                               meta={"ip": f"203.0.113.{i}", "user_agent": "Mozilla/5.0"})
    db.session.commit()
    client = app.test_client()
    login(client, "night-mod@example.kz")
    page = client.get("/en/moderation/integrity")
    assert "Signing at unusual hours" in page_text(page)
    night = page_text(page).split("Signing at unusual hours")[1]
    assert petition.title in night and ": 3" in night, night
    one = client.get(f"/en/moderation/integrity?petition={petition.id}")
    assert one.status_code == 200 and petition.title in page_text(one)
    assert client.get("/en/moderation/integrity?petition=abc").status_code == 200  # ignored, the whole site


def test_the_seeded_rules_are_the_defaults(app):
    rate = {(r.action, r.scope, r.max_count, r.window_seconds) for r in db.session.scalars(select(RateRule))
            if r.enabled}
    assert rate == set(ratelimits.DEFAULT_RULES)
    alert = {(r.metric, r.scope, r.source, r.threshold, r.enabled) for r in db.session.scalars(select(AlertRule))}
    assert alert == set(alerts.DEFAULT_RULES)


@pytest.fixture
def admin(app):
    make_user("limits-admin@example.kz", roles=(Role.ADMIN,), language="en")
    client = app.test_client()
    login(client, "limits-admin@example.kz")
    return client


@pytest.fixture
def restore_rules(app):
    saved = [(r.id, r.max_count, r.window_seconds, r.enabled) for r in db.session.scalars(select(RateRule))]
    yield
    db.session.rollback()
    for rule in db.session.scalars(select(RateRule)):
        match = next((s for s in saved if s[0] == rule.id), None)
        if match is None:
            db.session.delete(rule)
        else:
            rule.max_count, rule.window_seconds, rule.enabled = match[1:]
    db.session.commit()
    ratelimits.forget()


def rule_id(action: str, scope: str) -> int:
    return db.session.scalar(select(RateRule.id).where(RateRule.action == action, RateRule.scope == scope))


def test_an_administrator_lowers_the_signing_limit_and_it_applies_at_once(app, admin, restore_rules):
    rid = rule_id("sign", "address")
    response = post(admin, f"/en/admin/limits/rate/{rid}",
                    {f"rate{rid}-max_count": "2", f"rate{rid}-window_seconds": "60", f"rate{rid}-enabled": "y"},
                    token_from="/en/admin/limits")
    assert response.status_code == 303
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rate_rule.update"))
    assert entry.before["max_count"] == 30 and entry.after["max_count"] == 2
    assert entry.actor.email == "limits-admin@example.kz"
    citizen = make_user("limited-signer@example.kz")
    browser = app.test_client()
    login(browser, citizen.email)
    petitions = [make_petition(state="open", title=f"Шектеулерді тексеру туралы өтініш {i}") for i in range(3)]
    answers = [post(browser, f"/en/petitions/{p.id}/sign", {"notify": "y"}, token_from=f"/en/petitions/{p.id}")
               for p in petitions]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "try again" in page_text(answers[2]).lower()


def test_a_new_rule_per_network_limits_registration_from_one_network(app, admin, restore_rules):
    response = post(admin, "/en/admin/limits/rate", {
        "new-action": "register", "new-scope": "network", "new-max_count": "2", "new-window_seconds": "600",
        "new-enabled": "y"}, token_from="/en/admin/limits")
    assert response.status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rate_rule.create")).after["scope"] == \
        "network"
    statuses = []
    for i in range(3):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"  # three addresses, one /24
        statuses.append(post(browser, "/en/register", {"given_name": "Net", "surname": "Person", "email": f"n{i}@example.kz",
                                                       "password": "steppe-wind-2026", "confirm": "steppe-wind-2026",
                                                       "region": "KZ-75", "iin": valid_iin(), "consent": "y"}, token_from="/en/register").status_code)
    assert statuses[2] == 429
    # Another network is not concerned.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    assert post(other, "/en/register", {"given_name": "Net", "surname": "Person", "email": "n9@example.kz",
                                        "password": "steppe-wind-2026", "confirm": "steppe-wind-2026",
                                        "region": "KZ-75", "iin": valid_iin(), "consent": "y"},
                token_from="/en/register").status_code != 429


@pytest.mark.parametrize("values, status, message", [
    ({"max_count": "many", "window_seconds": "60"}, 422, "Enter a whole number."),
    ({"max_count": "0", "window_seconds": "60"}, 422, "Between 1 and 1,000,000."),
    ({"max_count": "5", "window_seconds": "99999999"}, 422, "Between 1 second and 30 days"),
    ({"max_count": "5", "window_seconds": "-1"}, 422, "Enter a whole number."),
    ({"max_count": "5", "window_seconds": "3600"}, 409, "exists already"),  # register/address per hour exists
])
def test_a_bad_rule_is_explained_and_changes_nothing(app, admin, restore_rules, values, status, message):
    rid = rule_id("register", "email")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = post(admin, f"/en/admin/limits/rate/{rid}" if status != 409 else "/en/admin/limits/rate",
                    {f"rate{rid}-{k}": v for k, v in values.items()} if status != 409 else
                    {"new-action": "register", "new-scope": "address", **{f"new-{k}": v for k, v in values.items()}},
                    token_from="/en/admin/limits")
    assert response.status_code == status and message in page_text(response)
    db.session.expire_all()
    assert db.session.get(RateRule, rid).max_count == 5
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_an_administrator_changes_an_alert_threshold(app, admin):
    rule = db.session.scalar(select(AlertRule).where(AlertRule.source == "user_agent"))
    try:
        response = post(admin, f"/en/admin/limits/alert/{rule.id}", {f"alert{rule.id}-threshold": "9000",
                                                                      f"alert{rule.id}-enabled": "y"},
                        token_from="/en/admin/limits")
        assert response.status_code == 303
        db.session.expire_all()
        changed = db.session.get(AlertRule, rule.id)
        assert changed.threshold == 9000 and changed.enabled
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "alert_rule.update")).after[
            "threshold"] == 9000
        bad = post(admin, f"/en/admin/limits/alert/{rule.id}", {f"alert{rule.id}-threshold": "½"},
                   token_from="/en/admin/limits")
        assert bad.status_code == 422 and "Enter a whole number." in page_text(bad)
    finally:
        db.session.rollback()
        rule = db.session.get(AlertRule, rule.id)
        rule.threshold, rule.enabled = 5000, False
        db.session.commit()


def test_a_very_long_email_domain_cannot_stop_the_alerts(app, clock):
    clock.set(clock.now().replace(minute=2, second=0, microsecond=0))
    make_user("long-mod@example.kz", roles=(Role.MODERATOR,))
    long_domain = ".".join(["a" * 60, "b" * 60, "c" * 60, "kz"])
    rule = db.session.scalar(select(AlertRule).where(AlertRule.metric == "accounts",
                                                     AlertRule.source == "email_domain"))
    saved = rule.threshold
    rule.threshold = 2
    db.session.commit()
    try:
        for i in range(2):
            trending.record_account(fingerprints.fingerprints(f"192.0.2.{i}", "x"), f"p{i}@{long_domain}")
        db.session.commit()  # counted when the transaction commits
        assert check_alerts() == 1
        assert [e.subject for e in alert_emails()] == ["Dauys: unusual activity from one email domain"] or \
            len(alert_emails()) == 1
    finally:
        rule.threshold = saved
        db.session.commit()
