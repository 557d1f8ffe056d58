"""The workbook without a kernel: an offline static site, and reveal.js slides, from the notebooks' stored outputs.

    python scripts/publish.py site   --out site     # index.html + one page per notebook + assets/
    python scripts/publish.py slides --out slides   # NN-name.slides.html per notebook + assets/

Both use nbconvert with the templates in templates/ (site: JupyterLab's look; slides: nbconvert's reveal
template) and load every script, style and font from the output folder itself: MathJax 3, reveal.js, require.js
and jQuery are copied from node_modules/ (`npm ci` installs them from package-lock.json). Nothing comes from a
CDN, so the pages work from disk (file://) with no network.

Widget views need a kernel to move, so each is replaced by the frame the notebook stored (the Output widget's
picture and text in the notebook's saved widget state) and a line saying where its controls stood. Embedding
the widget state with @jupyter-widgets/html-manager instead would draw sliders that move but change nothing:
the pictures are computed by Python.
Slides follow the cells' slide metadata; cells without it get scripts/slides.py's rule, in memory.
"""
import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from traitlets.config import Config
from nbconvert.preprocessors import Preprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import slides as slide_rule  # noqa: E402  (scripts/slides.py)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NODE_MODULES = ROOT / "node_modules"
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
# (source under node_modules, destination under assets/): only what the pages load
MATHJAX = [("mathjax/es5/tex-chtml.js", "mathjax/tex-chtml.js"),
           ("mathjax/es5/input/tex/extensions", "mathjax/input/tex/extensions"),
           ("mathjax/es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
           ("mathjax/es5/ui", "mathjax/ui"), ("mathjax/es5/a11y", "mathjax/a11y")]
REVEAL = [("reveal.js/dist", "reveal.js/dist"), ("reveal.js/plugin/notes", "reveal.js/plugin/notes"),
          ("requirejs/require.js", "require.js"), ("jquery/dist/jquery.min.js", "jquery.min.js")]
# Code cells' syntax colours: a Pygments style made for contrast (accessible-pygments); every token colour is at
# least 4.5 : 1 against its background and the cells' grey (WCAG 2.1, 1.4.3; tests/publishing/test_publish.py checks it).
PYGMENTS_STYLE = "a11y-high-contrast-light"
NOTEBOOK_LINK = re.compile(r"\]\((\d\d-[\w-]+)\.ipynb(#[^)\s]*)?\)")


def _widget_frame(model_id, state):
    """The outputs that stand for widget view `model_id`: an Output widget's stored outputs, a line with the
    controls' positions for a box of controls, a note when nothing was stored."""
    model = state.get(model_id)
    if model is None:
        return [_note("An interactive figure: run the notebook to see it.")]
    if model["model_name"] == "OutputModel":
        return [nbformat.from_dict(o) for o in model["state"].get("outputs", [])]
    controls = []

    def walk(mid):
        m = state.get(mid, {})
        s = m.get("state", {})
        for child in s.get("children", []):
            walk(child.removeprefix("IPY_MODEL_"))
        if "value" in s and s.get("description"):
            value = s["value"]
            shown = ("on" if value else "off") if isinstance(value, bool) else f"{value:g}" \
                if isinstance(value, (int, float)) else str(value)
            controls.append(f"{s['description']} = {shown}")

    walk(model_id)
    where = "; ".join(controls) if controls else "its starting position"
    return [_note(f"Stored frame of an interactive figure, controls at {where}. "
                  "Run the notebook in JupyterLab to move them.")]


def _note(text):
    return nbformat.v4.new_output("display_data", data={
        "text/html": f'<p class="widget-frame-note">{html.escape(text)}</p>', "text/plain": text})


class StaticWidgetFrames(Preprocessor):
    """Replace widget views by their stored frames and drop the widget state (nothing is left to render live)."""

    def preprocess(self, nb, resources):
        state = nb.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            outputs = []
            for output in cell.outputs:
                view = output.get("data", {}).get(VIEW)
                outputs.extend(_widget_frame(view["model_id"], state) if view else [output])
            cell.outputs = outputs
        nb.metadata.pop("widgets", None)
        return nb, resources


class NotebookLinks(Preprocessor):
    """Links to a sibling notebook (NN-name.ipynb) point to its page (NN-name.html)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = NOTEBOOK_LINK.sub(r"](\1.html\2)", cell.source)
        return cell, resources


def title_of(nb, fallback):
    """The text of the notebook's first `# ` heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.split("\n", 1)[0][2:].strip()
    return fallback


def sections_of(nb):
    """The notebook's `## ` headings, each "(optional)" when its cell is tagged optional ("Going further")."""
    return [c.source.split("\n", 1)[0][3:].strip() + (" *(optional)*" if "optional" in c.metadata.get("tags", []) else "")
            for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]


def copy_assets(pairs, dest):
    """Copy node_modules/<src> to dest/<dst> for each pair; a clear error when npm ci has not run."""
    for src, dst in pairs:
        source, target = NODE_MODULES / src, dest / dst
        if not source.exists():
            raise SystemExit(f"missing {source}: run `npm ci --no-audit --no-fund` (make site / make slides do)")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def index_notebook(pages):
    """The course outline as a notebook (rendered by the same template): each notebook's title, link, sections."""
    lines = ["# Neural networks, computed and learned: the course workbook", "",
             "Four notebooks, read in order. Each page shows the notebook with the outputs it stored; run the "
             "notebooks in JupyterLab (`make lab`) to move the sliders and do the exercises. Sections marked "
             "*optional* (\"Going further\", with a bar on their left) go deeper; the week's core path skips them.",
             ""]
    for page in pages:
        lines += [f"## [{page['title']}]({page['href']})", ""]
        lines += [f"- {section}" for section in page["sections"]] + [""]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("\n".join(lines))],
                                    metadata={"title": "Course outline"})


def exporter_config():
    """nbconvert's configuration shared by the site and the slides: the accessible syntax colours."""
    return Config({"CSSHTMLHeaderPreprocessor": {"style": PYGMENTS_STYLE}})


def site_exporter():
    """The site's exporter: templates/site (JupyterLab's look), no prompts, widget frames, links to pages."""
    return HTMLExporter(template_name="site", extra_template_basedirs=[str(TEMPLATES)], extra_template_paths=[str(TEMPLATES)],
                        preprocessors=[StaticWidgetFrames, NotebookLinks], exclude_input_prompt=True,
                        exclude_output_prompt=True, config=exporter_config())


def slides_exporter():
    """The slides' exporter: templates/slides (nbconvert's reveal template with every script from assets/)."""
    return SlidesExporter(template_name="slides", extra_template_basedirs=[str(TEMPLATES)], extra_template_paths=[str(TEMPLATES)],
                          preprocessors=[StaticWidgetFrames, NotebookLinks],
                          reveal_url_prefix="assets/reveal.js", require_js_url="assets/require.js",
                          reveal_theme="white",  # its fonts ship with reveal.js; "simple" fetches Google's
                          jquery_url="assets/jquery.min.js", exclude_input_prompt=True,
                          exclude_output_prompt=True, config=exporter_config())


def build_site(notebooks, out):
    """Write out/index.html, out/NN-name.html for each notebook and out/assets/; returns the pages written."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(MATHJAX, out / "assets")
    nbs = [(path, nbformat.read(path, as_version=4)) for path in notebooks]
    pages = [{"href": f"{path.stem}.html", "title": title_of(nb, path.stem), "sections": sections_of(nb)}
             for path, nb in nbs]
    exporter = site_exporter()
    written = []
    for i, (path, nb) in enumerate(nbs):
        site = {"assets": "assets", "prev": pages[i - 1] if i > 0 else None,
                "next": pages[i + 1] if i + 1 < len(pages) else None}
        body, _ = exporter.from_notebook_node(nb, resources={"site": site, "metadata": {"name": pages[i]["title"]}})
        (out / pages[i]["href"]).write_text(body, encoding="utf-8")
        written.append(out / pages[i]["href"])
    body, _ = exporter.from_notebook_node(index_notebook(pages), resources={
        "site": {"assets": "assets", "prev": None, "next": pages[0] if pages else None},
        "metadata": {"name": "Course outline"}})
    (out / "index.html").write_text(body, encoding="utf-8")
    return [out / "index.html"] + written


def build_slides(notebooks, out):
    """Write out/NN-name.slides.html for each notebook and out/assets/; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(MATHJAX + REVEAL, out / "assets")
    exporter = slides_exporter()
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nb = copy.deepcopy(nb)
        slide_rule.apply(nb)  # fills cells the notebook gives no slide type; keeps every choice made by hand
        body, _ = exporter.from_notebook_node(nb, resources={"site": {"assets": "assets"},
                                                             "metadata": {"name": title_of(nb, path.stem)}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["site", "slides"])
    parser.add_argument("--out", type=Path, required=True, help="output folder (made if missing)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN-*.ipynb")
    args = parser.parse_intermixed_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"notebooks: expected existing .ipynb files, got missing {', '.join(missing)}")
    written = (build_site if args.what == "site" else build_slides)(notebooks, args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{args.what}: {len(written)} pages in {args.out}/ ({size / 1e6:.1f} MB with assets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
