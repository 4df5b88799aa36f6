"""The residents' feedback page: parse the form, keep the answer, and say thank you."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from portal.feedback import bp
from portal.feedback.forms import FeedbackForm
from portal.feedback.operations import COMMENT_MAX, record_feedback
from portal.web.limits import public_forms


@bp.route("/feedback", methods=["GET", "POST"])
@public_forms
def give_feedback() -> Any:
    form = FeedbackForm()
    if form.validate_on_submit():
        record_feedback(form.satisfaction.data, form.comment.data or "")
        return redirect(url_for("feedback.thank_you"))
    return render_template("feedback/give.html", form=form, comment_max=COMMENT_MAX)


@bp.get("/feedback/sent")
def thank_you() -> Any:
    return render_template("feedback/sent.html")
