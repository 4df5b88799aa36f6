"""Undefined names in our own templates, noticed while the suite renders pages.

Jinja's ``StrictUndefined`` would make every such use an error, but the GOV.UK macro and page
templates rely on undefined parameters throughout (``template.html`` tests ``htmlClasses``, which a
page need not set). So the suite's apps use ``RecordingUndefined``: as lenient as Jinja's default
everywhere, and it remembers each undefined value that one of OUR templates (``templates/``) prints,
tests, iterates or compares. Asking ``is defined`` or giving a ``default`` is not a use.
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

from jinja2 import Undefined

from portal.config import PROJECT_ROOT

OUR_TEMPLATES = str(PROJECT_ROOT / "templates") + os.sep
# Compiled templates run as code whose file name is the template's own.
TEMPLATE_SUFFIXES = (".html", ".txt")


class RecordingUndefined(Undefined):
    """Jinja's default ``Undefined``, remembering each use in one of our templates."""

    __slots__ = ()
    used: ClassVar[list[tuple[str, str]]] = []

    def _record(self) -> None:
        frame = sys._getframe(2)  # past _record and the special method that called it
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.endswith(TEMPLATE_SUFFIXES):
                # The nearest template is the one that used the value: inside a GOV.UK macro, an
                # undefined parameter is the macro's business.
                template = frame.f_globals.get("__jinja_template__")
                if filename.startswith(OUR_TEMPLATES) and template is not None:
                    line = template.get_corresponding_lineno(frame.f_lineno)
                    self.used.append((f"{template.name}:{line}", self._undefined_message))
                return
            frame = frame.f_back

    def __str__(self) -> str:
        self._record()
        return super().__str__()

    def __bool__(self) -> bool:
        self._record()
        return super().__bool__()

    def __iter__(self) -> Any:
        self._record()
        return super().__iter__()

    def __len__(self) -> int:
        self._record()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._record()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        self._record()
        return super().__ne__(other)

    __hash__ = Undefined.__hash__
