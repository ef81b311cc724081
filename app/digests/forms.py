from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

FREQUENCY_NAMES = {
    "daily": _l("Daily, at 09:00"),
    "weekly": _l("Weekly, on Mondays at 09:00"),
    "off": _l("Off: no digest"),
}


class DigestPreferencesForm(FlaskForm):
    frequency = RadioField(
        _l("How often"),
        choices=[SelectChoice(k, v) for k, v in FREQUENCY_NAMES.items()],
        validators=[DataRequired(message=_l("Choose how often."))],
        invalid_choice_message=_l("Choose how often."),
    )
    language = SelectField(
        _l("Language of the digest"),
        choices=[SelectChoice("", _l("The language of my account")), SelectChoice("kk", "Қазақша"),
                 SelectChoice("ru", "Русский"), SelectChoice("en", "English")],
        invalid_choice_message=_l("Choose a language."),
    )
