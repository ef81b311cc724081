"""Demo petitions for `seed --demo`: every state, all three languages, signatures
from demo citizens across the regions. Development only: rows are written directly
(no emails are queued for made-up addresses)."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.identity import provider
from app.accounts.iin import make_iin
from app.accounts.passwords import hash_password
from app.admin.services import set_body_rule
from app.bodies.queries import body_by_code
from app.bodies.thresholds import profile
from app.core import clock
from app.core.clock import local_date
from app.core.workdays import add_working_days
from app.extensions import db
from app.models import (
    Category,
    Petition,
    PetitionState,
    Region,
    RejectionCode,
    Signature,
    ThresholdRule,
    User,
)
from app.petitions import counting
from app.review import engine, services

S = PetitionState

# state, language, body, category, title, summary, details, signatures, days since opening
PETITIONS = [
    (S.OPEN, "kk", "MIN-TRANSPORT", Category.TRANSPORT,
     "Облысаралық жолдарға жарық пен жол белгілерін орнату",
     "Облысаралық трассалардың қараңғы учаскелеріне жарықтандыру мен шағылыстырғыш белгілер қажет.",
     "Түнде облысаралық жолдарда жазатайым оқиғалар көп.\n\nЕң қауіпті учаскелерге жарық, белгілер "
     "және жол жиегіне шағылыстырғыш сызықтар орнатуды сұраймыз.", 48, 20),
    (S.OPEN, "ru", "MIN-EDU", Category.EDUCATION,
     "Бесплатный интернет во всех сельских школах",
     "Подключить все сельские школы к быстрому интернету за счёт республиканского бюджета.",
     "Во многих сёлах школы до сих пор без стабильного интернета.\n\nПросим включить подключение "
     "всех сельских школ в государственную программу на следующий год.", 35, 40),
    (S.OPEN, "en", "MIN-ECOLOGY", Category.ENVIRONMENT,
     "Publish air-quality readings for every city every hour",
     "Open, hourly air-quality data for all cities, so that citizens can protect their health.",
     "Air pollution in winter is a serious health risk.\n\nWe ask the Ministry to publish hourly "
     "readings of every monitoring station as open data.", 22, 5),
    (S.OPEN, "kk", "AKIMAT-KZ-75", Category.HOUSING,
     "Алматыдағы аулаларға балалар алаңдарын салу",
     "Ескі аулаларда қауіпсіз балалар алаңдары жоқ.",
     "Қаланың ескі аудандарында көптеген аулаларда балалар ойнайтын орын жоқ.\n\nӘкімдіктен "
     "биыл кемінде елу алаң салуды сұраймыз.", 12, 2),
    (S.OPEN, "ru", "MASLIKHAT-351000000", Category.TRANSPORT,
     "Вернуть автобусный маршрут № 32 в Караганде",
     "Маршрут № 32 связывал Майкудук с центром города; без него люди тратят на дорогу час.",
     "В прошлом году маршрут № 32 отменили.\n\nПросим маслихат города Караганды предусмотреть в бюджете "
     "субсидию перевозчику и восстановить маршрут.", 9, 6),
    (S.LAPSED, "kk", "AKIMAT-751710000", Category.ENVIRONMENT,
     "Медеу ауданындағы саябаққа су бұрқағын орнату",
     "Саябақта жазда ауыз су жоқ.",
     "Медеу ауданының саябағында ауыз су бұрқақтары жоқ.\n\nАудан әкімінің аппаратынан екі бұрқақ орнатуды "
     "сұраймыз.", 2, None),
    (S.COLLECTING_SPONSORS, "kk", "MIN-CULTURE", Category.CULTURE,
     "Ауылдық кітапханаларға жаңа кітаптар сатып алу",
     "Ауылдық кітапханалардың қорын жыл сайын жаңарту керек.",
     "Көптеген ауылдық кітапханалардың қоры ескірген.\n\nЖыл сайынғы сатып алу бағдарламасын сұраймыз.", 2, None),
    (S.PENDING_MODERATION, "ru", "MIN-HEALTH", Category.HEALTH,
     "Электронная очередь в поликлиниках всех районных центров",
     "Запись к врачу онлайн в каждой районной поликлинике.",
     "Люди часами ждут в очередях.\n\nПросим ввести электронную очередь во всех районных поликлиниках.", 6, None),
    (S.RETURNED, "en", "MIN-DIGITAL", Category.DIGITAL,
     "Make every public service available in the eGov mobile app",
     "Every service of the eGov portal should also work in the mobile app.",
     "Some services still require a computer.\n\nWe ask for all of them in the app.", 6, None),
    (S.REJECTED, "ru", "GOV", Category.GOVERNANCE,
     "Перенести выборы в маслихаты на весну",
     "Проводить выборы в маслихаты весной, а не осенью.",
     "Осенью у многих избирателей нет времени.", 6, None),
    (S.HIDDEN, "kk", "MIN-TRADE", Category.ECONOMY,
     "Біздің дүкеннің жеңілдіктері туралы айтыңыз",
     "Жарнама.", "Жарнама мәтіні.", 1, None),
    (S.CLOSED, "en", "MIN-TOURISM", Category.CULTURE,
     "Free entry to national parks for school groups",
     "School classes should visit national parks free of charge.",
     "Nature education matters.\n\nWe ask for free entry for organised school groups.", 30, 95),
    (S.DRAFT, "kk", "MIN-LABOUR", Category.SOCIAL,
     "Көпбалалы отбасыларға коммуналдық жеңілдік",
     "Көпбалалы отбасыларға коммуналдық төлемдерден жеңілдік беру.",
     "Жоба.", 0, None),
]


def _demo_citizens(count: int) -> list[User]:
    """Demo signers across all regions. Their password is random and shown nowhere:
    they exist to sign, not to log in."""
    existing = db.session.scalars(select(User).where(User.email.like("signer%@demo.dauys.kz"))).all()
    if existing:
        return list(existing)
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    unusable = hash_password(secrets.token_urlsafe(24))
    ident = provider()
    users = []
    for n in range(count):
        born = date(1960 + n % 40, 1 + n % 12, 1 + n % 27)
        claim = ident.claim(make_iin(born, male=n % 2 == 0, serial=5000 + n * 7))
        user = User(email=f"signer{n:02d}@demo.dauys.kz", given_name=f"Citizen{n:02d}", surname="Signer",
                    password_hash=unusable, region=regions[n % len(regions)], iin_hmac=claim.person_key,
                    birth_date=claim.birth_date, email_verified_at=clock.now(), language="kk")
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def seed_demo_petitions(author: User, admin: User) -> int:
    """Create the demo petitions if they are missing. Returns how many were made."""
    if db.session.scalar(select(Petition.id).where(Petition.author_id == author.id)):
        return 0
    citizens = _demo_citizens(60)
    rng = random.Random(2026)  # the same demo every time
    now = clock.now()
    for state, lang, body_code, category, title, summary, details, n_signatures, days_open in PETITIONS:
        body = body_by_code(body_code)
        p = Petition(author=author, body=body, category=category, language=lang, title=title, summary=summary,
                     details=details, state=state, created_at=now - timedelta(days=(days_open or 3) + 12))
        if state is not S.DRAFT:
            p.submitted_at = p.created_at + timedelta(days=1)
            p.threshold_profile = profile().name
        if state is S.LAPSED:
            p.sponsors_due_on = add_working_days(local_date(p.submitted_at), 5)
            p.decided_at = now
        if state not in (S.DRAFT, S.COLLECTING_SPONSORS, S.LAPSED):
            p.moderation_started_at = p.submitted_at + timedelta(days=2)
            p.moderation_due_on = add_working_days(local_date(p.moderation_started_at), 10)
        if days_open is not None:
            p.opened_at = now - timedelta(days=days_open)
            p.closes_at = p.opened_at + timedelta(days=90)
            p.decided_at = p.opened_at
            if p.closes_at <= now:
                p.closed_at = p.closes_at
        if state is S.RETURNED:
            p.return_note = "Please list the services that are missing from the app."
        if state is S.REJECTED:
            p.rejection_code = RejectionCode.EXCLUDED_TOPIC
            p.excluded_subject = "elections"
            p.rejection_explanation = "Вопросы выборов исключены законом из предмета петиций."
        if state is S.HIDDEN:
            p.rejection_code = RejectionCode.ADVERTISING
            p.hidden_from = S.PENDING_MODERATION
        db.session.add(p)
        db.session.flush()
        signers = [author] + [c for c in rng.sample(citizens, len(citizens))
                              if body.region_id is None or c.region_id == body.region_id]
        if state is S.DRAFT:
            signers = []
        for i, signer in enumerate(signers[:n_signatures]):
            created = (p.opened_at or p.submitted_at or now) + timedelta(hours=rng.randint(0, 200))
            sponsor = 0 < i <= 5 and state is not S.DRAFT
            db.session.add(Signature(petition_id=p.id, user_id=signer.id, region_id=signer.region_id,
                                     created_at=min(created, now), sponsor=sponsor,
                                     show_name=i % 3 == 0, notify=i % 2 == 0))
            counting.add_signature(p.id, signer.region_id, sponsor=sponsor)
    db.session.flush()
    counting.aggregate(batch_size=100_000)
    _demo_review(admin)
    return len(PETITIONS)


def _demo_review(admin: User) -> None:
    """Two bodies get a low threshold (recorded in the audit log as demo settings) so
    that the demo shows a petition queued for review and one with an official answer."""
    for code in ("MIN-ECOLOGY", "MIN-TOURISM"):
        body = body_by_code(code)
        set_body_rule(admin, body, rule=ThresholdRule.FIXED, fixed=20, percent=None, fallback=None,
                      review_period_days=body.review_period_days, active=True,
                      note="Demo data: a low threshold to show the review")
    ids = db.session.scalars(select(Petition.id).where(Petition.state.in_((S.OPEN, S.CLOSED)))).all()
    engine.after_counting(ids)
    closed = db.session.scalar(select(Petition).where(Petition.state == S.CLOSED))
    if closed is not None and closed.review_case is not None:
        services.publish_response(admin, closed.review_case, (
            "Thank you for this petition.\n\nFrom next school year, organised school groups will enter "
            "national parks free of charge. The order is published at https://www.gov.kz/."))
