from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.models import HIDING_CODES, RejectionCode
from app.petitions.names import CATEGORY_NAMES, REJECTION_NAMES


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
    explanation = _note(_l("Explanation (shown on the petition page unless the reason hides it)"),
                        message=_l("Write an explanation."))


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
