"""The staff pages at the widths staff use, in both languages (issue 14): a 1280 px laptop and a
1024 px tablet for the supervisor's and the RM's main pages, a 390 px phone for the dossier. The top
bar stays one row with the search whole and uncovered, no table squeezes a column to a character a
line, and charts keep their height. One context and one page per user: each page is loaded once
per language and measured at every width by resizing the window. Screenshots in
test-artifacts/layout/."""

import pytest

from clients.selectors import clients_for_user
from core.models import User
from feedback.selectors import tickets_for_user
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_csp_journeys import settle

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "layout"
NAVBAR_ONE_ROW_MAX = 72  # px: one row is 56-60; the wrapped menu was 96
CHART_MIN, CHART_MAX = 120, 360  # px: a chart's canvas height (stretched ones were 684 and more)
PAGES = {
    "supervisor": [
        "/",
        "/clients/",
        "{dossier}",
        "/feedback/",
        "{ticket}",
        "/service/callbacks/",
        "/analytics/",
    ],
    "rm": [
        "/",
        "/clients/",
        "{dossier}",
        "/feedback/",
        "{ticket}",
        "/service/callbacks/",
        "/analytics/my-figures/",
    ],
}
WIDTHS = (1280, 1024)
PHONE = 390

# Every visible th/td holding text: a text run of two or more characters laid out over several lines
# at fewer than 2.5 characters a line (a column squeezed to a character or two a line), or a cell of
# three or more characters narrower than 2.5em.
SQUEEZED_CELLS = """() => {
  const bad = [];
  for (const cell of document.querySelectorAll("th, td")) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let chars = 0, why = null;
    while (walker.nextNode()) {
      const node = walker.currentNode, text = node.textContent.replace(/\\s+/g, "");
      if (!text || node.parentElement.closest(".visually-hidden, [hidden]")) continue;
      chars += text.length;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
      if (text.length >= 2 && lines >= 2 && text.length / lines < 2.5) why = `${lines} lines`;
    }
    if (!why && chars >= 3 && box.width < 2.5 * em) why = `${Math.round(box.width)} px wide`;
    if (why) bad.push(`${cell.innerText.trim().slice(0, 24)} (${why})`);
  }
  return bad;
}"""

NAVBAR_HEIGHT = """() => document.querySelector("nav.navbar").getBoundingClientRect().height"""

# The search box: inside the window, its whole placeholder fits, and the box is what is under
# its left end, middle and right end (nothing of the menu covers it).
SEARCH_PROBLEMS = """() => {
  const input = document.getElementById("global-search");
  if (!input) return ["no search box"];
  const box = input.getBoundingClientRect(), style = getComputedStyle(input), out = [];
  if (box.width === 0 || box.height === 0) return ["search box hidden"];
  if (box.left < 0 || box.right > document.documentElement.clientWidth) out.push("outside the window");
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const needed = ctx.measureText(input.placeholder).width;
  if (needed > room) out.push(`placeholder cut: needs ${Math.round(needed)} px, has ${Math.round(room)}`);
  const y = box.top + box.height / 2;
  for (const x of [box.left + 3, box.left + box.width / 2, box.right - 3]) {
    if (document.elementFromPoint(x, y) !== input) out.push(`covered at x=${Math.round(x)}`);
  }
  return out;
}"""

CANVAS_HEIGHTS = """() => [...document.querySelectorAll("canvas")]
  .map(c => Math.round(c.getBoundingClientRect().height)).filter(h => h > 0)"""


def _ids(username: str) -> dict[str, str]:
    user = User.objects.get(username=username)
    client = clients_for_user(user=user).order_by("pk").first()
    ticket = tickets_for_user(user=user).order_by("pk").first()
    assert client is not None and ticket is not None, (
        f"the demo bank gives {username} a client and a ticket"
    )
    return {"dossier": f"/clients/{client.pk}/", "ticket": f"/feedback/tickets/{ticket.reference}/"}


def _measure(page, *, phone: bool = False) -> list[str]:
    page.wait_for_timeout(200)  # Chart.js and the layout follow a resize on the next frames
    problems = [f"squeezed cell: {c}" for c in page.evaluate(SQUEEZED_CELLS)]
    heights = page.evaluate(CANVAS_HEIGHTS)
    problems += [f"chart {h} px tall" for h in heights if not CHART_MIN <= h <= CHART_MAX]
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            problems.append(f"page {width} px wide on a {PHONE} px phone")
        return problems
    height = page.evaluate(NAVBAR_HEIGHT)
    if height > NAVBAR_ONE_ROW_MAX:
        problems.append(f"navbar {height:.0f} px tall (wrapped)")
    problems += [f"search: {p}" for p in page.evaluate(SEARCH_PROBLEMS)]
    return problems


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_main_pages_fit_laptop_tablet_and_phone_in_both_languages(
    demo_bank, sign_in, live_server, page
):
    problems: list[str] = []
    for username, paths in PAGES.items():
        ids = _ids(username)
        page.context.clear_cookies()
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        sign_in(username)
        for language in ("zh-hans", "en"):
            # The language a signed-in user reads is their profile's, set on every request.
            User.objects.filter(username=username).update(language=language)
            for path in paths:
                url = path.format(**ids)
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                page.goto(live_server.url + url)
                settle(page)  # the dossier's panels, fetched as they come near
                slug = url.strip("/").replace("/", "_") or "home"
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    problems += [
                        f"{username} {language} {width} {url}: {p}" for p in _measure(page)
                    ]
                    _shot(page, f"{username}-{language}-{width}-{slug}")
                if path == "{dossier}":
                    page.set_viewport_size({"width": PHONE, "height": 844})
                    problems += [
                        f"{username} {language} {PHONE} {url}: {p}"
                        for p in _measure(page, phone=True)
                    ]
                    _shot(page, f"{username}-{language}-{PHONE}-{slug}")
    assert problems == [], "\n".join(problems)
