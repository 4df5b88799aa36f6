"""Leaving nothing on a shared device: clearing a resident's answers, and continuing with a link.

"Clear my answers from this device" deletes the unfinished draft and its files (a resident who
wants to carry on elsewhere asks for a link first; keeping a draft nobody can reach would only
keep their words longer) and empties the session. A link to continue is emailed only to an
address the resident said is safe; the page that asks for one says the same whatever happened.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for

from portal.extensions import limiter
from portal.public import bp, progress
from portal.public.forms import ConfirmForm, ResumeLinkForm
from portal.public.journey import first_incomplete
from portal.public.journey_views import DRAFT_KEY
from portal.reports import drafts
from portal.triage.contract import normalise_email
from portal.web.limits import public_forms


@bp.post("/report/clear-answers")
@public_forms
def clear_answers() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft_id = session.get(DRAFT_KEY)
    if draft_id:
        drafts.delete_draft(draft_id)
    session.clear()  # the draft's id, the progress, a sent report's reference and the token
    return redirect(url_for("public.answers_cleared"))


@bp.get("/report/cleared")
def answers_cleared() -> Any:
    # What was cleared, and so its kind, is unknown now: offer the exit, as a safety concern's pages do.
    return render_template("public/cleared.html")


def _resume_email_key() -> str:
    """Requests for links count per email address too, so nobody can flood someone's inbox."""
    return "resume:" + normalise_email(str(request.form.get("email", "")))[:254]


@bp.route("/report/continue", methods=["GET", "POST"])
@public_forms
@limiter.limit(lambda: str(current_app.config["RESUME_LINK_LIMIT_PER_ADDRESS"]), methods=["POST"])
@limiter.limit(
    lambda: str(current_app.config["RESUME_LINK_LIMIT_PER_EMAIL"]),
    key_func=_resume_email_key,
    methods=["POST"],
)
def request_resume_link() -> Any:
    form = ResumeLinkForm()
    if form.validate_on_submit():
        drafts.send_resume_link(form.email.data)
        return redirect(url_for("public.resume_link_sent"))
    return render_template("public/resume_request.html", form=form)


@bp.get("/report/continue/sent")
def resume_link_sent() -> Any:
    return render_template("public/resume_sent.html", minutes=current_app.config["RESUME_LINK_MINUTES"])


@bp.route("/report/continue/<token>", methods=["GET", "POST"])
@public_forms
def resume(token: str) -> Any:
    """The emailed link. Opening it shows a button: a mail scanner that follows links spends nothing."""
    form = ConfirmForm()
    if request.method == "GET":
        if not drafts.resume_link_works(token):
            return render_template("public/resume_link_used.html"), 410
        return render_template("public/resume.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    state = drafts.use_resume_link(token)
    if state is None:
        return render_template("public/resume_link_used.html"), 410
    session.clear()  # nothing from before, on this device, carries over into the draft's session
    session[DRAFT_KEY] = state.id
    progress.remember(state)
    missing = first_incomplete(state.completed)
    if missing is None:
        return redirect(url_for("public.check_answers"))
    return redirect(url_for("public.question", slug=missing))
