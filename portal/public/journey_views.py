"""The reporting journey's views: each parses a form, calls the domain, and redirects."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers.response import Response

from portal.extensions import limiter
from portal.models import Draft
from portal.models.types import utcnow
from portal.public import bp, progress
from portal.public.answers import summary_sections
from portal.public.forms import ConfirmForm, EvidenceForm, JourneyForm, KindForm
from portal.public.journey import (
    PAGES,
    PAGES_BY_SLUG,
    Page,
    first_incomplete,
    next_slug,
    page_for_field,
    previous_slug,
)
from portal.public.wording import wording_for
from portal.reports import drafts, evidence
from portal.reports.operations import DraftExpired, submission_for_draft, submit_draft
from portal.text.labels import KIND_TITLES
from portal.triage.contract import DESCRIPTION_MAX, ContractError
from portal.web.drawn_pages import drawn_page
from portal.web.limits import public_forms

# Every resident's form post counts towards one limit per address (public_forms); sending a
# report, another.


def _sent(response: Response) -> bool:
    return bool(response.status_code == 302 and response.location.endswith("/report/confirmation"))


DRAFT_KEY = "draft_id"
SUBMITTED_KEY = "submitted"
SUBMITTED_AT_KEY = "submitted_at"


def _current_draft() -> Draft | None:
    return drafts.load_draft(session.get(DRAFT_KEY))


def _expired() -> tuple[str, int]:
    session.pop(DRAFT_KEY, None)
    progress.forget()
    # The draft, and so its kind, is gone: offer the exit, as any safety-concern page would.
    return render_template("public/draft_expired.html"), 410


def _is_change() -> bool:
    return request.args.get("change") == "1"


def _evidence_url() -> str:
    """The evidence page, still knowing whether the resident came from checking their answers."""
    return url_for("public.question", slug="evidence", change="1" if _is_change() else None)


def _page_context(kind: str, slug: str) -> dict[str, Any]:
    """What every question page template needs besides its form (the evidence page adds the draft)."""
    previous = previous_slug(slug)
    if _is_change():
        back = url_for("public.check_answers")
    elif previous:
        back = url_for("public.question", slug=previous)
    else:
        back = url_for("public.choose_kind")
    return {
        "kind": kind,
        "kind_title": KIND_TITLES[kind],
        "page": PAGES_BY_SLUG[slug],
        "page_title": PAGES_BY_SLUG[slug].title_for(kind),
        "back_url": back,
        "description_max": DESCRIPTION_MAX,
        "changing": _is_change(),
    }


def _after_page(state: drafts.DraftState, slug: str) -> Response:
    """Where a resident goes once ``slug`` is saved, and their progress remembered."""
    progress.remember(state)
    missing = first_incomplete(state.completed)
    if _is_change() and missing is None:
        return redirect(url_for("public.check_answers"))
    following = next_slug(slug)
    if following is None or missing is None:
        return redirect(
            url_for("public.check_answers") if missing is None else url_for("public.question", slug=missing)
        )
    return redirect(url_for("public.question", slug=following))


@bp.route("/report", methods=["GET", "POST"])
@public_forms
def choose_kind() -> Any:
    if request.method == "GET":
        kind = _known_kind()
        return drawn_page(("kind", kind), lambda: _kind_page(KindForm(data={"kind": kind} if kind else None)))
    draft = _current_draft()
    form = KindForm()
    if form.validate_on_submit():
        if draft is None or draft.kind != form.kind.data:
            state = drafts.start_draft(form.kind.data)
            session[DRAFT_KEY] = state.id
            # A new report: the last one's confirmation is done. The session is not permanent:
            # its cookie ends when the browser closes, and the draft keeps its own lifetime.
            session.pop(SUBMITTED_KEY, None)
            session.pop(SUBMITTED_AT_KEY, None)
            progress.remember(state)
        return redirect(url_for("public.question", slug=PAGES[0].slug))
    return _kind_page(form)


def _known_kind() -> str | None:
    """The kind of the resident's live draft, from their progress if it can be read, else the draft."""
    draft_id = session.get(DRAFT_KEY)
    if not draft_id:
        return None
    known = progress.recall(draft_id, utcnow())
    if known is not None:
        return known.kind
    draft = drafts.load_draft(draft_id)
    return draft.kind if draft else None


def _kind_page(form: KindForm) -> str:
    return render_template("public/choose_kind.html", form=form)


@bp.route("/report/<slug>", methods=["GET", "POST"])
@public_forms
def question(slug: str) -> Any:
    page = PAGES_BY_SLUG.get(slug)
    if page is None:
        abort(404)
    if request.method == "GET" and page.form is not None:
        known = progress.recall(session.get(DRAFT_KEY), utcnow())
        if known is not None and slug not in known.completed:
            # Not answered yet: shown from the resident's progress, without reading the draft.
            return _earlier_page_first(page, known.completed) or _unanswered(page, known.kind)
    draft = _current_draft()
    if draft is None:
        return _expired()
    earlier = _earlier_page_first(page, draft.completed)
    if earlier is not None:
        return earlier
    if page.form is None:
        return _evidence_page(draft)

    form_class = page.form_for(draft.kind)
    if request.method == "GET":
        initial = form_class.initial(draft.answers)
        if initial == form_class.initial({}):
            return _unanswered(page, draft.kind)
        return _question_page(draft.kind, slug, form_class(data=initial))
    form = form_class()
    if form.validate_on_submit():
        return _after_page(drafts.save_page(draft, slug, form.merged(draft.answers)), slug)
    return _question_page(draft.kind, slug, form)


def _earlier_page_first(page: Page, completed: Sequence[str]) -> Response | None:
    """The way to the first page not yet answered, if it comes before ``page``."""
    missing = first_incomplete(completed)
    if missing in [p.slug for p in PAGES[: PAGES.index(page)]]:
        return redirect(url_for("public.question", slug=missing))
    return None


def _unanswered(page: Page, kind: str) -> Any:
    """A question page with nothing answered on it yet: the same for every resident with this kind
    of report, so drawn once (portal/web/drawn_pages.py)."""
    form_class = page.form_for(kind)
    key = ("question", page.slug, kind, _is_change())
    return drawn_page(key, lambda: _question_page(kind, page.slug, form_class(data=form_class.initial({}))))


def _question_page(kind: str, slug: str, form: JourneyForm) -> str:
    return render_template(f"public/{slug}.html", form=form, **_page_context(kind, slug))


def _evidence_page(draft: Draft) -> Any:
    if request.method == "GET" and not draft.attachments:
        key = ("question", "evidence", draft.kind, _is_change())
        return drawn_page(key, lambda: _evidence_form_page(draft, EvidenceForm()))
    form = EvidenceForm()
    if form.validate_on_submit():
        uploads = [
            (f.stream, f.filename or "") for f in request.files.getlist(form.files.name) if f and f.filename
        ]
        if form.upload.data and not uploads:
            form.files.errors = ["Select a file to upload"]
        elif refused := evidence.add_uploads(draft, uploads):
            form.files.errors = [refused]
        elif form.upload.data:
            return redirect(_evidence_url())
        else:
            return _after_page(drafts.save_page(draft, "evidence", {}), "evidence")
    return _evidence_form_page(draft, form)


def _evidence_form_page(draft: Draft, form: EvidenceForm) -> str:
    return render_template(
        "public/evidence.html",
        form=form,
        remove_form=ConfirmForm(),
        limit=current_app.config["UPLOAD_MAX_FILES"],
        draft=draft,
        **_page_context(draft.kind, "evidence"),
    )


@bp.post("/report/evidence/<int:attachment_id>/remove")
@public_forms
def remove_evidence(attachment_id: int) -> Any:
    draft = _current_draft()
    if draft is None:
        return _expired()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not evidence.remove_from_draft(draft, attachment_id):
        abort(404)
    return redirect(_evidence_url())


@bp.route("/report/check", methods=["GET", "POST"])
@public_forms
@limiter.limit(
    lambda: str(current_app.config["SUBMISSION_LIMIT_PER_ADDRESS"]), methods=["POST"], deduct_when=_sent
)
def check_answers() -> Any:
    draft_id = session.get(DRAFT_KEY)
    draft = drafts.load_draft(draft_id)
    if draft is None:
        if draft_id and submission_for_draft(draft_id):
            # Send pressed again (or twice at once), or the page after Send was lost on its way
            # and the resident opened this one again: the report is already made.
            return _confirm(draft_id)
        if request.method == "POST" and DRAFT_KEY not in session and session.get(SUBMITTED_KEY):
            return redirect(url_for("public.confirmation"))
        return _expired()
    missing = first_incomplete(draft.completed)
    if missing is not None:
        return redirect(url_for("public.question", slug=missing))
    form = ConfirmForm()
    problem: ContractError | None = None
    if form.validate_on_submit():
        sent_id = draft.id  # the draft object is gone once sent; keep its id
        try:
            submit_draft(sent_id)
        except DraftExpired:
            if submission_for_draft(sent_id):
                return _confirm(sent_id)
            return _expired()
        except ContractError as error:
            problem = error
        else:
            return _confirm(sent_id)
    return render_template(
        "public/check.html",
        form=form,
        sections=summary_sections(draft),
        problem=problem,
        problem_page=page_for_field(problem.field) if problem else None,
        draft=draft,
        back_url=url_for("public.question", slug=PAGES[-1].slug),
    )


def _confirm(draft_id: str) -> Response:
    """Remember which report this browser sent, and when (by its draft's random id, nothing readable)."""
    session.pop(DRAFT_KEY, None)
    progress.forget()
    session[SUBMITTED_KEY] = draft_id
    session[SUBMITTED_AT_KEY] = int(time.time())
    return redirect(url_for("public.confirmation"))


def _confirmation_shown_until() -> float:
    sent_at = session.get(SUBMITTED_AT_KEY)
    if not isinstance(sent_at, int):
        return 0  # sent before the window was kept: shown no longer
    return sent_at + current_app.config["CONFIRMATION_MINUTES"] * 60


@bp.get("/report/confirmation")
def confirmation() -> Any:
    if SUBMITTED_KEY in session and time.time() >= _confirmation_shown_until():
        # On a shared device the next person must not read the reference: the session forgets
        # which report it sent, and the page says only that one was sent.
        session.pop(SUBMITTED_KEY, None)
        session.pop(SUBMITTED_AT_KEY, None)
        return render_template("public/sent.html")
    submitted = submission_for_draft(session.get(SUBMITTED_KEY))
    if submitted is None:
        return redirect(url_for("public.start"))
    return render_template(
        "public/confirmation.html",
        submitted=submitted,
        wording=wording_for(submitted.kind),
    )
