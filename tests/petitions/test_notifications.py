"""The emails an author gets (app.petitions.notifications)."""

from app.core.jobs import worker
from app.extensions import db
from app.models import PetitionState, Role
from tests.support import html_part, login, make_petition, make_user, post


def test_markup_in_a_title_is_escaped_in_email(app, client, mailbox):
    author = make_user("markup@example.kz")
    petition = make_petition(author, state="pending_moderation", title="<img src=x onerror=alert(1)> petition")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    post(client, f"/moderation/petitions/{petition.id}/approve")
    worker.drain(app)
    [message] = mailbox.to("markup@example.kz")
    html = html_part(message)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    db.session.expire_all()
    assert db.session.get(type(petition), petition.id).state is PetitionState.OPEN

