"""Light and dark: the palette toggle, and text that stays readable in both palettes.

The contrast checks follow WCAG 2: a text colour is composited over its effective background (the
element's own background and those of its ancestors, down to the first opaque one), and the ratio of
their relative luminances must be at least 4.5:1 (level AA for normal-size text).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import nav_pages

AA = 4.5
SCHEMES = {"light": "default", "dark": "slate"}  # the reader's system scheme -> Material's scheme
EXECUTED_OUTPUT = ".md-typeset .exec-block > .highlight:not(:has(> .filename))"
# Each kind of element whose text must stay readable -> CSS selector of the elements holding it.
# Every visible element below one of these that holds text of its own is measured (text in a tab
# that is not selected is hidden, so the selected tab's is what a reader sees).
KINDS = {
    "executed output": f"{EXECUTED_OUTPUT} code",
    "run-time label": ".md-typeset .exec-time",
    "tab label": ".md-typeset .tabbed-labels > label",
    "admonition": ".md-typeset .admonition, .md-typeset details",
}
ADMONITION_TITLES = {"참고", "팁", "주의"}  # note, tip, warning
# Pages that hold every kind between them (test_the_pages_hold_every_kind checks they still do).
CONTRAST_PAGES = ["steps/training/", "steps/data/", "more/testing/", ""]

# Returns [{text, color, background, ratio}] for the text of each element matching the selector
# and of its descendants, or for the ::before text of the matches when a pseudo-element is named.
CONTRAST_JS = """
([selector, pseudo]) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const rgba = (css) => {  // any CSS colour -> [r, g, b, a] in 0..1, as the browser parses it
    context.clearRect(0, 0, 1, 1);
    context.fillStyle = "rgba(0, 0, 0, 0)";
    context.fillStyle = css;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
    return [r / 255, g / 255, b / 255, a / 255];
  };
  const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
  const luminance = (color) => {
    const [r, g, b] = color.slice(0, 3).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const hex = (color) => "#" + color.slice(0, 3).map((c) => Math.round(c * 255).toString(16).padStart(2, "0")).join("");
  // Background layers from the element up to the first opaque one, composited bottom-up.
  const background = (element, pseudoStyle) => {
    const layers = pseudoStyle ? [rgba(pseudoStyle.backgroundColor)] : [];
    for (let node = element; node; node = node.parentElement) {
      layers.push(rgba(getComputedStyle(node).backgroundColor));
      if (layers[layers.length - 1][3] === 1) break;
    }
    if (layers[layers.length - 1][3] !== 1) return null;
    return layers.reverse().reduce((below, layer) => over(layer, below));
  };
  const opacity = (element) => {
    let product = 1;
    for (let node = element; node; node = node.parentElement) product *= Number(getComputedStyle(node).opacity);
    return product;
  };
  const measure = (element, text, style) => {
    const back = background(element, pseudo ? style : null);
    if (!back) return {text, color: style.color, background: null, ratio: 0};
    const [r, g, b, a] = rgba(style.color);
    const fore = over([r, g, b, a * opacity(element)], back);
    const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    return {text, color: hex(fore), background: hex(back), ratio: (light + 0.05) / (dark + 0.05)};
  };
  const visible = (element) => element.getClientRects().length > 0;
  const results = [];
  for (const match of document.querySelectorAll(selector)) {
    if (!visible(match)) continue;
    if (pseudo) {
      const style = getComputedStyle(match, pseudo);
      const text = style.content.replace(/^"|"$/g, "");
      if (style.content !== "none") results.push(measure(match, text, style));
      continue;
    }
    for (const element of [match, ...match.querySelectorAll("*")]) {
      const own = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
      const text = own.map((node) => node.textContent).join("").trim();
      if (text && visible(element)) results.push(measure(element, text.slice(0, 40), getComputedStyle(element)));
    }
  }
  return results;
}
"""


@contextmanager
def page_in(browser: Browser, system_scheme: str) -> Iterator[Page]:
    """A fresh reader (nothing stored) whose system prefers system_scheme."""
    context = browser.new_context(color_scheme=system_scheme)
    try:
        yield context.new_page()
    finally:
        context.close()


def scheme(page: Page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def media(page: Page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-media')")


def toggle(page: Page) -> str:
    """Press the palette toggle as a reader does; returns the name it showed (what pressing it does)."""
    label = page.locator("[data-md-component=palette] label:visible")
    assert label.count() == 1, "exactly one toggle shows at a time"
    name = label.get_attribute("title")
    if name is None:  # content.tooltips moved the title into a tooltip element the label points to
        name = page.locator(f"#{label.get_attribute('aria-describedby')}").text_content().strip()
    label.click()
    return name


# The toggle


@pytest.mark.parametrize("system_scheme", SCHEMES)
def test_a_first_visit_follows_the_system_scheme(served_site, browser, system_scheme):
    with page_in(browser, system_scheme) as page:
        page.goto(served_site, wait_until="networkidle")
        assert media(page) == f"(prefers-color-scheme: {system_scheme})"
        assert scheme(page) == SCHEMES[system_scheme]


@pytest.mark.parametrize("system_scheme", SCHEMES)
def test_every_press_of_the_toggle_changes_the_palette_and_the_choice_is_kept(served_site, browser, system_scheme):
    # No press that changes nothing: with a third, automatic state, the first press on a light system chose light.
    other = "dark" if system_scheme == "light" else "light"
    names = {"light": "밝은 화면으로 바꾸기", "dark": "어두운 화면으로 바꾸기"}
    with page_in(browser, system_scheme) as page:
        page.goto(served_site, wait_until="networkidle")
        steps = [(toggle(page), scheme(page)), (toggle(page), scheme(page))]
        assert steps == [(names[other], SCHEMES[other]), (names[system_scheme], SCHEMES[system_scheme])]
        toggle(page)  # the other palette, chosen against the system's
        page.goto(served_site + "steps/training/", wait_until="networkidle")
        assert scheme(page) == SCHEMES[other], "kept on the next page"
        page.reload(wait_until="networkidle")
        assert scheme(page) == SCHEMES[other], "kept after a reload"


# Contrast


def measure_kinds(page: Page) -> dict[str, list[dict]]:
    found = {kind: page.evaluate(CONTRAST_JS, [selector, None]) for kind, selector in KINDS.items()}
    found["실행 결과 marking"] = page.evaluate(CONTRAST_JS, [f"{EXECUTED_OUTPUT} > pre", "::before"])
    return found


@pytest.fixture(scope="module")
def contrast(served_site, browser) -> dict[tuple[str, str], dict[str, list[dict]]]:
    """(system scheme, page) -> kind -> measurements, every CONTRAST_PAGES page in each palette."""
    measured = {}
    for system_scheme in SCHEMES:
        with page_in(browser, system_scheme) as page:
            for path in CONTRAST_PAGES:
                page.goto(served_site + path, wait_until="networkidle")
                assert scheme(page) == SCHEMES[system_scheme]
                # A first visit starts light and switches: let colour transitions end before measuring.
                page.wait_for_function("document.getAnimations().every((a) => a.playState !== 'running')")
                measured[system_scheme, path] = measure_kinds(page)
    return measured


def test_the_pages_hold_every_kind(contrast):
    assert set(CONTRAST_PAGES) <= set(nav_pages())
    for system_scheme in SCHEMES:
        pages = [kinds for (palette, _), kinds in contrast.items() if palette == system_scheme]
        for kind in [*KINDS, "실행 결과 marking"]:
            assert any(kinds[kind] for kinds in pages), f"no {kind} measured in the {system_scheme} palette"
        markings = {result["text"] for kinds in pages for result in kinds["실행 결과 marking"]}
        assert markings == {"실행 결과"}, markings
        admonition_text = {result["text"] for kinds in pages for result in kinds["admonition"]}
        assert ADMONITION_TITLES <= admonition_text, "참고, 팁 and 주의 are all measured"
        labels = {result["text"] for kinds in pages for result in kinds["tab label"]}
        assert {"PyTorch", "Lightning"} <= labels, labels


@pytest.mark.parametrize("system_scheme", SCHEMES)
def test_text_contrast_meets_wcag_aa(contrast, system_scheme):
    rows, failures = [], []
    for (palette, path), kinds in contrast.items():
        if palette != system_scheme:
            continue
        for kind, results in kinds.items():
            if not results:
                continue
            worst = min(results, key=lambda result: result["ratio"])
            rows.append(
                f"  {path or '/':20} {kind:20} {len(results):4}  {worst['ratio']:5.2f}  "
                f"{worst['color']} on {worst['background']}  {worst['text']!r}"
            )
            failures += [(path, kind, result) for result in results if result["ratio"] < AA]
    print(f"\n{system_scheme} palette ({SCHEMES[system_scheme]}): page, kind, texts measured, lowest ratio")
    print("\n".join(rows))
    assert rows
    assert failures == []
