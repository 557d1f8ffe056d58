"""The README and docs/: every relative link and #anchor resolves, every page is linked from the README, no page
repeats another, and docs/performance.md is what benchmarks/run.py makes of benchmarks/results.json."""
import copy
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

# mutmut's copy of the project (`make mutate`, which sets MUTANT_UNDER_TEST) holds neither docs/ nor benchmarks/,
# and these tests call no code of utils/
pytestmark = pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ, reason="make mutate: no docs in mutmut's copy")

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
REPEAT = 200  # characters: a passage this long on two pages is a copy, not a shared phrase

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def prose(text):
    """The text without fenced code blocks and code spans, where brackets are code, not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading):
    """GitHub's anchor of a heading: its rendered text lower-cased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(text):
    """Every heading's anchor; a repeated one gets -1, -2, ... as GitHub numbers them."""
    seen, out = {}, set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        out.add(f"{base}-{seen[base]}" if base in seen else base)
        seen[base] = seen.get(base, 0) + 1
    return out


def links(text):
    """Every link target (images included) outside code."""
    return LINK.findall(prose(text))


def broken_links(page):
    """Relative links of a markdown page whose file, or whose #anchor in a markdown file, does not exist."""
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file}")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with anchor #{anchor} in {file.name}")
    return broken


def unlinked(readme, pages):
    """The pages the README links to nowhere."""
    targets = {(readme.parent / t.partition("#")[0]).resolve() for t in links(readme.read_text(encoding="utf-8"))}
    return [page.name for page in pages if page.resolve() not in targets]


def repeated_passages(texts, length=REPEAT):
    """[(page, page, passage)] for every two pages that share a passage of `length` characters (whitespace
    collapsed, so a rewrapped copy counts), one passage per pair."""
    flat = {name: " ".join(text.split()) for name, text in texts.items()}
    found = []
    names = sorted(flat)
    for i, a in enumerate(names):
        windows = {flat[a][k:k + length] for k in range(len(flat[a]) - length + 1)}
        for b in names[i + 1:]:
            shared = next((flat[b][k:k + length] for k in range(len(flat[b]) - length + 1)
                           if flat[b][k:k + length] in windows), None)
            if shared:
                found.append((a, b, shared))
    return found


# The checkers, on pages made to break them

def test_slugs_follow_github():
    assert slug("Prose is checked like code: claim tests") == "prose-is-checked-like-code-claim-tests"
    assert slug("`make test` and **CI**") == "make-test-and-ci"
    assert slug("Limits of this") == "limits-of-this"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n### A\n") == {"a", "a-1", "a-2"}


def test_a_missing_file_or_anchor_is_reported_and_code_is_not_read(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# Title\n\n## The part\n")
    page = tmp_path / "README.md"
    page.write_text("[ok](docs/a.md#the-part) [self](#top) [web](https://example.org/x) [gone](docs/b.md)\n"
                    "[wrong](docs/a.md#no-part) `[code](docs/c.md)`\n```\n[fenced](docs/d.md)\n```\n# Top\n")
    assert broken_links(page) == [f"docs/b.md: no file {tmp_path / 'docs' / 'b.md'}",
                                  "docs/a.md#no-part: no heading with anchor #no-part in a.md"]


def test_a_page_the_readme_does_not_link_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    pages = [tmp_path / "docs" / name for name in ("a.md", "b.md", "c.md")]
    for page in pages:
        page.write_text("# x\n")
    (tmp_path / "README.md").write_text("[a](docs/a.md) [b, a part](docs/b.md#x) `[c](docs/c.md)`\n")
    assert unlinked(tmp_path / "README.md", pages) == ["c.md"]


def test_a_copied_paragraph_is_found_even_rewrapped_and_a_shorter_one_is_not():
    paragraph = " ".join(f"word{i}" for i in range(60))  # 409 characters
    short = paragraph[:REPEAT - 20]  # with the text around it still under REPEAT
    texts = {"one.md": f"# One\n\n{paragraph}\n\n{short}\n",
             "two.md": "# Two\n\n" + paragraph.replace(" word30 ", "\nword30\n") + "\n",
             "three.md": f"# Three\n\nother words\n\n{short}\n"}
    found = repeated_passages(texts)
    assert [(a, b) for a, b, _ in found] == [("one.md", "two.md")]
    assert len(found[0][2]) == REPEAT and found[0][2].strip() in paragraph


# The real pages

def test_every_relative_link_and_anchor_resolves():
    broken = {page.name: broken_links(page) for page in [README, *PAGES]}
    assert not {name: b for name, b in broken.items() if b}


def test_every_docs_page_is_linked_from_the_readme():
    assert PAGES, "docs/*.md found no pages"
    assert not unlinked(README, PAGES)


def test_no_page_repeats_another():
    texts = {page.name: page.read_text(encoding="utf-8") for page in [README, *PAGES]}
    assert not repeated_passages(texts)


def test_the_readme_stays_short():
    assert README.stat().st_size <= 8 * 1024, f"README.md is {README.stat().st_size} bytes; move detail to docs/"


# docs/performance.md, made by the bench

def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_results():
    return json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))


def test_the_performance_page_is_the_one_the_stored_results_make():
    # rewrite it with `python benchmarks/run.py --page-only`
    assert bench().performance_page(stored_results()) == (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")


def test_page_only_writes_the_page_from_the_results_and_measures_nothing(tmp_path):
    results, page = tmp_path / "results.json", tmp_path / "performance.md"
    stored = stored_results()
    results.write_text(json.dumps(stored))
    assert bench().main(["--out", str(results), "--page", str(page), "--page-only"]) == 0
    assert json.loads(results.read_text()) == stored
    assert "| what | measured | target | met |" in page.read_text(encoding="utf-8")


def test_the_table_shows_the_measured_values_and_whether_each_target_holds():
    results = copy.deepcopy(stored_results())
    notebooks = results["notebook_execution"]["notebooks"]
    for r, seconds, ratio in zip(notebooks, (3.0, 3.5, 4.0, 4.5), (1.5, 1.75, 2.0, 2.25)):
        r.update(seconds=seconds, ratio_to_floor=ratio)
    results["sliders"]["utils_import_seconds"] = 0.29
    speedup = results["grading"]["speedup_2_workers"] = 1.7
    for r in results["backprop"]:
        r["ratio_numpy_over_torch"] = 1.0 if r["batch"] <= 256 else 1.6
    rows = {what.split(" (")[0]: (measured, met) for what, measured, _, met in bench().performance_rows(results)}
    measured, met = rows["notebook execution in a fresh kernel"]
    assert measured == "01: 3.0 s (1.50x), 02: 3.5 s (1.75x), 03: 4.0 s (2.00x), 04: 4.5 s (2.25x)" and met is False
    assert rows["`import utils` beyond numpy + matplotlib"] == ("0.29 s, torch not imported", True)
    measured, met = rows["grading a synthetic class"]
    assert f"({speedup}x)" in measured and met is True  # the stored per-notebook ratios are all below 1.3
    measured, met = rows["numpy backward pass / torch.autograd, float64"]
    assert measured.startswith("batch 1: 1.00, batch 16: 1.00, batch 256: 1.00, batch 4096: 1.60") and met is False
    notebooks[3].update(ratio_to_floor=2.0)
    results["sliders"]["widgets"][0]["worst_ms"] = 100.0
    rows = {what.split(" (")[0]: met for what, _, _, met in bench().performance_rows(results)}
    assert rows["notebook execution in a fresh kernel"] is True
    assert rows["one slider move: state, redraw, PNG"] is False
