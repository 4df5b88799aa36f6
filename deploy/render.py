"""Fill in the deployment templates: every ``@NAME@`` in them is replaced by the value given for NAME.

    .venv/bin/python -m deploy.render VALUES OUTPUT_FOLDER

VALUES is a file of NAME=value lines (start from deploy/values.example). Each template in
TEMPLATES is written under OUTPUT_FOLDER at the same relative path, e.g. OUTPUT_FOLDER/nginx/
do-it-online.conf. A name a template uses with no value, or a value no template uses, is an error,
so a rendered file never keeps a placeholder and a mistyped name is never ignored. The tests render
these same templates to serve the portal through nginx.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
TEMPLATES = (
    "nginx/do-it-online.conf",
    "portal.env",
    "systemd/do-it-online.service",
    "systemd/do-it-online-mail.service",
    "systemd/do-it-online-drafts.service",
    "systemd/do-it-online-drafts.timer",
    "systemd/do-it-online-retention.service",
    "systemd/do-it-online-retention.timer",
)
# Rendered readable by their owner only.
SECRET_FILES = frozenset({"portal.env"})
PLACEHOLDER = re.compile(r"@([A-Z][A-Z_]*)@")


class RenderError(ValueError):
    """The values given do not fit the templates."""


def placeholders(text: str) -> set[str]:
    """The names a template asks for."""
    return set(PLACEHOLDER.findall(text))


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value; a name with no value is an error."""
    missing = sorted(placeholders(text) - set(values))
    if missing:
        raise RenderError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def render_all(values: Mapping[str, str], output: Path) -> list[Path]:
    """Render every template into ``output``; every value must be used by some template."""
    used: set[str] = set()
    texts = {}
    for name in TEMPLATES:
        text = (DEPLOY / name).read_text()
        used |= placeholders(text)
        texts[name] = render(text, values)
    unused = sorted(set(values) - used)
    if unused:
        raise RenderError(f"no template uses {', '.join(unused)}")
    written = []
    for name, text in texts.items():
        path = output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # The settings file holds the secret key and the database password: its owner alone reads it.
        mode = 0o600 if name in SECRET_FILES else 0o644
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "w") as out:
            out.write(text)
        path.chmod(mode)
        written.append(path)
    return written


def read_values(path: Path) -> dict[str, str]:
    """NAME=value lines; blank lines and lines starting with # are skipped."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise RenderError(f"{path}:{number}: expected NAME=value")
        values[name.strip()] = value.strip()
    return values


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        for path in render_all(read_values(Path(argv[0])), Path(argv[1])):
            print(path)
    except RenderError as error:
        print(f"deploy.render: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
