"""The portal's caches, all in one place: what each keeps, its bound, and the one setting that turns
them all off (``CACHES``, on by default; ``CACHES=off`` draws every page and reads every draft
afresh, which is slower and otherwise the same: ``tests/web/test_caches.py`` proves the pages equal).

Each process keeps, for the pages residents see most (docs/performance.md):

- ``widgets``: drawn GOV.UK form widgets that hold only our wording and chosen values, never what
  someone typed (``portal/web/forms.py``), within ``WIDGET_CACHE_CHARS`` characters;
- ``pages``: whole pages that hold nobody's answers, kept with the response's CSP nonce and CSRF
  token cut out (``portal/web/drawn_pages.py``), within ``PAGE_CACHE_CHARS`` characters.

A third saving is kept in the resident's own cookie rather than here: the progress note of
``portal/public/progress.py``, which spares a question page reading its draft. It follows the same
setting: with caches off, the draft is read.

Each cache drops its oldest entries first once it holds more entries or characters than its bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

_EXTENSION = "portal_caches"


@dataclass(frozen=True)
class Bound:
    entries: int
    chars_setting: str  # the setting that bounds the characters kept


BOUNDS = {
    "widgets": Bound(entries=4096, chars_setting="WIDGET_CACHE_CHARS"),
    # The keys come from a small, fixed set of our own choices: the entries are only a backstop.
    "pages": Bound(entries=512, chars_setting="PAGE_CACHE_CHARS"),
}


class BoundedCache:
    """Values kept by key, oldest dropped first: at most ``entries`` of them and ``chars`` characters
    of keys and values together, as each value's size is given when it is kept."""

    def __init__(self, entries: int, chars: int) -> None:
        self.entries, self.bound = entries, chars
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.chars = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable) -> Any | None:
        found = self._values.get(key)
        return None if found is None else found[0]

    def values(self) -> list[Any]:
        return [value for value, _size in list(self._values.values())]

    def keep(self, key: Hashable, value: Any, size: int) -> None:
        size += len(key) if isinstance(key, str) else len(repr(key))
        if size > self.bound:
            return  # bigger than the whole cache may be (and with a bound of 0, everything is)
        with self._lock:
            if key in self._values:
                return
            self._values[key] = (value, size)
            self.chars += size
            while len(self._values) > self.entries or self.chars > self.bound:
                _old, (_value, old_size) = self._values.popitem(last=False)
                self.chars -= old_size


def enabled() -> bool:
    return bool(current_app.config["CACHES_ENABLED"])


def named(name: str) -> BoundedCache | None:
    """This app's cache ``name``, made on first use within its bound; None while caches are off."""
    if not enabled():
        return None
    caches: dict[str, BoundedCache] = current_app.extensions.setdefault(_EXTENSION, {})
    cache = caches.get(name)
    if cache is None:
        bound = BOUNDS[name]
        cache = caches.setdefault(
            name, BoundedCache(bound.entries, int(current_app.config[bound.chars_setting]))
        )
    return cache


def clear(app: Flask) -> None:
    """Forget everything kept, as a restart would (after a deployment changes a template, say)."""
    app.extensions.pop(_EXTENSION, None)
