"""One spelling per address, one key per mailbox (app.core.mailboxes)."""

import pytest

from app.core.mailboxes import is_disposable, is_public_provider, mailbox_key, normalize_email


@pytest.mark.parametrize(("address", "key"), [
    ("Aigerim.N+petitions@GoogleMail.com", "aigerimn@gmail.com"),
    ("aigerimn@gmail.com", "aigerimn@gmail.com"),
    ("name+tag@outlook.com", "name@outlook.com"),
    ("name.with.dots@outlook.com", "name.with.dots@outlook.com"),  # Outlook keeps dots
    ("login+x@ya.ru", "login@yandex.ru"),
    ("name+2@mail.ru", "name+2@mail.ru"),  # mail.ru delivers nothing to name+2@
    ("name+2@example.kz", "name+2@example.kz"),  # an unknown provider is taken literally
    ("ａｉｇｅｒｉｍ@gmail.com", "aigerim@gmail.com"),  # full-width letters (NFKC)
    ("aigerim@қазақстан.kz", "aigerim@xn--80aaa0a6awh12ed.kz"),
    ("+tag@gmail.com", "+tag@gmail.com"),  # nothing before the tag: kept as it is
])
def test_the_mailbox_an_address_reaches(address, key):
    assert mailbox_key(address) == key


def test_normalizing_keeps_the_address_mail_is_sent_to():
    assert normalize_email("  Aigerim.N+Tag@GMAIL.com ") == "aigerim.n+tag@gmail.com"


def test_public_providers_and_temporary_mailboxes():
    assert is_public_provider("x@gmail.com") and is_public_provider("x@mail.ru")
    assert not is_public_provider("x@gov.kz")
    assert is_disposable("x@mailinator.com") and not is_disposable("x@gmail.com")
