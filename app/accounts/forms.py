"""Account forms. Messages are lazy so they render in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from app.accounts import names
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common
from app.core.mailboxes import is_disposable
from app.fraud.bot_signals import BotSignalsMixin


class NotCommon:
    def __call__(self, form, field):
        if field.data and is_common(field.data):
            raise ValidationError(
                _l("This password is too common and easy to guess. Choose another one.")
            )


class NotDisposable:
    def __call__(self, form, field):
        if field.data and is_disposable(field.data):
            raise ValidationError(_l("Addresses from temporary-mailbox services cannot be used: we write to you "
                                     "about your petitions for months. Use an address you will keep."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NameShape:
    def __call__(self, form, field):
        if field.data and not names.well_formed(field.data):
            raise ValidationError(_l("Use letters only: a hyphen, an apostrophe or a space may join two parts."))


def _name_field(label, missing=None):
    """A part of a person's name; `missing` is the message when a required part is empty."""
    return StringField(
        label,
        filters=[names.clean],
        validators=[
            DataRequired(message=missing) if missing else Optional(),
            Length(max=names.MAX_LENGTH, message=_l("At most %(max)d characters.", max=names.MAX_LENGTH)),
            NameShape(),
        ],
    )


class NameFields:
    """Given name, surname and an optional patronymic, as in the identity document."""

    surname = _name_field(_l("Surname"), _l("Enter your surname."))
    given_name = _name_field(_l("Given name"), _l("Enter your given name."))
    patronymic = _name_field(_l("Patronymic (if you have one)"))


def _email_field(label, *extra):
    return EmailField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("The email address is too long.")),
            Email(message=_l("Enter a valid email address, like name@example.kz."),
                  check_deliverability=False),
            *extra,
        ],
    )


def _new_password_fields(label):
    password = PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Enter a password.")),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=_l("The password must be %(min)d to %(max)d characters long.",
                           min=MIN_LENGTH, max=MAX_LENGTH),
            ),
            NotCommon(),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )
    return password, confirm


CONSENT_LABEL = _l("I have read the privacy notice and agree to Dauys processing my personal data, my IIN included, "
       "to run my account and count my signatures.")
CONSENT_MISSING = _l("Tick the box to give your consent: without it we cannot open an account.")


class RegisterForm(BotSignalsMixin, NameFields, FlaskForm):
    min_seconds_setting = "REGISTER_MIN_SECONDS"
    single_use_stamp = True

    email = _email_field(_l("Email"), NotDisposable())
    password, confirm = _new_password_fields(_l("Password"))
    region = SelectField(
        _l("Region of residence"),
        validators=[DataRequired(message=_l("Choose your region of residence."))],
        validate_choice=False,  # the service checks the code against the database
    )
    iin = StringField(
        _l("IIN"),
        validators=[
            DataRequired(message=_l("Enter your IIN.")),
            Regexp(r"^\s*\d{12}\s*$", message=_l("The IIN is 12 digits.")),
        ],
    )
    # Unticked until the person ticks it (the Law on Personal Data asks for consent).
    consent = BooleanField(CONSENT_LABEL, validators=[DataRequired(message=CONSENT_MISSING)])


class StateIdFinishForm(FlaskForm):
    """A new account from the state's identity provider: the name and IIN came from it."""

    email = _email_field(_l("Email"), NotDisposable())
    region = SelectField(
        _l("Region of residence"),
        validators=[DataRequired(message=_l("Choose your region of residence."))],
        validate_choice=False,  # the service checks the code against the database
    )
    consent = BooleanField(CONSENT_LABEL, validators=[DataRequired(message=CONSENT_MISSING)])


class LoginForm(FlaskForm):
    email = _email_field(_l("Email"))
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Remember me on this device"))


class ResetRequestForm(FlaskForm):
    email = _email_field(_l("Email"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    password, confirm = _new_password_fields(_l("New password"))


class ChangeEmailForm(FlaskForm):
    email = _email_field(_l("New email"), NotDisposable())
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the button on pages opened from email links."""


class ResendVerificationForm(FlaskForm):
    """Only a CSRF token."""


def _code_field():
    return StringField(
        _l("Code"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the 6-digit code from your app, or a recovery code.")),
            Length(max=20, message=_l("Enter the 6-digit code from your app, or a recovery code.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class SecondFactorForm(FlaskForm):
    """The code asked at log-in (or to confirm this session), or to renew recovery codes."""

    code = _code_field()


class EnableSecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the 6-digit code your app shows.")),
            Length(max=20, message=_l("Enter the 6-digit code your app shows.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ReauthMixin:
    """The password and a second-factor code, asked again before a grave change."""

    reauth_password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    reauth_code = _code_field()


class DisableSecondFactorForm(ReauthMixin, FlaskForm):
    pass


class RegionForm(FlaskForm):
    region = SelectField(
        _l("Region of residence"),
        validators=[DataRequired(message=_l("Choose your region of residence."))],
        invalid_choice_message=_l("Choose your region of residence."),
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Enter your current password."))])
    # Asked (and checked) only when the second factor is on.
    code = StringField(_l("Code"), filters=[_strip], validators=[Optional(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false"})
    understood = BooleanField(
        _l("I understand: my name, email and details are erased for good; my signatures stay counted, "
           "without my name."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))])


class NameForm(NameFields, FlaskForm):
    """Correct one's name, or confirm the parts a migration guessed."""


class ConsentForm(FlaskForm):
    consent = BooleanField(CONSENT_LABEL, validators=[DataRequired(message=CONSENT_MISSING)])
