"""WCAG 2.1 level AA (EN 301 549) in headless Chromium: every page of the offline site, every slide deck and
notebook 03 in presentation mode, checked with axe-core (node_modules/axe-core, pinned in package-lock.json) and
by the structure a screen reader relies on; a keyboard-only run of presentation mode.

axe runs the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa; a test fails on any violation axe rates serious
or critical. Images are counted apart: without a text alternative, or with a placeholder (nbconvert's "No
description has been provided for this image" or utils.style.DESCRIPTION_TO_WRITE): either is a failure.
Needs chromium, playwright and node_modules (`npm ci`); each test prints its table.
"""
import re

import pytest

import publish  # scripts/publish.py
from helpers import (NOTEBOOKS, ROOT, TYPESET, need_node_modules, offline_page, readout, start_present, stop,
                     wait_for_change, widget_output)
from utils import style

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"
PLACEHOLDERS = (NBCONVERT_PLACEHOLDER, style.DESCRIPTION_TO_WRITE)

RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
    .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                       where: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"""
# What a screen reader gets from each image: its accessible name as axe's rule image-alt sees it.
IMAGES = """() => [...document.images].map(i => ({
    alt: i.getAttribute('alt'), title: i.getAttribute('title'), label: i.getAttribute('aria-label')}))"""
STRUCTURE = """() => ({
    lang: document.documentElement.lang,
    h1: document.querySelectorAll('h1').length,
    levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1])),
    main: document.querySelectorAll('main, [role=main]').length,
    links: [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length)
        .map(a => (a.getAttribute('aria-label') || a.textContent).trim()),
    math: document.querySelectorAll('mjx-container').length,
    assistive: document.querySelectorAll('mjx-container mjx-assistive-mml').length})"""


def axe(page):
    """axe-core's WCAG 2.1 A/AA violations on `page` as loaded now: [{id, impact, nodes, where}]."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def blocking(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def image_counts(page):
    """(images, without any text alternative, with a placeholder) on `page`."""
    images = page.evaluate(IMAGES)
    named = [(i["alt"] if i["alt"] is not None else i["label"] or i["title"] or "").strip() for i in images]
    missing = sum(1 for i, n in zip(images, named) if i["alt"] is None and not n)
    placeholder = sum(1 for n in named if n in PLACEHOLDERS)
    return len(images), missing, placeholder


def need_axe():
    need_node_modules()
    assert AXE.is_file(), f"{AXE} is missing: npm ci --no-audit --no-fund"


def report(title, rows):
    """Print a table: page, serious/critical violations (ids), images, without alt, placeholders."""
    print(f"\n{title}\n{'page':50} {'serious+critical':>16}  {'images':>6} {'no alt':>6} {'placeholder':>11}  rules")
    for name, bad, (n, missing, placeholder) in rows:
        ids = ", ".join(f"{v['id']}×{v['nodes']}" for v in bad)
        print(f"{name:50} {sum(v['nodes'] for v in bad):16d}  {n:6d} {missing:6d} {placeholder:11d}  {ids}")


# reveal.js shows one slide at a time and hides the others from axe: lay every slide and fragment out, visible and
# unhidden, one below the other, so that one run checks the text of the whole deck against its real background
# (reveal's own controls, checked as loaded, are set aside: they would overlap the text).
SHOW_EVERY_SLIDE = """() => {
    const style = document.createElement('style');
    style.textContent = `.reveal .slides section, .reveal .slides section > section, .reveal .fragment {
        display: block !important; position: static !important; visibility: visible !important;
        opacity: 1 !important; transform: none !important; pointer-events: auto !important;
        transition: none !important; }
      .reveal .backgrounds, .reveal .controls, .reveal .progress, .reveal .slide-number { display: none !important; }
      .reveal .slides { position: static !important; transform: none !important; width: auto !important;
        height: auto !important; }
      .reveal { overflow: visible !important; height: auto !important; }
      html, body { overflow: visible !important; height: auto !important; }`;
    document.head.appendChild(style);
    for (const s of document.querySelectorAll('.reveal .slides section')) {
        s.removeAttribute('hidden'); s.removeAttribute('aria-hidden'); s.removeAttribute('inert');
    }
}"""


def show_every_slide(page):
    page.evaluate(SHOW_EVERY_SLIDE)


# Link texts that say nothing of where they go (WCAG 2.4.4), and symbols alone
VAGUE_LINKS = {"", "here", "click here", "link", "this", "this link", "more", "read more", "see here", "¶", "#"}


def structure_problems(page):
    """What a screen reader's user misses on `page`: language, one h1, headings in order, a main landmark, link
    texts that say where they go, math read as MathML. [] when nothing."""
    s = page.evaluate(STRUCTURE)
    problems = []
    if s["lang"] != "en":
        problems.append(f"html lang is {s['lang']!r}, not 'en'")
    if s["h1"] != 1:
        problems.append(f"{s['h1']} h1 elements, not 1")
    jumps = [(a, b) for a, b in zip(s["levels"], s["levels"][1:]) if b > a + 1]
    if s["levels"][:1] != [1] or jumps:
        problems.append(f"headings out of order: first h{s['levels'][:1]}, jumps {jumps[:3]}")
    if s["main"] != 1:
        problems.append(f"{s['main']} main landmarks, not 1")
    vague = [t for t in s["links"] if t.lower().strip(" .:→←") in VAGUE_LINKS]
    if vague:
        problems.append(f"links that do not say where they go: {vague[:5]}")
    if s["assistive"] != s["math"]:
        problems.append(f"{s['math'] - s['assistive']} of {s['math']} formulas without assistive MathML")
    return problems


def check_pages(page, pages, ready, title, also=None):
    """Open each path of `pages`, wait for `ready` (a JS predicate), run axe (and, with `also`, axe again after
    also(page)); print the table; returns {name: [problems]} of what fails (a placeholder description included)."""
    rows, failures = [], {}
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_function(ready)
        page.wait_for_function(TYPESET)
        runs = [(path.name, None)] + ([(f"{path.name} (every slide)", also)] if also else [])
        problems = structure_problems(page)
        for name, prepare in runs:
            if prepare:
                prepare(page)
            bad, counts = blocking(axe(page)), image_counts(page)
            rows.append((name, bad, counts))
            problems += [f"{v['impact']} {v['id']} on {v['nodes']} element(s): {v['where'][0]}" for v in bad]
            if counts[1]:
                problems.append(f"{counts[1]} image(s) without a text alternative")
            if counts[2]:
                problems.append(f"{counts[2]} image(s) whose text alternative is a placeholder")
        if problems:
            failures[path.name] = problems
    report(title, rows)
    return failures


def test_every_site_page_meets_wcag_aa(site, chromium):
    need_axe()
    page, bad = offline_page(chromium)
    pages = [site / "index.html"] + [site / f"{p.stem}.html" for p in NOTEBOOKS]
    failures = check_pages(page, pages, "() => document.readyState === 'complete'", "site")
    assert failures == {}, failures
    assert not bad, bad


def test_every_slide_deck_meets_wcag_aa_and_advances_by_keyboard(tmp_path, chromium):
    need_axe()
    decks = publish.build_slides(NOTEBOOKS, tmp_path / "slides")
    page, bad = offline_page(chromium)
    failures = check_pages(page, decks, "() => window.Reveal && Reveal.isReady()", "slides", also=show_every_slide)
    assert failures == {}, failures
    for deck in decks:  # the keyboard alone moves through a deck: on to the next slide and back
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 1")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => Reveal.getIndices().h === 0")
    # (a reload can abort a stylesheet still loading, "failed"; test_teaching checks that the decks load offline)
    assert [b for b in bad if b[0] != "failed"] == [], bad


# --- presentation mode (scripts/present.py, Voila) ------------------------------------------------------------

@pytest.fixture(scope="module")
def presented(tmp_path_factory):
    """Notebook 03 presented as `make present NB=03` does; yields its URL (one server for this module's tests)."""
    need_axe()
    folder = tmp_path_factory.mktemp("present")
    proc, url, _ = start_present(folder, "03")
    try:
        yield url
    finally:
        stop(proc)


def open_presented(chromium, url):
    """A hall's page on `url` (nothing beyond 127.0.0.1), once the widget's figure and text are on screen."""
    page, bad = offline_page(chromium, allow=("http://127.0.0.1:", "ws://127.0.0.1:"))
    page.set_default_timeout(150_000)  # Voila answers once the notebook has run: ~20 s on a busy 2-core machine
    page.goto(url)
    out, text = widget_output(page)
    out.locator("img").first.wait_for()
    page.set_default_timeout(60_000)
    return page, bad, out, text


SLIDER_NAMES = """() => [...document.querySelectorAll('[role=slider]')].map(h => {
    const ids = (h.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    return ids.map(id => (document.getElementById(id) || {textContent: ''}).textContent.trim()).join(' ')
        || h.getAttribute('aria-label') || '';
})"""


def test_presented_notebook_03_meets_wcag_aa_with_every_slider_named(presented, chromium):
    page, bad, out, text = open_presented(chromium, presented)
    page.wait_for_timeout(1000)  # the labelling script runs on the DOM's changes: let the last one pass
    bad_rules, counts = blocking(axe(page)), image_counts(page)
    report("presentation mode", [("03 presented", bad_rules, counts)])
    names = page.evaluate(SLIDER_NAMES)
    assert names == ["μ1", "μ2", "σ", "η · λmax/2"]  # the four sliders of notebook 03, by their labels
    assert bad_rules == [], bad_rules
    # the figures and the widget's frame, each with a text alternative of its own (no placeholder)
    assert counts[0] >= 3 and counts[1] == 0 and counts[2] == 0, counts
    layout = page.evaluate(STRUCTURE)  # (Voila's own MathJax adds no assistive MathML: not checked here)
    assert (layout["lang"], layout["h1"], layout["main"]) == ("en", 1, 1), layout
    assert not bad, bad


def test_keyboard_alone_reaches_a_slider_moves_it_and_kappa_follows(presented, chromium):
    """Tab (no mouse, no scripted focus) to the σ slider, see its focus ring, press →: σ grows by one step and
    the printed κ is 1 + |μ|²/σ² for the new σ, computed here."""
    page, bad, out, text = open_presented(chromium, presented)
    page.wait_for_timeout(1000)
    for presses in range(1, 41):
        page.keyboard.press("Tab")
        name = page.evaluate("""() => { const e = document.activeElement, id = e.getAttribute('aria-labelledby');
                                        return id ? document.getElementById(id).textContent.trim() : ''; }""")
        if name == "σ":
            break
    else:
        raise AssertionError("40 Tab presses did not reach the σ slider")
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }")
    assert ring[0] != "none" and ring[1] >= 2, ring  # focus visible (WCAG 2.4.7)
    sigma, before = readout(page, "σ"), text.inner_text()
    page.keyboard.press("ArrowRight")
    wait_for_change(page, text, before)
    page.wait_for_timeout(400)  # let the final value land
    mu1, mu2, new_sigma = readout(page, "μ1"), readout(page, "μ2"), readout(page, "σ")
    assert new_sigma == pytest.approx(sigma + 0.05)
    kappa = float(re.search(r"kappa = ([\d.]+)", text.inner_text()).group(1))
    assert kappa == pytest.approx(1 + (mu1 ** 2 + mu2 ** 2) / new_sigma ** 2, abs=0.006)
    print(f"\nkeyboard only: {presses} Tab presses to the σ slider, focus ring {ring}; → moved σ "
          f"{sigma} → {new_sigma}, κ printed {kappa}")
    assert not bad, bad
