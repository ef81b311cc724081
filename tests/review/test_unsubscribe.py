"""Emails to signers (#13, item 6): each has a one-click way out, for that petition or
for all, by a signed link that works without logging in and by List-Unsubscribe-Post
(RFC 8058); the next email does not reach that address. Links in HTML email are
clickable, dates are written in the recipient's language."""

import re

import pytest
from sqlalchemy import select

from app.core.jobs import worker
from app.extensions import db
from app.models import Role, Signature
from app.review import services as review
from tests.support import (
    html_part,
    make_petition,
    make_user,
    open_link,
    page_text,
    post,
    settle,
    sign_as,
    text_part,
)


@pytest.fixture
def crossed(app, small_threshold, mailbox):
    """A petition to the Ministry of Health that crossed its threshold; `fan` and
    `other` signed it asking for news; `fan` signed a second petition too."""
    author = make_user("unsub-author@example.kz", language="kk")
    make_user("unsub-official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
    petition = make_petition(author, body="MIN-HEALTH", signatures=1)
    fan = make_user("fan@example.kz", language="en")
    other = make_user("other@example.kz", language="ru")
    second = make_petition(state="open", title="Екінші петиция: қалалық кітапханалар")
    sign_as(second, fan, notify=True)
    sign_as(petition, fan, notify=True)
    sign_as(petition, other, notify=True)
    settle()
    worker.drain(app)
    return petition, second, fan, other


def unsubscribe_link(message) -> str:
    return re.search(r"(/\w\w/petitions/unsubscribe/[^\s\"<>]+)", text_part(message)).group(1)


def respond(petition):
    from app.models import ReviewCase, User

    case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))
    official = db.session.scalar(select(User).where(User.email == "unsub-official@health.kz"))
    review.publish_response(official, case, "We shall buy 40 ambulances in 2027: https://example.gov.kz/plan")
    db.session.commit()


def notify_flags(user) -> dict[int, bool]:
    db.session.expire_all()
    return {s.petition_id: s.notify for s in db.session.scalars(select(Signature).where(Signature.user_id == user.id))}


def test_the_link_stops_one_petition_and_the_next_email_does_not_come(app, crossed, mailbox):
    petition, second, fan, other = crossed
    [notice] = mailbox.to("fan@example.kz")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = notice["List-Unsubscribe"]
    link = unsubscribe_link(notice)
    assert header.strip("<>").endswith(link)
    assert f'href="http://localhost{link}"' in html_part(notice)

    browser = app.test_client()  # another browser, not logged in
    page, address = open_link(browser, link)
    assert page.status_code == 200 and "unsubscribe/" not in address.rsplit("/unsubscribe", 1)[1]
    assert "Stop emails about this petition" in page_text(page)
    done = post(browser, address, {"scope": "petition"}, token_from=address)
    assert done.status_code == 200 and "no more emails about" in page_text(done)
    assert notify_flags(fan) == {petition.id: False, second.id: True}

    respond(petition)
    worker.drain(app)
    assert len(mailbox.to("fan@example.kz")) == 1  # the response did not come
    [_, response] = mailbox.to("other@example.kz")
    assert 'href="https://example.gov.kz/plan"' in html_part(response)  # clickable


def test_one_click_post_works_without_a_session_or_form(app, crossed, mailbox):
    petition, second, fan, other = crossed
    [notice] = mailbox.to("other@example.kz")
    url = notice["List-Unsubscribe"].strip("<>").replace("http://localhost", "")
    client = app.test_client()
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 204 and not answer.headers.getlist("Set-Cookie")
    assert notify_flags(other) == {petition.id: False}
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 204  # again: still fine


def test_all_petitions_at_once(app, crossed, mailbox):
    petition, second, fan, other = crossed
    browser = app.test_client()
    _, address = open_link(browser, unsubscribe_link(mailbox.to("fan@example.kz")[0]))
    done = post(browser, address, {"scope": "all"}, token_from=address)
    assert "no more emails about the petitions you signed" in page_text(done)
    assert notify_flags(fan) == {petition.id: False, second.id: False}


@pytest.mark.parametrize("how", ["tampered", "no-body", "bad-scope", "user-out-of-range", "petition-out-of-range"])
def test_a_bad_link_or_request_is_refused_and_changes_nothing(app, crossed, mailbox, how):
    petition, second, fan, other = crossed
    link = unsubscribe_link(mailbox.to("fan@example.kz")[0])
    client = app.test_client()
    if how.endswith("out-of-range"):
        from app.accounts import tokens

        user_id, petition_id = (2**40, petition.id) if how.startswith("user") else (fan.id, 2**40)
        token = tokens.make_token(tokens.Purpose.UNSUBSCRIBE, user_id, f"petition:{petition_id}", p=str(petition_id))
        forged = f"/en/petitions/unsubscribe/{token}"
        page, _ = open_link(client, forged)
        assert page.status_code == 400 and "This link is not valid" in page_text(page)
        assert client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    elif how == "tampered":
        page, _ = open_link(client, link[:-3] + "abc")
        assert page.status_code == 400 and "This link is not valid" in page_text(page)
        assert client.post(link[:-3] + "abc", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    elif how == "no-body":
        assert client.post(link, data={}).status_code == 400
    else:
        _, address = open_link(client, link)
        assert post(client, address, {"scope": "everything"}, token_from=address).status_code == 400
    assert notify_flags(fan) == {petition.id: True, second.id: True}


def test_dates_in_emails_are_in_the_recipients_language(app, crossed, mailbox):
    [author_mail] = mailbox.to("unsub-author@example.kz")
    text = text_part(author_mail)
    assert not re.search(r"\d{4}-\d\d-\d\d", text), text  # no ISO date
    assert re.search(r"\d{4}\W?ж\. \d+ \w+", text), text  # "2027 ж. 22 қаңтар"


def test_the_list_unsubscribe_header_is_one_plain_line_on_the_wire(app, crossed):
    from app.mail.transport import build_message
    from app.models import OutboxEmail

    row = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "fan@example.kz"))
    wire = bytes(build_message(row))
    line = next(raw for raw in wire.splitlines() if raw.startswith(b"List-Unsubscribe:"))
    assert line.startswith(b"List-Unsubscribe: <http://localhost/en/petitions/unsubscribe/") and line.endswith(b">")
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in wire
