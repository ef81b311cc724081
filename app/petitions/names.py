"""What the petition's codes are called, in the reader's language (lazy strings):
states, categories, report reasons and the rejection reason codes of DOMAIN.md."""

from flask_babel import lazy_gettext as _l

from app.models import Category, PetitionState, RejectionCode, RemovalCategory, ReportReason

CATEGORY_NAMES = {
    Category.EDUCATION: _l("Education"),
    Category.HEALTH: _l("Health"),
    Category.ENVIRONMENT: _l("Environment"),
    Category.TRANSPORT: _l("Transport and roads"),
    Category.HOUSING: _l("Housing and utilities"),
    Category.SOCIAL: _l("Social protection"),
    Category.ECONOMY: _l("Economy and business"),
    Category.CULTURE: _l("Culture and language"),
    Category.DIGITAL: _l("Digital services"),
    Category.SAFETY: _l("Public safety"),
    Category.GOVERNANCE: _l("Governance"),
    Category.OTHER: _l("Other"),
}

REPORT_REASON_NAMES = {
    ReportReason.OFFENSIVE: _l("Offensive or hateful"),
    ReportReason.DEFAMATORY: _l("Defamatory"),
    ReportReason.PERSONAL_DATA: _l("Reveals personal data"),
    ReportReason.ADVERTISING: _l("Advertising"),
    ReportReason.ILLEGAL: _l("Illegal content"),
    ReportReason.DUPLICATE: _l("Duplicate of another petition"),
    ReportReason.OTHER: _l("Other"),
}

STATE_NAMES = {
    PetitionState.DRAFT: _l("Draft"),
    PetitionState.COLLECTING_SPONSORS: _l("Collecting sponsors"),
    PetitionState.PENDING_MODERATION: _l("In moderation"),
    PetitionState.RETURNED: _l("Returned to the author"),
    PetitionState.REJECTED: _l("Rejected"),
    PetitionState.HIDDEN: _l("Hidden"),
    PetitionState.OPEN: _l("Open for signatures"),
    PetitionState.CLOSED: _l("Closed"),
    PetitionState.LAPSED: _l("Lapsed without its sponsors"),
}

# A petition's public status (app.petitions.status): its state, or where its review is.
RESPONDED = "responded"
AWAITING_RESPONSE = "awaiting_response"
STATUS_NAMES = {
    RESPONDED: _l("Responded"),
    AWAITING_RESPONSE: _l("Awaiting response"),
    **{state.value: name for state, name in STATE_NAMES.items()},
}

REJECTION_NAMES = {
    RejectionCode.DUPLICATE: _l("Duplicate of an existing petition"),
    RejectionCode.OUTSIDE_COMPETENCE: _l("Outside the competence of the state body"),
    RejectionCode.EXCLUDED_TOPIC: _l("A topic the law excludes from petitions"),
    RejectionCode.UNCLEAR_REQUEST: _l("The request is unclear"),
    RejectionCode.OFFENSIVE: _l("Offensive language"),
    RejectionCode.DEFAMATORY: _l("Defamatory"),
    RejectionCode.PERSONAL_DATA: _l("Contains personal data"),
    RejectionCode.ADVERTISING: _l("Advertising"),
    RejectionCode.ILLEGAL: _l("Illegal content"),
    RejectionCode.OTHER: _l("Other reason"),
}


# The one-line public reason signatures were removed (a category, nothing identifying).
REMOVAL_NAMES = {
    RemovalCategory.AUTOMATED: _l("made by automated means (scripts or bots)"),
    RemovalCategory.BULK_ACCOUNTS: _l("made from accounts registered in bulk or with false details"),
    RemovalCategory.IDENTITY_MISUSE: _l("made with other people's identity numbers"),
    RemovalCategory.COERCION: _l("collected under pressure (for example by an employer or a school)"),
    RemovalCategory.OTHER: _l("made against the platform's rules"),
}
