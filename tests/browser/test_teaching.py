"""Teaching from the workbook, in headless Chromium: presentation mode (Voila), reveal.js slides, the offline site.

Presentation mode is started as `make present` starts it (scripts/present.py) and driven like the JupyterLab
tests (test_browser.py's helpers). Slides and site are built into a temporary folder and opened from disk with
every request that is not file:// aborted and counted. Screenshots land in artifacts/screenshots/ (git-ignored);
docs/img/ holds reduced copies for docs/teaching.md. Needs chromium, playwright and node_modules (`npm ci`).
"""
import base64
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

import publish  # scripts/publish.py
import slides  # scripts/slides.py
from helpers import (CSS_PX_PER_PT, NOTEBOOKS, ROOT, TYPESET, image_src, kappa_printed, need_node_modules, offline_page,
                     pixels, press, readout, screenshot, smallest_text_px, start_present, stop, wait_for_change,
                     widget_output)

pytestmark = pytest.mark.browser


# --- presentation mode ---------------------------------------------------------------------------------------


def test_presented_notebook_03_has_no_code_and_live_sliders_that_change_figure_and_kappa(tmp_path, chromium):
    proc, url, up = start_present(tmp_path, "03")
    try:
        _present_notebook_03(chromium, url, up)
    except Exception as error:
        raise AssertionError(f"{error}\npresent.py's log:\n" + (tmp_path / "present.log").read_text()[-3000:])
    finally:
        stop(proc)


def _present_notebook_03(chromium, url, up):
    """Open the presented notebook as the lecturer would, move two sliders, check κ, the style and the text size."""
    from utils import conditioning, style

    page, bad = offline_page(chromium, allow=("http://127.0.0.1:", "ws://127.0.0.1:"))  # a hall with no internet
    page.set_default_timeout(150_000)  # Voila answers once the notebook has run: ~20 s on a busy 2-core machine
    start = time.perf_counter()
    page.goto(url)
    page.set_default_timeout(60_000)
    out, text = widget_output(page)
    out.locator("img").first.wait_for()
    ready = time.perf_counter() - start
    body = page.locator("body").inner_text()
    assert "import numpy" not in body and "controls = dict(" not in body  # the code is hidden
    assert page.locator(".cm-editor").count() == 0

    def expect_theory():
        mu1, mu2, sigma = readout(page, "μ1"), readout(page, "μ2"), readout(page, "σ")
        assert kappa_printed(text.inner_text()) == pytest.approx(1 + (mu1 ** 2 + mu2 ** 2) / sigma ** 2, abs=0.006)

    expect_theory()
    for description, key in [("σ", "ArrowRight"), ("μ1", "ArrowLeft")]:
        before_img, before = image_src(out), text.inner_text()
        press(page, description, key)
        wait_for_change(page, text, before)
        page.wait_for_timeout(400)
        expect_theory()
        assert image_src(out) != before_img
    # The kernel drew in the presentation style: the frame is nearer to this process's presentation drawing of
    # the same slider positions than to its default drawing.
    img = out.locator("img").first
    shown_png = base64.b64decode(image_src(out).split(",", 1)[1])
    args = (readout(page, "μ1"), readout(page, "μ2"), readout(page, "σ"), readout(page, "η · λmax/2"), False)
    drawings = {}
    for name in ("default", "presentation"):
        style.use(name)
        try:
            view = conditioning.ConditioningView()
            drawings[name] = pixels(view.render(*args)[0]).astype(float)
            smallest = smallest_text_px(view)  # of the presentation style, the last one drawn
        finally:
            style.use("default")
    frame = pixels(shown_png).astype(float)
    distance = {name: abs(frame - drawing).mean() for name, drawing in drawings.items()}
    assert distance["presentation"] < distance["default"] / 5, distance
    # Readable in a hall: the smallest tick label or title at the size the page shows the frame.
    shown, natural = img.evaluate("i => [i.clientWidth, i.naturalWidth]")
    assert smallest * shown / natural >= 10 * CSS_PX_PER_PT
    text.evaluate("e => e.scrollIntoView({block: 'end'})")  # the sliders above, the figure, its printed κ
    screenshot(page, "present-03.png")
    assert not bad, bad
    print(f"\npresentation mode: URL printed after {up:.1f} s, figure and κ on screen {ready:.1f} s after "
          f"opening it; frame shown at {shown}/{natural} px, smallest tick label or title "
          f"{smallest * shown / natural / CSS_PX_PER_PT:.1f} pt")


# --- live slides in JupyterLab (jupyterlab-rise) -------------------------------------------------------------

def test_rise_shows_notebook_03_as_its_slide_metadata_says(lab, chromium):
    notebook = lab["dir"] / NOTEBOOKS[2].name
    subprocess.run([sys.executable, str(ROOT / "scripts" / "slides.py"), str(notebook)], check=True,
                   capture_output=True)
    kinds = [c.metadata.slideshow["slide_type"] for c in nbformat.read(notebook, as_version=4).cells]
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{lab['base']}/rise/{notebook.name}?token={lab['token']}")
    page.wait_for_selector(".reveal .slides > section")
    page.wait_for_timeout(1000)  # RISE lays out the cells after the first section appears
    horizontal, sections, fragments = page.evaluate("""() => [
        document.querySelectorAll('.reveal .slides > section').length,
        document.querySelectorAll('.reveal .slides section').length,
        document.querySelectorAll('.reveal .fragment').length]""")
    # RISE nests every sub-slide, the first of each slide included, in its slide's section
    assert [horizontal, sections - horizontal, fragments] == [
        kinds.count("slide"), kinds.count("slide") + kinds.count("subslide"), kinds.count("fragment")]
    screenshot(page, "rise-03.png")


# --- offline pages: slides and site ----------------------------------------------------------------------------

RAW_DOLLARS = """() => {
    const skip = 'PRE, CODE, SCRIPT, STYLE, MJX-CONTAINER, TEXTAREA';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const raw = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.textContent.includes('$') && !n.parentElement.closest(skip)) raw.push(n.textContent.slice(0, 80));
    }
    return raw;
}"""


def test_slides_of_notebook_03_match_its_slide_metadata_and_load_offline(tmp_path, chromium):
    need_node_modules()
    notebook = tmp_path / NOTEBOOKS[2].name
    shutil.copy(NOTEBOOKS[2], notebook)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "slides.py"), str(notebook)], check=True,
                   capture_output=True)
    kinds = [c.metadata.slideshow["slide_type"] for c in nbformat.read(notebook, as_version=4).cells]
    [target] = publish.build_slides([notebook], tmp_path / "slides")
    page, bad = offline_page(chromium)
    page.goto(target.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    page.wait_for_function(TYPESET)
    counts = page.evaluate("""() => [Reveal.getHorizontalSlides().length, Reveal.getTotalSlides(),
                                     document.querySelectorAll('.reveal .fragment').length]""")
    assert counts == [kinds.count("slide"), kinds.count("slide") + kinds.count("subslide"), kinds.count("fragment")]
    assert page.locator("mjx-container").count() > 0 and page.locator("mjx-merror").count() == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Reveal.getIndices().h === 1")
    page.wait_for_timeout(1000)  # the slide transition
    screenshot(page, "slides-03.png")
    assert not bad, bad


def test_every_site_page_loads_offline_with_images_math_and_links(site, chromium):
    pages = [site / "index.html"] + [site / f"{p.stem}.html" for p in NOTEBOOKS]
    assert sorted(site.glob("*.html")) == sorted(pages)
    page, bad = offline_page(chromium)
    linked = set()
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_function(TYPESET)
        assert page.locator("mjx-container").count() > 0, path.name
        assert page.locator("mjx-merror").count() == 0, path.name
        assert page.evaluate(RAW_DOLLARS) == [], path.name
        sizes = page.evaluate("() => [...document.images].map(i => i.complete ? i.naturalWidth : 0)")
        assert all(w > 0 for w in sizes), (path.name, sizes)
        if path.stem in {p.stem for p in NOTEBOOKS}:
            assert len(sizes) >= 1, path.name
        for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
            parts = urlparse(href)
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            assert target.is_file(), (path.name, href)
            if parts.fragment:
                ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)") \
                    if target == path else re.findall(r'id="([^"]+)"', target.read_text())
                # as a browser does: the fragment as written, then percent-decoded (nbconvert's ids are encoded)
                assert parts.fragment in ids or unquote(parts.fragment) in ids, (path.name, href)
            if target != path:
                linked.add(target.name)
        if path.name == "index.html":
            screenshot(page, "site-index.png")
    assert linked == {p.name for p in pages}  # every page is reached from another
    # Follow the navigation bar: the index leads to notebook 01, and 01 to 02.
    page.goto((site / "index.html").as_uri())
    page.click("nav.site-nav a.next")
    assert page.url.endswith(f"{NOTEBOOKS[0].stem}.html")
    page.click("nav.site-nav a.next")
    assert page.url.endswith(f"{NOTEBOOKS[1].stem}.html")
    assert not bad, bad
