"""The subjects the law excludes from petitions: the Administrative Procedural-Process
Code, article 90-2, part 3, as in force since 2 March 2026 (Law No. 246-VIII of
30 December 2025); app/reference/data/petitions-law.md holds the Russian text and its
sources. Shown before anyone writes (the first step of "start a petition"), on
/standards, and named in a rejection for an excluded topic."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ARTICLE = "90-2(3)"


@dataclass(frozen=True)
class ExcludedSubject:
    key: str
    item: int  # the item of article 90-2, part 3
    name: object  # lazy text
    example: object  # lazy text: a petition that would be rejected for it


EXCLUDED_SUBJECTS = (
    ExcludedSubject("rights", 1, _l("Anything that may violate human and civil rights and freedoms"),
                    _l("Bar the members of a religious group from public jobs.")),
    ExcludedSubject("public_order", 2, _l(
        "Encroaching on the constitutional order, public order, health or morality; the honour, dignity or "
        "business reputation of people and organisations; inter-ethnic and inter-faith accord; amnesty and pardon"),
        _l("Pardon a person convicted of fraud.")),
    ExcludedSubject("constitution", 3, _l(
        "The independence, unitary state, territorial integrity and form of government of the Republic, the "
        "President's single seven-year term, and the Constitution and its amendment"),
        _l("Allow the President a second term.")),
    ExcludedSubject("territory", 4, _l("The administrative-territorial structure and the State Border"),
                    _l("Move our village into the neighbouring district.")),
    ExcludedSubject("law_enforcement", 5, _l(
        "The powers of the bodies of law enforcement, operational-search activity, inquiry and investigation, "
        "and of the courts"), _l("Reopen the criminal case against my neighbour.")),
    ExcludedSubject("prosecution", 6, _l("The prosecutor's office's highest supervision of legality"),
                    _l("Order the prosecutor to inspect a company.")),
    ExcludedSubject("intelligence", 7, _l(
        "Foreign intelligence, counter-intelligence, and the security of protected persons and facilities"),
        _l("Publish how a minister's bodyguards are organised.")),
    ExcludedSubject("procedure_labour", 8, _l(
        "Applying the law on penal enforcement, criminal, civil and administrative procedure, administrative "
        "offences, and labour law"), _l("Cancel the fine I was given last week.")),
    ExcludedSubject("defence_security", 9, _l(
        "Defence, national security and public order, including propaganda of war, violence and cruelty, "
        "incitement of racial or religious enmity, extremism, separatism, and spreading or promoting drugs"),
        _l("Allow the sale of cannabis in shops.")),
    ExcludedSubject("treaties", 10, _l("Performing the obligations of Kazakhstan's international treaties"),
                    _l("Stop paying the dues of an international organisation.")),
    ExcludedSubject("appointments", 11, _l(
        "Appointing, electing and dismissing officials within the remit of the President, the Chambers of "
        "Parliament and the Government"), _l("Dismiss the Minister of Health.")),
    ExcludedSubject("elections", 12, _l(
        "Elections, the republican referendum, political parties, Parliament and the status of its deputies"),
        _l("Hold the maslikhat elections in spring.")),
    ExcludedSubject("symbols", 13, _l("The state symbols"), _l("Change the colour of the flag.")),
    ExcludedSubject("state_language", 14, _l("The status of the state language"),
                    _l("Make a second language the state language.")),
    ExcludedSubject("state_bodies", 15, _l(
        "Changing the competence, powers, functions and tasks of state bodies and organisations, or creating, "
        "abolishing or reorganising them"), _l("Create a ministry of youth.")),
    ExcludedSubject("emergency", 16, _l(
        "Cancelling or changing decisions taken under a state of emergency or an emergency situation"),
        _l("Lift the restrictions the emergency commission imposed during the flood.")),
)

BY_KEY = {s.key: s for s in EXCLUDED_SUBJECTS}
