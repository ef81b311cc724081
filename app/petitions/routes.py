"""Public petition pages, the author's path, signing and reporting."""

from __future__ import annotations

import base64
import io

import segno
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.tokens import TokenError
from app.bodies.queries import active_bodies, body_by_code, body_choices
from app.bodies.thresholds import (
    counts_every_signature,
    describe_counted,
    describe_threshold,
    petition_threshold,
    profile_of,
)
from app.core import clock
from app.core.collation import alphabetical
from app.eds import receipts
from app.eds.errors import EdsError
from app.extensions import csrf, db, limiter
from app.fraud import ratelimits
from app.models import BodyLevel, IdentityLevel, Petition, PetitionState, Region
from app.models.petition import SIGNABLE_STATES
from app.petitions import access, charts, counting, eds_signing, forms, queries, services
from app.petitions import status as standing
from app.petitions.messages import message_for
from app.petitions.names import CATEGORY_NAMES, REMOVAL_NAMES, STATUS_NAMES
from app.petitions.services import PetitionData, PetitionError
from app.web.caching import public
from app.web.csvfile import download as csv_download
from app.web.forms import FORM_ERROR, flash_refusal, form_page, refuse
from app.web.headers import eds_page_policy
from app.web.requests import add_emailed_link, client_address, link_token, page_arg, share_url, zip_download

bp = Blueprint("petitions", __name__)  # mounted at /<lang>/petitions
PAGE_SIZE = 20
S = PetitionState


def _lang() -> str:
    return str(get_locale())


def _get_visible(petition_id: int, link_key: str | None = None) -> Petition:
    """The petition if this reader may see it (app.petitions.access), else 404."""
    petition = db.session.get(Petition, petition_id)
    if petition is None or not services.can_view(petition, current_user, link_key):
        abort(404)
    return petition


def _own(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id)
    if petition is None or petition.author_id != current_user.id:
        abort(404)
    return petition


def _list_filters() -> queries.ListFilters:
    return queries.ListFilters(
        q=request.args.get("q", "").strip()[:200],
        state=request.args.get("state", "open"),
        category=request.args.get("category", ""),
        body=request.args.get("body", ""),
        region=request.args.get("region", ""),
        sort=request.args.get("sort", "popular"),
    )


def _no_search() -> bool:
    return not request.args.get("q", "").strip()


# A text search costs the database far more than a page of the list: limited per address.
SEARCH_LIMIT = "60 per minute"


@bp.route("")
@public
@limiter.limit(SEARCH_LIMIT, exempt_when=_no_search)
def index():
    f = _list_filters()
    try:
        query = queries.list_query(f)
    except ValueError:
        abort(400)
    page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    lang = _lang()
    # National and regional bodies; a district's are found through its region (hundreds of
    # them would make every list page heavy), or kept when the filter names one.
    bodies = active_bodies(lang, (BodyLevel.NATIONAL, BodyLevel.REGIONAL))
    if f.body and f.body not in {b.code for b in bodies}:
        chosen = body_by_code(f.body)
        bodies += [chosen] if chosen is not None else []
    regions = alphabetical(db.session.scalars(select(Region)), lang, lambda r: r.name(lang))
    return render_template("petitions/index.html", page=page, filters=f, bodies=bodies, regions=regions, lang=lang)


CSV_LIMIT = 50_000


@bp.route("/export.csv")
@public
def index_csv():
    """The list with the same filters, every page at once (up to CSV_LIMIT rows)."""
    try:
        query = queries.list_query(_list_filters())
    except ValueError:
        abort(400)
    lang = _lang()
    header = [_("Number"), _("Title"), _("Language of the text"), _("Status"), _("Addressed to"),
              _("Review passed on to"), _("Category"),
              _("Signatures"), _("Of which signed with an EDS"), _("Of which by identities confirmed by the state"),
              _("Signatures needed for review"), _("Opened"), _("Closes"), _("Threshold reached"),
              _("Responded"), _("Address")]
    eds = counting.all_by_assurance(IdentityLevel.EDS)
    confirmed = counting.all_by_assurance(IdentityLevel.STATE_IDP)

    def rows():
        for p in db.session.scalars(query.limit(CSV_LIMIT)).unique():
            case = p.review_case
            yield [p.id, p.title, p.language, STATUS_NAMES[standing.public_status(p)], p.body.name(lang),
                   case.body.name(lang) if case and case.body_id != p.body_id else None, CATEGORY_NAMES[p.category],
                   p.signature_count, eds.get(p.id, 0), confirmed.get(p.id, 0), petition_threshold(p).signatures,
                   _iso(p.opened_at), _iso(p.closes_at), _iso(p.threshold_reached_at),
                   _iso(case.answered_at) if case else None, share_url("petitions.show", petition_id=p.id)]

    return csv_download(f"dauys-petitions-{lang}.csv", header, rows())


def _iso(moment) -> str | None:
    """A time as Excel and LibreOffice read it: Almaty local time, to the minute."""
    return moment.astimezone(clock.ALMATY).strftime("%Y-%m-%d %H:%M") if moment else None


@bp.route("/<id:petition_id>/qr.svg")
@public
def qr_code(petition_id: int):
    """The QR code of the petition's address (language-neutral), for posters and leaflets."""
    petition = _get_visible(petition_id)
    out = io.BytesIO()
    segno.make(access.shareable_url(petition), error="m").save(
        out, kind="svg", scale=8, border=2, title=petition.title[:120], xmldecl=True)
    return out.getvalue(), 200, {"Content-Type": "image/svg+xml"}


@bp.route("/<id:petition_id>/regions.csv")
@public
def regions_csv(petition_id: int):
    petition = _get_visible(petition_id)
    lang = _lang()
    header = [_("Region"), _("Code"), _("Signatures"), _("Population"), _("Signatures per 100,000 residents")]
    rows = [[region.name(lang), region.code, n, region.population,
             charts.per_100k(n, region)]
            for region, n in queries.regional_breakdown(petition.id)]
    return csv_download(f"dauys-petition-{petition.id}-regions-{lang}.csv", header, rows)


@bp.route("/new")
@login_required
@limiter.limit("30 per minute", exempt_when=lambda: "idea" not in request.args)
def new():
    """Step one: the idea in a few words, and the petitions that already ask for it."""
    problem = services.identity_problem(current_user)
    form = forms.IdeaForm(request.args)
    matches = None
    if "idea" in request.args and form.validate():
        matches = queries.similar(form.idea.data, limit=8, include_pending=False)
    status = 422 if "idea" in request.args and form.errors else 200
    return render_template("petitions/new.html", form=form, matches=matches, problem=problem,
                           problem_message=message_for(problem) if problem else None), status


def _data(form) -> PetitionData:
    return PetitionData(title=form.title.data, summary=form.summary.data, details=form.details.data,
                        body_code=form.body.data, category=form.category.data, language=form.language.data)


def _petition_form(form, save, done_message: str, petition: Petition | None):
    """Validate, call `save` (the service; returns the petition) and go to the petition;
    or show the form again with the errors and a 4xx (nothing is kept)."""
    if form.validate_on_submit():
        try:
            saved = save(_data(form))
        except PetitionError as exc:
            return refuse(form, exc, "petitions/form.html", petition=petition)
        flash(done_message, "success")
        return redirect(url_for("petitions.show", petition_id=saved.id))
    return form_page("petitions/form.html", form=form, petition=petition)


@bp.route("/new/form", methods=["GET", "POST"])
@login_required
@ratelimits.limited("create")
def create():
    form = forms.PetitionForm()
    form.body.choices = body_choices(_lang())
    if request.method == "GET":
        form.title.data = request.args.get("idea", "")[:120]
        form.language.data = _lang()
    return _petition_form(form, lambda data: services.create_draft(current_user, data),
                          _("Your draft is saved. Check it, then submit it to gather sponsors."), None)


@bp.route("/<id:petition_id>/edit", methods=["GET", "POST"])
@login_required
def edit(petition_id: int):
    petition = _own(petition_id)
    if petition.state not in (S.DRAFT, S.RETURNED):
        abort(409)
    form = forms.PetitionForm(obj=petition if request.method != "POST" else None)
    form.body.choices = body_choices(_lang())
    if request.method == "GET":
        form.body.data = petition.body.code
        form.category.data = petition.category.value

    def save(data):
        services.update_draft(petition, current_user, data)
        return petition

    return _petition_form(form, save, _("Your changes are saved."), petition)


@bp.route("/<id:petition_id>/submit", methods=["POST"])
@login_required
def submit(petition_id: int):
    petition = _own(petition_id)
    form = forms.SubmitForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return render_petition(petition, submit_form=form, status=422)
    try:
        services.submit(petition, current_user, meta=_origin())
    except PetitionError as exc:
        # The petition's page with the reason, answered with the refusal's status:
        # whatever the service had written is abandoned.
        return render_petition(petition, status=flash_refusal(exc))
    if petition.state is S.COLLECTING_SPONSORS:
        flash(_("Submitted. Share the link shown on this page: once %(n)d citizens have supported it, it goes to "
                "moderation.", n=profile_of(petition).sponsors_required()), "success")
    else:
        flash(ngettext("Submitted. Moderators will check it within %(num)d working day.",
                       "Submitted. Moderators will check it within %(num)d working days.",
                       profile_of(petition).moderation_days()), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


def _origin() -> dict:
    return {"ip": client_address(), "user_agent": request.headers.get("User-Agent", "")[:500]}


def render_petition(petition: Petition, *, status: int = 200, sign_form=None, report_form=None, submit_form=None):
    user = current_user if current_user.is_authenticated else None
    breakdown = queries.regional_breakdown(petition.id)
    removals = queries.removals(petition.id, with_hours=True)
    problem = services.signing_problem(petition, user) if petition.state in SIGNABLE_STATES else None
    signed = problem == "already_signed"
    lang = _lang()
    # Whoever sees a petition that is not public yet came through its link or is entitled
    # to it: the page carries the link (to sponsor with, and to pass on).
    link_key = petition.link_key if access.by_link_only(petition) else None
    here = (url_for("petitions.shared", petition_id=petition.id, key=link_key) if link_key
            else url_for("petitions.show", petition_id=petition.id))
    return render_template(
        "petitions/show.html",
        petition=petition,
        progress=standing.progress(petition, clock.now()),
        public_status=standing.public_status(petition),
        threshold_reason=describe_threshold(petition.body, lang, petition.threshold_profile),
        breakdown=breakdown,
        chart=charts.signatures_over_time(queries.signatures_by_hour(petition.id), petition.opened_at,
                                          petition.closed_at or clock.now(), removals),
        removals=removals,
        levels={level.value: n for level, n in counting.by_assurance(petition.id).items()},
        counted_rule=None if counts_every_signature(petition.body, petition.threshold_profile)
        else describe_counted(petition.body, petition.threshold_profile),
        removal_names=REMOVAL_NAMES,
        per_100k=charts.per_100k,
        region_map=charts.region_map(queries.regions(), {r.id: n for r, n in breakdown}, lang),
        signers=queries.public_signers(petition.id),
        timeline=standing.timeline(petition, lang),
        # Forms (and their CSRF tokens, which live in the session) only for the signed
        # in: a reader who is not gets a page that any cache may keep.
        sign_form=sign_form or (forms.SignForm() if user else None),
        report_form=report_form or (forms.ReportForm() if user else None),
        confirm_form=forms.ConfirmForm() if user else None,
        submit_form=submit_form or (forms.SubmitForm() if user and user.id == petition.author_id else None),
        problem=problem,
        problem_message=message_for(problem, region=petition.body.region)
        if problem and problem not in ("login", "already_signed") else None,
        signed=signed,
        sponsors_required=profile_of(petition).sponsors_required(),
        lang=lang,
        is_author=user is not None and user.id == petition.author_id,
        share_link=access.shareable_url(petition),
        link_key=link_key,
        here=here,
        review_overdue=bool(petition.review_case and petition.review_case.overdue_days(clock.today())),
    ), status


@bp.route("/<id:petition_id>")
@public
def show(petition_id: int):
    return render_petition(_get_visible(petition_id))


@bp.route("/<id:petition_id>/link/<linkkey:key>")
def shared(petition_id: int, key: str):
    """The link an author shares while the petition is not public: its page for whoever
    holds the link, kept by no cache, indexed by no search engine, and naming itself in
    no Referer. Once the petition is public (or the author's again) the link leads on to
    its page by number; a wrong key is no address."""
    petition = db.session.get(Petition, petition_id)
    if petition is None or not access.link_key_matches(petition, key):
        abort(404)
    if not access.by_link_only(petition):
        return redirect(url_for("petitions.show", petition_id=_get_visible(petition_id).id))
    response = make_response(render_petition(petition))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/<id:petition_id>/sign", methods=["POST"])
@ratelimits.limited("sign")
def sign(petition_id: int):
    # The hot path of a national surge: no petition is loaded unless signing fails.
    link_key = request.form.get("link") or None  # a sponsor's: the petition is not public yet
    if not current_user.is_authenticated:
        petition = _get_visible(petition_id, link_key)
        back = (url_for("petitions.shared", petition_id=petition_id, key=link_key)
                if access.by_link_only(petition) else url_for("petitions.show", petition_id=petition_id))
        return redirect(url_for("accounts.login", next=back))
    form = forms.SignForm()
    if not form.validate_on_submit():
        if not form.bot_signal_errors:
            abort(400)
        # A script's signals (the honeypot filled, sent too soon): say so, sign nothing.
        for message in form.bot_signal_errors:
            flash(message, "error")
        form.website.data = ""
        return render_petition(_get_visible(petition_id, link_key), status=422, sign_form=form)
    try:
        services.sign(petition_id, current_user, show_name=form.show_name.data, notify=form.notify.data,
                      meta=_origin(), link_key=link_key)
    except PetitionError as exc:
        status = flash_refusal(exc)
        petition = _get_visible(petition_id, link_key)  # 404 for a petition that is not there, or not for you
        return render_petition(petition, status=status)
    return redirect(url_for("petitions.signed", petition_id=petition_id))


def _eds_page(petition: Petition, form, link_key: str | None, status: int = 200):
    """The page to sign with an EDS: a new statement, and the form NCALayer fills in. Its
    Content-Security-Policy lets the page's script reach NCALayer on this computer."""
    try:
        statement = eds_signing.statement_for(petition.id, current_user)
    except (EdsError, PetitionError) as exc:
        if status >= 400:  # a refused signature: its message is flashed already
            return render_petition(petition, status=status)
        flash_refusal(exc)
        return redirect(url_for("petitions.shared", petition_id=petition.id, key=link_key) if link_key
                        else url_for("petitions.show", petition_id=petition.id))
    form.statement.data = statement.text
    response = make_response(render_template(
        "petitions/sign_eds.html", petition=petition, form=form, link_key=link_key, statement=statement.text,
        statement_b64=base64.b64encode(statement.text.encode()).decode(),
        ncalayer_url=current_app.config["EDS_NCALAYER_URL"]), status)
    response.headers["Content-Security-Policy"] = eds_page_policy(current_app.config["EDS_NCALAYER_URL"])
    return response


@bp.route("/<id:petition_id>/sign/eds", methods=["GET", "POST"])
@login_required
@ratelimits.limited("sign")
def sign_eds(petition_id: int):
    """Sign with an EDS (NCALayer): the statement is signed on the person's own computer
    and the server verifies it before writing the signature."""
    link_key = request.values.get("link") or None
    petition = _get_visible(petition_id, link_key)
    form = forms.EdsSignForm()
    if request.method == "GET":
        return _eds_page(petition, form, link_key)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _eds_page(petition, form, link_key, status=FORM_ERROR)
    try:
        eds_signing.sign(petition_id, current_user, form.statement.data, form.cms.data,
                         show_name=form.show_name.data, notify=form.notify.data, meta=_origin(), link_key=link_key)
    except (EdsError, PetitionError) as exc:
        status = flash_refusal(exc)
        form.cms.data = ""
        return _eds_page(petition, form, link_key, status=status)
    return redirect(url_for("petitions.signed", petition_id=petition_id))


@bp.route("/<id:petition_id>/signed/receipt.zip")
@login_required
def receipt(petition_id: int):
    """My EDS signature's receipt: the statement, my CMS, the time-mark, how to check them."""
    petition = _get_visible(petition_id)
    kept = eds_signing.evidence_of(petition, current_user)
    if kept is None:
        abort(404)
    return zip_download(receipts.receipt(kept), f"dauys-petition-{petition.id}-signature.zip")


@bp.route("/<id:petition_id>/signed")
@login_required
def signed(petition_id: int):
    petition = _get_visible(petition_id)
    signature = services.signature_of(petition, current_user)
    if signature is None:
        return redirect(url_for("petitions.show", petition_id=petition.id))
    return render_template("petitions/signed.html", petition=petition, sponsor=signature.sponsor,
                           with_eds=eds_signing.evidence_of(petition, current_user) is not None,
                           sponsors_required=profile_of(petition).sponsors_required(),
                           link=access.shareable_url(petition))


@bp.route("/<id:petition_id>/report", methods=["POST"])
@login_required
@ratelimits.limited("report")
def report(petition_id: int):
    petition = _get_visible(petition_id)
    form = forms.ReportForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_petition(petition, status=422, report_form=form)
    try:
        services.report(petition, current_user, form.reason.data, form.comment.data)
    except PetitionError as exc:
        return render_petition(petition, status=flash_refusal(exc))
    flash(_("Thank you. Moderators will look at your report."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))



# --- unsubscribing from news about petitions -------------------------------------------


add_emailed_link(bp, "/unsubscribe", "unsubscribe", "unsubscribe")


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt
def unsubscribe_one_click(token: str):
    """RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" to the link in the
    List-Unsubscribe header, with no cookie and no form of ours. No CSRF token can be
    asked for; the signed token in the address is the proof (it names the person and
    the petition, and does nothing else)."""
    if request.form.get("List-Unsubscribe") != "One-Click":
        abort(400)
    try:
        user, petition = services.read_unsubscribe(token)
    except TokenError:
        abort(400)
    services.stop_news(user, petition)
    return "", 204


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe():
    """The page an emailed link leads to: one button for this petition, one for all."""
    try:
        user, petition = services.read_unsubscribe(link_token("unsubscribe"))
    except TokenError:
        return render_template("petitions/unsubscribe.html", problem=True), 400
    form = forms.UnsubscribeForm()
    done = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        everything = form.scope.data == "all"
        services.stop_news(user, None if everything else petition)
        done = "all" if everything else "petition"
    return render_template("petitions/unsubscribe.html", problem=False, petition=petition, form=form, done=done)
