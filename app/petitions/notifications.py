"""The emails an author gets at each stage. Messages are lazy: they are rendered in
the recipient's language when the outbox row is written."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.bodies.thresholds import profile_of
from app.extensions import db
from app.mail.outbox import queue_email
from app.models import Petition
from app.petitions.access import url_for_reader
from app.petitions.names import REJECTION_NAMES
from app.petitions.subjects import BY_KEY

SUBJECTS = {
    "submitted": _l("Your petition has been submitted"),
    "in_moderation": _l("Your petition is with the moderators"),
    "opened": _l("Your petition is open for signatures"),
    "returned": _l("Your petition was returned for changes"),
    "rejected": _l("Your petition was rejected"),
    "hidden": _l("Your petition was hidden"),
    "closed": _l("Your petition has closed"),
    "lapsed": _l("Your petition did not find its supporters in time"),
}


def _message(stage: str, petition: Petition, code=None):
    title = petition.title
    rules = profile_of(petition)
    if stage == "submitted" and petition.sponsors_due_on is not None:
        return _l("Your petition “%(title)s” has been submitted. It now needs %(n)d citizens to support it as "
                  "sponsors by %(date)s before moderators check it; until then only people with its link can "
                  "find it. Share its link with people who care.",
                  title=title, n=rules.sponsors_required(), date=petition.sponsors_due_on.isoformat())
    if stage == "submitted":
        return _l("Your petition “%(title)s” has been submitted. It now needs %(n)d citizens to support it as "
                  "sponsors before moderators check it. Share its link with people who care.",
                  title=title, n=rules.sponsors_required())
    if stage == "in_moderation":
        return lazy_ngettext("Your petition “%(title)s” is now with the moderators. They will check it within "
                             "%(num)d working day.",
                             "Your petition “%(title)s” is now with the moderators. They will check it within "
                             "%(num)d working days.", rules.moderation_days(), title=title)
    if stage == "opened":
        return _l("Good news: your petition “%(title)s” has been approved and is open for signatures. Share it!",
                  title=title)
    if stage == "returned":
        return _l("The moderators returned your petition “%(title)s” for changes. Their note is below; edit the "
                  "petition and send it back to moderation.", title=title)
    if stage == "rejected":
        reason = REJECTION_NAMES[code]
        subject = BY_KEY.get(petition.excluded_subject or "")
        if subject is not None:
            reason = _l("%(reason)s: %(subject)s (item %(item)d of the law’s list)", reason=reason,
                        subject=subject.name, item=subject.item)
        return _l("Your petition “%(title)s” has been rejected. Reason: %(reason)s.", title=title, reason=reason)
    if stage == "hidden":
        return _l("Your petition “%(title)s” has been hidden by the moderators. Reason: %(reason)s.", title=title,
                  reason=REJECTION_NAMES[code])
    if stage == "closed":
        return _l("Your petition “%(title)s” has closed with %(count)d signatures. Thank you for raising your voice.",
                  title=title, count=petition.signature_count)
    if stage == "lapsed":
        return _l("Your petition “%(title)s” found %(count)d of the %(n)d supporters it needed by %(date)s, so it "
                  "will not go to moderation and will not be published. You can start a new petition at any "
                  "time.", title=title, count=petition.sponsor_count, n=rules.sponsors_required(),
                  date=petition.sponsors_due_on.isoformat() if petition.sponsors_due_on else "")
    raise KeyError(stage)


def notify_author(petition: Petition, stage: str, *, code=None, note: str | None = None) -> None:
    """Queue the stage email to the author (in the outbox, in this transaction)."""
    db.session.refresh(petition, ["signature_count"])
    author = petition.author
    queue_email(
        author.email,
        "petition_stage",
        author.language,
        subject=SUBJECTS[stage],
        message=_message(stage, petition, code),
        note=note,
        user=author,
        # While it is not public: the link to share (the "submitted" email asks for it).
        link=url_for_reader(petition, author.language),
    )
