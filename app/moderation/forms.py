from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.clock import ALMATY
from app.fraud import fingerprints
from app.models import HIDING_CODES, RejectionCode
from app.moderation import integrity
from app.petitions.names import CATEGORY_NAMES, REJECTION_NAMES, REMOVAL_NAMES
from app.petitions.subjects import EXCLUDED_SUBJECTS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _note(label, required=True, message=None):
    validators = [DataRequired(message=message or _l("Write a note."))] if required else [Optional()]
    validators.append(Length(max=2000, message=_l("At most 2,000 characters.")))
    return TextAreaField(label, filters=[_strip], validators=validators)


class ApproveForm(FlaskForm):
    pass


class ReturnForm(FlaskForm):
    note = _note(_l("Note to the author: what to change"), message=_l("Tell the author what to change."))


class RejectForm(FlaskForm):
    code = SelectField(
        _l("Reason"),
        choices=[SelectChoice(c.value, name) for c, name in REJECTION_NAMES.items()],
        validators=[DataRequired(message=_l("Choose a reason."))],
        invalid_choice_message=_l("Choose a reason."),
    )
    subject = SelectField(
        _l("Excluded subject (for “A topic the law excludes from petitions”)"),
        validators=[Optional()],
        invalid_choice_message=_l("Choose the excluded subject the petition touches."),
    )
    explanation = _note(_l("Explanation (shown on the petition page unless the reason hides it)"),
                        message=_l("Write an explanation."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbered as in the law, named in the reader's language.
        self.subject.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(s.key, f"{s.item}. {s.name}") for s in EXCLUDED_SUBJECTS]


class TakeDownForm(FlaskForm):
    code = SelectField(
        _l("Reason"),
        choices=[SelectChoice(c.value, REJECTION_NAMES[c]) for c in RejectionCode if c in HIDING_CODES],
        validators=[DataRequired(message=_l("Choose a reason."))],
        invalid_choice_message=_l("Choose a reason."),
    )
    note = _note(_l("Internal note"))


class RestoreForm(FlaskForm):
    note = _note(_l("Internal note"))


class MetadataForm(FlaskForm):
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice(c.value, name) for c, name in CATEGORY_NAMES.items()],
        validators=[DataRequired(message=_l("Choose a category."))],
        invalid_choice_message=_l("Choose a category."),
    )
    body = SelectField(_l("Addressed to"), validators=[DataRequired(message=_l("Choose a state body."))],
                       validate_choice=False)
    note = _note(_l("Why the change"))


class DismissReportsForm(FlaskForm):
    note = _note(_l("Internal note"), required=False)


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        _l("Why (the account's owner reads this when they try to log in)"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Write why the account is suspended.")),
                    Length(max=500, message=_l("At most 500 characters."))],
    )


class ReactivateForm(FlaskForm):
    note = _note(_l("Why it is reactivated (kept in the audit log)"))


# --- invalidation ----------------------------------------------------------------------

class _Hex:
    """A fingerprint as the dashboard shows it: `length` lower-case hex digits."""

    def __init__(self, length: int):
        self.length = length
        self.message = _l("Paste the whole fingerprint from the dashboard (%(n)d characters, 0-9 and a-f).",
                          n=length)

    def __call__(self, form, field):
        value = field.data or ""
        if value and (len(value) != self.length or any(c not in "0123456789abcdef" for c in value)):
            raise ValidationError(self.message)


class _FingerprintOrInClear(_Hex):
    """A fingerprint from the dashboard, or the address (or network) typed in clear: a
    clear one matches signatures fingerprinted under every key in use
    (app.fraud.fingerprints), those made before a key change included."""

    def __init__(self, in_clear, message):
        super().__init__(64)
        self.in_clear = in_clear
        self.message = message

    def __call__(self, form, field):
        value = field.data or ""
        if not value or (len(value) == 64 and all(c in "0123456789abcdef" for c in value)):
            return
        try:
            self.in_clear(value)
        except ValueError:
            raise ValidationError(self.message) from None


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _domain(form, field):
    value = field.data or ""
    if value and not integrity.DOMAIN.match(value):
        raise ValidationError(_l("Write a domain such as mail.example.kz, without the @."))


def _account_ids(form, field):
    raw = (field.data or "").replace(",", " ").split()
    if any(not (part.isascii() and part.isdigit()) or len(part) > 10 or not 0 < int(part) < 2**31 for part in raw):
        raise ValidationError(_l("Account numbers are whole numbers, separated by spaces or commas."))
    if len(raw) > integrity.MAX_ACCOUNTS:
        raise ValidationError(_l("At most %(n)d accounts at once.", n=integrity.MAX_ACCOUNTS))
    field.ids = sorted({int(part) for part in raw})


def _petition_number(form, field):
    value = field.data or ""
    if value and not (value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) < 2**31):
        raise ValidationError(_l("Write a petition number (digits only)."))


class _Moment(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write a date and time, such as 2026-11-23 14:30.")) from None
        if self.data is not None and not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(_l("Write a date and time between the years 2000 and 2100."))


def _moment(label):
    return _Moment(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()],
                              render_kw={"step": 60})


class FilterForm(FlaskForm):
    """Which signatures (read from the query string; every field may be left empty)."""

    class Meta:
        csrf = False

    petition = StringField(_l("Petition number"), filters=[_lower], validators=[_petition_number])
    network = StringField(_l("Network fingerprint"), filters=[_lower], validators=[_FingerprintOrInClear(
        fingerprints.network_candidates,
        _l("Paste the network's fingerprint from the dashboard (64 characters, 0-9 and a-f), or write the "
           "network as 10.20.30.0/24 (IPv4) or 2001:db8:1::/48 (IPv6), or one of its addresses."))])
    address = StringField(_l("Address fingerprint"), filters=[_lower], validators=[_FingerprintOrInClear(
        fingerprints.address_candidates,
        _l("Paste the address's fingerprint from the dashboard (64 characters, 0-9 and a-f), or write the "
           "address itself, such as 10.20.30.40 or 2001:db8::1."))])
    user_agent = StringField(_l("Browser fingerprint"), filters=[_lower], validators=[_Hex(16)])
    email_domain = StringField(_l("Email domain"), filters=[_lower], validators=[_domain, Length(max=253)])
    signed_from = _moment(_l("Signed from (Almaty time)"))
    signed_to = _moment(_l("Signed before (Almaty time)"))
    registered_from = _moment(_l("Registered from (Almaty time)"))
    registered_to = _moment(_l("Registered before (Almaty time)"))
    accounts = TextAreaField(_l("Account numbers"), validators=[
        Length(max=12_000, message=_l("At most %(n)d accounts at once.", n=integrity.MAX_ACCOUNTS)), _account_ids])

    def validate_signed_to(self, field):
        if field.data and self.signed_from.data and field.data <= self.signed_from.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_registered_to(self, field):
        if field.data and self.registered_from.data and field.data <= self.registered_from.data:
            raise ValidationError(_l("The end must come after the start."))

    def criteria(self) -> integrity.Filter:
        def utc(value):
            return value.replace(tzinfo=ALMATY).astimezone(UTC) if value else None

        return integrity.Filter(
            petition_id=int(self.petition.data) if self.petition.data else None, address=self.address.data or None, network=self.network.data or None,
            user_agent=self.user_agent.data or None, email_domain=self.email_domain.data or None,
            signed_from=utc(self.signed_from.data), signed_to=utc(self.signed_to.data),
            registered_from=utc(self.registered_from.data), registered_to=utc(self.registered_to.data),
            account_ids=getattr(self.accounts, "ids", []))


class RunForm(FilterForm):
    """The filter again (hidden on the preview page), and what to do."""

    class Meta:
        csrf = True

    category = SelectField(
        _l("Public reason (shown on the petition page)"),
        choices=[SelectChoice(c.value, name) for c, name in REMOVAL_NAMES.items()],
        validators=[DataRequired(message=_l("Choose the public reason."))],
        invalid_choice_message=_l("Choose the public reason."),
    )
    note = _note(_l("Internal note: what you found (kept in the audit log)"))
    suspend = BooleanField(_l("Also suspend the citizens' accounts that made these signatures"))


class RevalidateForm(FlaskForm):
    note = _note(_l("Why the signatures are restored (kept in the audit log)"))


class CancelForm(FlaskForm):
    pass
