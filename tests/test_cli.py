"""The staff CLI: users create / grant / revoke / list."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, User


def user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_create_official_reads_password_from_stdin(runner, client):
    result = runner.invoke(args=["users", "create", "--email", "Dina@Gov.kz", "--surname", "Омарова", "--given-name", "Дина",
                                 "--role", "official", "--body", "GOV"], input="long-enough-secret\n")
    assert result.exit_code == 0, result.output
    created = user("dina@gov.kz")
    assert created.has_role(Role.OFFICIAL) and created.official_body.code == "GOV"
    assert created.is_verified and created.full_name == "Омарова Дина" and created.display_name == "Дина О."
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == created.id))
    assert audit.channel == "cli" and audit.actor_id is None
    from tests.support import post

    response = post(client, "/login", {"email": "dina@gov.kz", "password": "long-enough-secret"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y", "--role", "official"], "long-enough-secret\n", "body_required"),
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y", "--role", "official", "--body", "NOPE"], "long-enough-secret\n",
         "unknown_body"),
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y", "--role", "tsar"], "long-enough-secret\n", "one of"),
        (["--email", "not-an-email", "--surname", "X", "--given-name", "Y"], "long-enough-secret\n", "--email"),
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y"], "short\n", "password must be"),
        (["--email", "x@gov.kz", "--surname", "X1", "--given-name", "Y"], "long-enough-secret\n", "--surname"),
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y" * 101], "long-enough-secret\n",
         "--given-name"),
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y"], "password123\n", "password must be"),
        # The account is flushed before the role is refused: the command's unit of work rolls it back.
        (["--email", "x@gov.kz", "--surname", "X", "--given-name", "Y", "--role", "official"],
         "long-enough-secret\n", "cannot grant official"),
    ],
)
def test_create_bad_input_creates_nothing(runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert user("x@gov.kz") is None


def test_create_duplicate_email(runner):
    runner.invoke(args=["users", "create", "--email", "a@gov.kz", "--surname", "A", "--given-name", "B"], input="long-enough-secret\n")
    result = runner.invoke(args=["users", "create", "--email", "A@gov.kz", "--surname", "A", "--given-name", "B"],
                           input="long-enough-secret\n")
    assert result.exit_code != 0 and "exists" in result.output


def test_grant_revoke_list(runner):
    runner.invoke(args=["users", "create", "--email", "m@dauys.kz", "--surname", "Erator", "--given-name", "Mod"],
                  input="long-enough-secret\n")
    assert runner.invoke(args=["users", "grant", "m@dauys.kz", "moderator"]).exit_code == 0
    assert user("m@dauys.kz").has_role(Role.MODERATOR)
    again = runner.invoke(args=["users", "grant", "m@dauys.kz", "moderator"])
    assert again.exit_code != 0 and "already_held" in again.output
    listed = runner.invoke(args=["users", "list", "--role", "moderator"])
    assert "m@dauys.kz" in listed.output and "moderator" in listed.output
    assert runner.invoke(args=["users", "revoke", "m@dauys.kz", "moderator"]).exit_code == 0
    assert not user("m@dauys.kz").has_role(Role.MODERATOR)
    missing = runner.invoke(args=["users", "revoke", "m@dauys.kz", "moderator"])
    assert missing.exit_code != 0 and "not_held" in missing.output
    nobody = runner.invoke(args=["users", "grant", "ghost@dauys.kz", "admin"])
    assert nobody.exit_code != 0 and "no account" in nobody.output


def test_a_worker_without_fork_counts_signatures(app, runner):
    """`flask worker --no-fork --queue counts`: the aggregator in the worker's own process."""
    from app.core.jobs import queue
    from tests.support import make_petition, make_user, sign_as

    petition = make_petition(signatures=1)
    sign_as(petition, make_user())
    queue.enqueue("app.review.jobs.aggregate_counts", queue="counts")
    result = runner.invoke(args=["worker", "--burst", "--no-fork", "--queue", "counts"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(type(petition), petition.id).signature_count == 2


def test_reset_second_factor_from_the_command_line(runner):
    from app.models import AuditEntry
    from tests.support import make_user

    make_user("last.admin@example.kz", roles=(Role.ADMIN,))
    result = runner.invoke(args=["users", "reset-second-factor", "Last.Admin@example.kz"])
    assert result.exit_code == 0, result.output
    assert not user("last.admin@example.kz").has_second_factor
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_reset"))
    assert entry.channel == "cli" and entry.actor_id is None
    again = runner.invoke(args=["users", "reset-second-factor", "last.admin@example.kz"])
    assert again.exit_code != 0 and "has no second factor" in again.output
