"""Demo data for `seed --demo`: one account per role. Development only."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from app.accounts.identity import provider
from app.accounts.iin import make_iin
from app.accounts.passwords import hash_password
from app.admin.services import grant_role
from app.core import clock
from app.extensions import db
from app.models import Region, Role, User
from app.reference.demo_petitions import seed_demo_petitions

DEMO_ACCOUNTS = [
    # email, (surname, given name, patronymic), role, body, region, birth date
    ("citizen@demo.dauys.kz", ("Серікова", "Айгерім", "Болатқызы"), Role.CITIZEN, None, "KZ-75", date(1990, 4, 12)),
    ("moderator@demo.dauys.kz", ("Жұмабаев", "Ерлан", None), Role.MODERATOR, None, "KZ-71", date(1985, 9, 3)),
    ("official@demo.dauys.kz", ("Омарова", "Дина", "Сергеевна"), Role.OFFICIAL, "MIN-ECOLOGY", "KZ-71",
     date(1979, 1, 25)),
    ("admin@demo.dauys.kz", ("Нұрланов", "Асқар", None), Role.ADMIN, None, "KZ-71", date(1982, 6, 30)),
]


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing. Returns (email, role, password) for
    each one made now; their passwords exist nowhere else."""
    created = []
    ident = provider()
    for serial, (email, (surname, given, patronymic), role, body, region_code, born) in enumerate(DEMO_ACCOUNTS, 1):
        if db.session.scalar(select(User.id).where(User.email == email)):
            continue
        iin = make_iin(born, male=serial % 2 == 0, serial=serial * 100)
        claim = ident.claim(iin)
        password = secrets.token_urlsafe(12)
        user = User(
            email=email,
            surname=surname, given_name=given, patronymic=patronymic,
            password_hash=hash_password(password),
            region=db.session.scalar(select(Region).where(Region.code == region_code)),
            iin_hmac=claim.person_key,
            birth_date=claim.birth_date,
            email_verified_at=clock.now(),
            language="kk",
        )
        db.session.add(user)
        db.session.flush()
        if role is not Role.CITIZEN:
            grant_role(None, user, role, body, channel="cli")
        created.append((email, role.value, password))
    citizen = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[0][0]))
    admin = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[3][0]))
    seed_demo_petitions(citizen, admin)
    return created
