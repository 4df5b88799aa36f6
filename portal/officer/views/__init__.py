"""The back-office's pages, one module per feature; importing them registers their routes on the
officer blueprint.

``case_page`` (one case, its evidence files, and how a change from it ends), ``casework`` (claim,
assign, status, first contact, re-route, notes, updates), ``records`` (the records of the work),
``queue``, ``exports`` (the queue CSV and the record of downloads), ``agenda`` (the tasking meeting),
``case_review`` (ASB Case Review applications and their threshold decisions), ``case_review_steps``
(an ASB Case Review's steps after its threshold decision, and its yearly figures), ``accounts``,
``sign_in``, ``policy``, ``feedback`` (residents' feedback on the service) and ``resident_code`` (a
code for a resident to sign in and see their report).
"""

from portal.officer.views import (  # noqa: F401  (registers the routes)
    accounts,
    agenda,
    case_page,
    case_review,
    case_review_steps,
    casework,
    exports,
    feedback,
    policy,
    queue,
    records,
    resident_code,
    sign_in,
)
