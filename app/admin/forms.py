from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.forms import ReauthMixin
from app.core import clock
from app.models import Role

STAFF_CHOICES = [
    SelectChoice(Role.MODERATOR.value, _l("Moderator")),
    SelectChoice(Role.OFFICIAL.value, _l("Official")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


class FiniteDecimalField(DecimalField):
    """A decimal that is a number: "NaN", "sNaN" and "Infinity" parse as decimals but
    cannot be compared with a range (a 500 before), so they are refused like any text."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a number.")) from None
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter a number."))


class GrantRoleForm(ReauthMixin, FlaskForm):
    role = SelectField(_l("Role"), choices=STAFF_CHOICES,
                       invalid_choice_message=_l("Choose a role."),
                       validators=[DataRequired(message=_l("Choose a role."))])
    body = SelectField(_l("State body (officials only)"), validators=[Optional()],
                       validate_choice=False)


class RevokeRoleForm(ReauthMixin, FlaskForm):
    role = SelectField(_l("Role"), choices=STAFF_CHOICES,
                       invalid_choice_message=_l("Choose a role."),
                       validators=[DataRequired(message=_l("Choose a role."))])


class ResetSecondFactorForm(ReauthMixin, FlaskForm):
    """An administrator clears another account's second factor: their own password and
    code first."""


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name or email"), validators=[Optional()])


class BodyRuleForm(ReauthMixin, FlaskForm):
    rule = SelectField(
        _l("Threshold rule"),
        choices=[SelectChoice("profile", _l("Follow the configured profile")),
                 SelectChoice("fixed", _l("A fixed number of signatures")),
                 SelectChoice("population_percent", _l("A percentage of the region's population"))],
        validators=[DataRequired(message=_l("Choose a rule."))],
        invalid_choice_message=_l("Choose a rule."),
    )
    fixed = IntegerField(_l("Fixed number of signatures"), validators=[
        Optional(), NumberRange(min=1, max=10_000_000, message=_l("Enter a number from 1 to 10,000,000."))])
    percent = FiniteDecimalField(_l("Percentage of the population"), places=2, validators=[
        Optional(), NumberRange(min=Decimal("0.01"), max=Decimal("100"), message=_l("Enter a percentage from 0.01 to 100."))])
    fallback = IntegerField(_l("Fallback when the population is unknown"), validators=[
        Optional(), NumberRange(min=1, max=10_000_000, message=_l("Enter a number from 1 to 10,000,000."))])
    counted_from = SelectField(
        _l("Signatures that count toward the threshold"),
        choices=[SelectChoice("", _l("As the configured profile says")),
                 SelectChoice("self_declared", _l("Every signature")),
                 SelectChoice("state_idp", _l("Identities the state confirmed, and EDS signatures")),
                 SelectChoice("eds", _l("Only signatures made with an EDS"))],
        default="",
        invalid_choice_message=_l("Choose one."),
    )
    review_period_days = IntegerField(_l("Review period, working days"), validators=[
        DataRequired(message=_l("Enter the review period.")),
        NumberRange(min=1, max=365, message=_l("Enter a number of working days from 1 to 365."))])
    active = BooleanField(_l("Petitions can be addressed to this body"))
    note = StringField(_l("Why the change"), validators=[
        DataRequired(message=_l("Write a note.")), Length(max=500, message=_l("At most 500 characters."))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.rule.data == "fixed" and self.fixed.data is None:
            self.fixed.errors = [*self.fixed.errors, _l("Enter the number of signatures.")]
            ok = False
        if self.rule.data == "population_percent":
            for f in (self.percent, self.fallback):
                if f.data is None:
                    f.errors = [*f.errors, _l("Required for this rule.")]
                    ok = False
        return ok


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() and not (valuelist[0].strip().isascii()
                                                        and valuelist[0].strip().isdigit()):
            self.data = None
            raise ValueError(_l("Enter a whole number."))
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


ACTION_CHOICES = [
    SelectChoice("register", _l("registering")),
    SelectChoice("sign", _l("signing")),
    SelectChoice("create", _l("creating a petition")),
    SelectChoice("report", _l("reporting a petition")),
]
SCOPE_CHOICES = [
    SelectChoice("address", _l("per address")),
    SelectChoice("network", _l("per network (/24 or /48)")),
    SelectChoice("email_domain", _l("per email domain")),
    SelectChoice("email", _l("per email address")),
    SelectChoice("account", _l("per account")),
]


def _count_field(label):
    return WholeNumberField(label, validators=[InputRequired(message=_l("Enter a whole number.")),
                                               NumberRange(min=1, max=1_000_000,
                                                           message=_l("Between 1 and 1,000,000."))])


def _window_field():
    return WholeNumberField(_l("Window, in seconds"), validators=[
        InputRequired(message=_l("Enter a whole number.")),
        NumberRange(min=1, max=2_592_000, message=_l("Between 1 second and 30 days (2,592,000 seconds)."))])


class RateRuleForm(FlaskForm):
    max_count = _count_field(_l("At most"))
    window_seconds = _window_field()
    enabled = BooleanField(_l("In force"))


class NewRateRuleForm(RateRuleForm):
    action = SelectField(_l("Action"), choices=ACTION_CHOICES, validators=[DataRequired(message=_l("Choose one."))],
                         invalid_choice_message=_l("Choose one."))
    scope = SelectField(_l("Counted"), choices=SCOPE_CHOICES, validators=[DataRequired(message=_l("Choose one."))],
                        invalid_choice_message=_l("Choose one."))


class AlertRuleForm(FlaskForm):
    threshold = _count_field(_l("Threshold"))
    enabled = BooleanField(_l("In force"))


class _Day(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write a date, such as 2026-01-01.")) from None


class PopulationForm(ReauthMixin, FlaskForm):
    """A region's official population: the number, the day it refers to, its source."""

    population = WholeNumberField(_l("Population"), validators=[
        InputRequired(message=_l("Enter the population.")),
        NumberRange(min=1, max=50_000_000, message=_l("Enter a number from 1 to 50,000,000."))])
    as_of = _Day(_l("As of (date)"), validators=[InputRequired(message=_l("Write a date, such as 2026-01-01."))])
    source = StringField(_l("Source (an address or a publication)"), validators=[
        DataRequired(message=_l("Say where the figure comes from.")),
        Length(max=500, message=_l("At most 500 characters."))])
    note = StringField(_l("Why the change"), validators=[
        DataRequired(message=_l("Write a note.")), Length(max=500, message=_l("At most 500 characters."))])

    def validate_as_of(self, field):
        if field.data and not (date(1990, 1, 1) <= field.data <= clock.today()):
            raise ValidationError(_l("The date must be between 1990 and today."))
