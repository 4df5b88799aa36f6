"""Fill in a deployment template: every ``@NAME@`` in it is replaced by the value given for NAME.

    .venv/bin/python -m deploy.render TEMPLATE OUTPUT --set NAME=VALUE [--set NAME=VALUE ...]

A name in the template with no value, or a value for a name the template does not use, is an
error, so a rendered file never keeps a placeholder and a mistyped name is never ignored. The
tests render these same templates to serve the portal through nginx.
"""

from __future__ import annotations

import argparse
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
PLACEHOLDER = re.compile(r"@([A-Z][A-Z_]*)@")


class RenderError(ValueError):
    """The values given do not fit the template."""


def placeholders(text: str) -> set[str]:
    """The names a template asks for."""
    return set(PLACEHOLDER.findall(text))


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``@NAME@`` replaced by ``values[NAME]``; names must match exactly."""
    wanted = placeholders(text)
    missing = sorted(wanted - set(values))
    unused = sorted(set(values) - wanted)
    if missing:
        raise RenderError(f"no value for {', '.join(missing)}")
    if unused:
        raise RenderError(f"the template has no {', '.join(unused)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def render_file(template: Path, output: Path, values: Mapping[str, str]) -> None:
    """Render ``template`` with the values it uses (others are ignored) and write ``output``."""
    text = template.read_text()
    used = {name: value for name, value in values.items() if name in placeholders(text)}
    output.write_text(render(text, used))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="values")
    args = parser.parse_args(argv)
    values = {}
    for item in args.values:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set {item!r} must be NAME=VALUE")
        values[name] = value
    try:
        args.output.write_text(render(args.template.read_text(), values))
    except RenderError as error:
        print(f"{args.template}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
