"""All HTML handling of officers' text goes through here (bleach), so it can be swapped in one place.

Notes and updates are plain text: shown with their line breaks, and with web addresses turned
into safe links. Nothing the officer types can become markup.
"""

from __future__ import annotations

import bleach
from bleach.linkifier import Linker
from markupsafe import Markup, escape

_SAFE_SCHEMES = ("http", "https", "mailto")


def _safe_link(
    attrs: dict[tuple[str | None, str], str], new: bool = False
) -> dict[tuple[str | None, str], str] | None:
    href = attrs.get((None, "href"), "")
    if href.split(":", 1)[0].lower() not in _SAFE_SCHEMES:
        return None  # not a link we make: leave the text as text
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    attrs[(None, "class")] = "govuk-link"
    return attrs


_LINKER = Linker(callbacks=[_safe_link], parse_email=True)


def plain_text_to_html(text: str) -> Markup:
    """Officer's plain text as HTML: escaped, links made clickable, line breaks kept."""
    escaped = str(escape(text.replace("\r\n", "\n")))
    linked = _LINKER.linkify(escaped)
    # linkify only adds <a> elements; clean() confirms nothing else got through.
    cleaned = bleach.clean(
        linked,
        tags={"a"},
        attributes={"a": ["href", "rel", "class"]},
        protocols=list(_SAFE_SCHEMES),
        strip=True,
    )
    with_breaks = cleaned.replace("\n", "<br>\n")
    return Markup(with_breaks)  # noqa: S704  # nosec B704  (escaped and cleaned above)
