"""What every page a journey visits must pass: axe (WCAG 2.2 A and AA) at desktop width and at 320
CSS pixels, its title, and reflow at 320 CSS pixels. Each visit also leaves a screenshot for a reviewer
to look through.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Locator, Page, Route

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PACKAGE = PROJECT_ROOT / "node_modules" / "axe-core"
AXE_SCRIPT = AXE_PACKAGE / "axe.min.js"  # pinned in package.json; `make assets` installs it
# Git-ignored; the README names it. Emptied at the start of each run.
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# The success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe tags its rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
REFLOW_WIDTH = 320  # CSS pixels: a 1280-pixel-wide window at 400% zoom
DESKTOP = {"width": 1280, "height": 900}
FOCUS_YELLOW = "rgb(255, 221, 0)"  # the GOV.UK focus colour

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')),
  }));
}"""

_SIDEWAYS_SCROLL = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .map(el => {
      const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
      return [el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), ...classes].join('.');
    });
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, elements: wide.slice(0, 8)};
}"""

# Whether the focused element shows where focus is: GOV.UK draws focus in yellow (a background,
# border or shadow), text fields add an outline, and radios and checkboxes draw it on the label's
# ::before box, since the real input is transparent.
_FOCUS = """(yellow) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {ok: false, what: 'nothing'};
  const what = el.outerHTML.slice(0, 160);
  const shows = (style) => {
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 &&
      style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent';
    const outlineColour = style.outlineStyle === 'none' ? '' : style.outlineColor;
    return outline || [style.backgroundColor, style.boxShadow, style.borderTopColor, outlineColour]
      .some(value => value && value.includes(yellow));
  };
  if (shows(getComputedStyle(el))) return {ok: true, what};
  if (el.labels && el.labels.length) {
    for (const label of el.labels) {
      for (const pseudo of ['::before', '::after']) {
        if (shows(getComputedStyle(label, pseudo))) return {ok: true, what};
      }
    }
  }
  return {ok: false, what};
}"""


@dataclass
class Visit:
    journey: str
    step: int
    path: str
    title: str
    violations: int
    screenshot: Path


@dataclass
class Visits:
    """The record of every page checked in a run, and the path each title was first seen on."""

    pages: list[Visit] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # title -> the path it was first seen on

    def summary_lines(self) -> list[str]:
        seen: dict[tuple[str, str], int] = {}
        for visit in self.pages:
            key = (visit.path, visit.title)
            seen[key] = seen.get(key, 0) + 1
        lines = [f"{count:>3} x {path}  «{title}»" for (path, title), count in seen.items()]
        failed = sum(visit.violations for visit in self.pages)
        lines.append(
            f"{len(self.pages)} page visits, {len(seen)} distinct pages: "
            f"axe-core {axe_version()} ({', '.join(WCAG_TAGS)}) found {failed} violations"
        )
        return lines

    def write_summary(self, path: Path) -> None:
        rows = [
            "| journey | step | page | title | axe violations | screenshot |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for visit in self.pages:
            shot = visit.screenshot.relative_to(path.parent)
            rows.append(
                f"| {visit.journey} | {visit.step} | `{visit.path}` | {visit.title} | {visit.violations} | "
                f"[{shot}]({shot}) |"
            )
        lines = "\n".join(f"- {line}" for line in self.summary_lines())
        path.write_text(f"# Pages checked\n\n{lines}\n\n" + "\n".join(rows) + "\n", encoding="utf-8")


# The portal's pages reached by a link with a random token in it (an emailed sign-in link, a link to
# continue a report, the satisfaction question): one page whatever the token, so one title.
TOKEN_PAGES = re.compile(r"^(/your-report/sign-in/|/report/continue/|/your-report/satisfaction/)[^/]+$")


def page_key(path: str) -> str:
    """The page ``path`` shows: its path, with a link's random token standing as ``<token>``."""
    return TOKEN_PAGES.sub(r"\1<token>", path)


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "start"


class CheckedPage:
    """A browser tab whose every page is checked by ``check()`` once it has loaded."""

    def __init__(self, page: Page, journey: str, visits: Visits, *, audit: Page | None = None) -> None:
        """``audit`` is a tab with JavaScript on, given when ``page`` has it off (see ``_mirror``)."""
        self.page = page
        self.journey = journey
        self.visits = visits
        self.audit = audit
        self.step = 0
        self.policy_violations: list[str] = []
        self._axe_source = AXE_SCRIPT.read_text(encoding="utf-8")
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.policy_violations.append(message.text)

    # --- moving about ---------------------------------------------------------------------------

    def goto(self, path: str) -> CheckedPage:
        self.page.goto(path)
        return self.check()

    def click(self, target: str | Locator) -> CheckedPage:
        """Follow a link or press a button that loads a new page, then check that page."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            locator.click()
        return self.check()

    def button(self, name: str) -> CheckedPage:
        return self.click(self.page.get_by_role("button", name=name, exact=True))

    def link(self, name: str) -> CheckedPage:
        return self.click(self.page.get_by_role("link", name=name, exact=True))

    # --- what the page shows --------------------------------------------------------------------

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    @property
    def title(self) -> str:
        return self.page.title()

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def errors(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".govuk-error-summary__list a").all_inner_texts()]

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    # --- the checks -----------------------------------------------------------------------------

    def check(self) -> CheckedPage:
        """Check the page now showing: title, axe at desktop width and 320px, reflow; take a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        self.step += 1
        path = self.path
        title = page.title()
        where = f"{self.journey} step {self.step} ({path}, «{title}»)"
        assert not self.policy_violations, (
            f"{where}: Content Security Policy refused {self.policy_violations}"
        )

        self._check_title(title, where)
        shot = SCREENSHOTS / self.journey / f"{self.step:02d}-{_slug(path)}.jpeg"
        page.screenshot(path=shot, full_page=True, type="jpeg", quality=80)  # a third of PNG's time
        target = page if self.audit is None else self._mirror()
        violations = self._axe(target)
        narrow, overflow = self._at_reflow_width(target)
        self.visits.pages.append(
            Visit(self.journey, self.step, path, title, len(violations) + len(narrow), shot)
        )
        for width, found in ((DESKTOP["width"], violations), (REFLOW_WIDTH, narrow)):
            listed = "\n".join(
                f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
            )
            assert not found, f"{where}: at {width} CSS pixels wide axe found WCAG A/AA violations:\n{listed}"
        assert overflow is None, (
            f"{where}: at {REFLOW_WIDTH} CSS pixels wide the page scrolls sideways: {overflow}"
        )
        return self

    def _check_title(self, title: str, where: str) -> None:
        assert title.strip(), f"{where}: the page has no title"
        has_error_summary = page_has(self.page, ".govuk-error-summary")
        if has_error_summary:
            assert title.startswith("Error: "), (
                f"{where}: a page showing errors must have a title beginning 'Error:'"
            )
        else:
            assert not title.startswith("Error"), f"{where}: 'Error:' in the title of a page with no errors"
        # A title names one page: the same title on a different page does not describe either.
        first = self.visits.titles.setdefault(title, page_key(self.path))
        assert first == page_key(self.path), f"{where}: the title is also the title of {first}"

    def _mirror(self) -> Page:
        """The page as a browser without JavaScript shows it, in a tab where axe can run.

        With JavaScript off, Playwright cannot evaluate anything in the page, so axe cannot run
        there. The audit tab loads the same address, answered with this page's HTML and a policy
        that refuses every script: the page's own scripts never run (its DOM stays as a browser
        without JavaScript builds it), while its styles, fonts and images load from the portal.
        """
        assert self.audit is not None
        url, html, title = self.page.url, self.page.content(), self.page.title()

        def answer(route: Route) -> None:
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": "script-src 'none'"},
                body=html,
            )

        def this_page(address: str) -> bool:  # not a glob: addresses have "?" in them
            return address == url

        self.audit.route(this_page, answer)
        try:
            self.audit.goto(url)
        finally:
            self.audit.unroute(this_page)
        assert self.audit.title() == title, f"the audit tab shows {self.audit.title()!r}, not {title!r}"
        return self.audit

    def _axe(self, target: Page) -> list[dict[str, Any]]:
        if not target.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the portal's CSP does not govern: the
            # site keeps its real policy (a <script> tag added to the page would be refused).
            target.evaluate(self._axe_source)
        result: list[dict[str, Any]] = target.evaluate(_RUN_AXE, WCAG_TAGS)
        return result

    def _at_reflow_width(self, target: Page) -> tuple[list[dict[str, Any]], str | None]:
        """At 320 CSS pixels, a phone's width and 400% zoom: axe's violations, and what scrolls sideways.

        The narrow layout is a page of its own: the service navigation folds into a menu, tables
        and summary lists restack, and what is hidden or shown at each width differs.
        """
        target.set_viewport_size({"width": REFLOW_WIDTH, "height": DESKTOP["height"]})
        try:
            return self._axe(target), target.evaluate(_SIDEWAYS_SCROLL)
        finally:
            target.set_viewport_size(DESKTOP)

    # --- the keyboard ---------------------------------------------------------------------------

    def focus_shown(self) -> str:
        """Fail unless the focused element shows it has focus; return a description of it."""
        state = self.page.evaluate(_FOCUS, FOCUS_YELLOW)
        assert state["ok"], f"{self.journey} on {self.path}: focus is not visible on {state['what']}"
        return str(state["what"])

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
        """Press Tab (or Shift+Tab) until ``selector`` has focus, checking focus is visible each time."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.focus_shown()
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(
            f"{self.journey}: {limit} presses of {key} on {self.path} never reached {selector}"
        )

    def press(self, key: str) -> None:
        # The arrow keys move the choice within a group of radios, as they do for a keyboard user.
        allowed = ("Enter", "Space", "Tab", "Shift+Tab", "ArrowDown", "ArrowUp")
        assert key in allowed, f"not a key a keyboard-only journey uses: {key}"
        self.page.keyboard.press(key)
        if "Tab" in key:
            self.focus_shown()

    def press_for_new_page(self, key: str) -> CheckedPage:
        with self.page.expect_navigation():
            self.press(key)
        return self.check()


def axe_version() -> str:
    return str(json.loads((AXE_PACKAGE / "package.json").read_text(encoding="utf-8"))["version"])


def page_has(page: Page, selector: str) -> bool:
    return page.locator(selector).count() > 0
