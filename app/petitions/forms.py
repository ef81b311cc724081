"""Petition forms. Choices are filled by the routes (bodies, in the reader's language)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.fraud.bot_signals import BotSignalsMixin
from app.petitions.names import CATEGORY_NAMES, REPORT_REASON_NAMES

LANGUAGE_CHOICES = [SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский"), SelectChoice("en", "English")]


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IdeaForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that only searches

    idea = StringField(
        _l("Your idea in a few words"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Describe your idea in a few words.")),
                    Length(min=3, max=120, message=_l("Use 3 to 120 characters."))],
    )


class PetitionForm(FlaskForm):
    title = StringField(
        _l("Title"),
        # Checked as it will be kept: runs of spaces and line breaks become one space.
        filters=[_one_line],
        validators=[DataRequired(message=_l("Enter a title.")),
                    Length(min=10, max=120, message=_l("The title must be 10 to 120 characters long."))],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter a short summary of what you ask for.")),
                    Length(max=500, message=_l("The summary must be at most 500 characters long."))],
    )
    details = TextAreaField(
        _l("Details"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Explain the problem and what should be done.")),
                    Length(max=4000, message=_l("The details must be at most 4,000 characters long."))],
    )
    body = SelectField(
        _l("Addressed to"),
        validators=[DataRequired(message=_l("Choose the state body the petition is addressed to."))],
        validate_choice=False,  # the service checks the body exists and is active
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Choose a category"))]
        + [SelectChoice(c.value, name) for c, name in CATEGORY_NAMES.items()],
        validators=[DataRequired(message=_l("Choose a category."))],
        invalid_choice_message=_l("Choose a category."),
    )
    language = SelectField(
        _l("Language the petition is written in"),
        choices=LANGUAGE_CHOICES,
        validators=[DataRequired(message=_l("Choose a language."))],
        invalid_choice_message=_l("Choose a language."),
    )


class SignForm(BotSignalsMixin, FlaskForm):
    min_seconds_setting = "SIGN_MIN_SECONDS"

    show_name = BooleanField(_l("Show my name (first name and initial) on the petition page"))
    notify = BooleanField(_l("Email me when the petition reaches its threshold and when it is answered"),
                          default=True)


class EdsSignForm(FlaskForm):
    """Signing with an EDS: the statement issued, and the CMS signature of it that NCALayer
    (or another signing program) made, in base64."""

    statement = HiddenField(validators=[DataRequired(), Length(max=4000)])
    cms = TextAreaField(_l("The signature (CMS, base64)"),
                        validators=[DataRequired(message=_l("Sign with NCALayer first, or paste the signature.")),
                                    Length(max=100_000, message=_l("This is too long to be a signature."))])
    show_name = BooleanField(_l("Show my name (first name and initial) on the petition page"))
    notify = BooleanField(_l("Email me when the petition reaches its threshold and when it is answered"),
                          default=True)


class ReportForm(FlaskForm):
    reason = SelectField(
        _l("Why are you reporting it?"),
        choices=[SelectChoice(r.value, name) for r, name in REPORT_REASON_NAMES.items()],
        validators=[DataRequired(message=_l("Choose a reason."))],
        invalid_choice_message=_l("Choose a reason."),
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=1000, message=_l("The comment must be at most 1,000 characters long."))],
    )


class ConfirmForm(FlaskForm):
    """Only a CSRF token."""


class SubmitForm(FlaskForm):
    """Submitting (or resubmitting) a petition: the author confirms it touches none of
    the subjects the law excludes (app.petitions.subjects), listed beside the button."""

    no_excluded_subject = BooleanField(
        _l("My petition touches none of the subjects the law excludes from petitions"),
        validators=[DataRequired(message=_l("Confirm that your petition touches none of the subjects the law "
                                            "excludes, or change it."))])


class UnsubscribeForm(FlaskForm):
    """Which news to stop: the button pressed says (this petition, or all)."""

    scope = HiddenField(validators=[AnyOf(("petition", "all"))])
