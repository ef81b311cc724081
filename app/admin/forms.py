from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from app.models import Role

STAFF_CHOICES = [
    SelectChoice(Role.MODERATOR.value, _l("Moderator")),
    SelectChoice(Role.OFFICIAL.value, _l("Official")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=STAFF_CHOICES,
                       invalid_choice_message=_l("Choose a role."),
                       validators=[DataRequired(message=_l("Choose a role."))])
    body = SelectField(_l("State body (officials only)"), validators=[Optional()],
                       validate_choice=False)


class RevokeRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=STAFF_CHOICES,
                       invalid_choice_message=_l("Choose a role."),
                       validators=[DataRequired(message=_l("Choose a role."))])


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name or email"), validators=[Optional()])
