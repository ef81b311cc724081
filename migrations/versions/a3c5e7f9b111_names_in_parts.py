"""users.full_name split into given_name, surname and patronymic (best guess, confirmed by
the person at their next log-in: name_unconfirmed); regions.population_source and
population_edited_at (an administrator's figure survives a re-seed)

Revision ID: a3c5e7f9b111
Revises: f2a4b6c8d010
Create Date: 2026-11-23 10:50:26.534112

"""
import re

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b111'
down_revision = 'f2a4b6c8d010'
branch_labels = None
depends_on = None

# Kept here rather than imported: a migration must give the same result whatever the
# application's code becomes later.
_PATRONYMIC = re.compile(
    r"(ович|евич|ьич|ична|овна|евна|инична|ұлы|улы|қызы|кызы|оглы|ovich|evich|ovna|evna|ichna|uly|ula|kyzy|qyzy|ogly)$",
    re.IGNORECASE)
_PATRONYMIC_WORD = {"ұлы", "улы", "қызы", "кызы", "оглы", "кызы", "uly", "kyzy", "qyzy", "ogly"}
# Surname endings: strong ones, and weak ones that many given names share (Дина, Ирина).
_SURNAME = re.compile(r"(ов|ова|ев|ева|ёв|ёва|ский|ская|цкий|цкая|енко|ov|ova|ev|eva|sky|skiy|skaya|enko)$",
                      re.IGNORECASE)
_WEAK_SURNAME = re.compile(r"(ин|ина|ын|ына|in|ina|yn|yna)$", re.IGNORECASE)


def _surname_score(word):
    return 2 if _SURNAME.search(word) else 1 if _WEAK_SURNAME.search(word) else 0


def split_name(full_name):
    """(given name, surname, patronymic) from one field typed in any order: ID-card order
    ("Zhumabayeva Asem Nurlanovna") or given name first ("Asem Nurlanovna Zhumabayeva",
    "Asem Zhumabayeva"). A best guess: the person confirms it."""
    words = full_name.split()
    # "Нұрлан қызы": the separate word joins the father's name before it.
    merged = []
    for word in words:
        if merged and word.lower() in _PATRONYMIC_WORD:
            merged[-1] = f"{merged[-1]} {word}"
        else:
            merged.append(word)
    words = merged
    if not words:
        return "", "", None
    if len(words) == 1:
        return words[0], "", None
    patronymic_at = [i for i, w in enumerate(words) if i > 0 and _PATRONYMIC.search(w.split()[-1])]
    if patronymic_at:
        i = patronymic_at[-1]
        if i == len(words) - 1:
            if len(words) == 2:
                # "Ахмет Байтұрсынұлы": a Kazakh surname of this form, more often than a
                # patronymic with no surname at all.
                return words[0], words[1], None
            return " ".join(words[1:i]), words[0], words[i]  # "Surname Given Patronymic"
        return " ".join(words[:i]), " ".join(words[i + 1:]), words[i]  # "Given Patronymic Surname"
    if len(words) == 2 and _surname_score(words[0]) > _surname_score(words[1]):
        return words[1], words[0], None                  # "Zhumabayeva Asem", "Омарова Дина"
    return " ".join(words[:-1]), words[-1], None          # "Asem Zhumabayeva"


def upgrade():
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_source', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('population_edited_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('surname', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('patronymic', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('name_unconfirmed', sa.Boolean(), server_default=sa.false(), nullable=False))

    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                     sa.column('given_name', sa.String), sa.column('surname', sa.String),
                     sa.column('patronymic', sa.String), sa.column('name_unconfirmed', sa.Boolean))
    last = 0
    while True:
        rows = connection.execute(sa.select(users.c.id, users.c.full_name).where(users.c.id > last)
                                  .order_by(users.c.id).limit(1000)).all()
        if not rows:
            break
        values = []
        for user_id, full_name in rows:
            given, surname, patronymic = split_name(full_name or "")
            values.append({"uid": user_id, "g": given[:100], "s": surname[:100],
                           "p": patronymic[:100] if patronymic else None, "u": bool(given)})
        connection.execute(users.update().where(users.c.id == sa.bindparam("uid")).values(
            given_name=sa.bindparam("g"), surname=sa.bindparam("s"), patronymic=sa.bindparam("p"),
            name_unconfirmed=sa.bindparam("u")), values)
        last = rows[-1][0]

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('given_name', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('surname', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column('full_name')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.VARCHAR(length=200), nullable=True))
    users = sa.table('users', sa.column('full_name', sa.String), sa.column('given_name', sa.String),
                     sa.column('surname', sa.String), sa.column('patronymic', sa.String))
    op.execute(users.update().values(full_name=sa.func.substr(sa.func.trim(
        users.c.given_name + " " + sa.func.coalesce(users.c.patronymic + " ", "") + users.c.surname), 1, 200)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('full_name', existing_type=sa.VARCHAR(length=200), nullable=False)
        batch_op.drop_column('name_unconfirmed')
        batch_op.drop_column('patronymic')
        batch_op.drop_column('surname')
        batch_op.drop_column('given_name')

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_column('population_edited_at')
        batch_op.drop_column('population_source')
