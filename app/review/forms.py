from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.review.services import MAX_RESPONSE


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AcknowledgeForm(FlaskForm):
    pass


class ResponseForm(FlaskForm):
    response = TextAreaField(
        _l("Official response"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Write the response.")),
                    Length(max=MAX_RESPONSE, message=_l("The response must be at most 20,000 characters long."))],
    )


class ReassignForm(FlaskForm):
    body = SelectField(_l("Reassign to"), validators=[DataRequired(message=_l("Choose a state body."))],
                       validate_choice=False)
    note = TextAreaField(_l("Why"), filters=[_strip],
                         validators=[DataRequired(message=_l("Write a note.")),
                                     Length(max=2000, message=_l("At most 2,000 characters."))])
