"""Colours and figure defaults shared by every plot: the Okabe-Ito palette, safe for colour-blind readers, and
two styles: "default" (a laptop screen) and "presentation" (a projector in a lecture hall: larger text, thicker
lines). `use(name)` switches between them; at import the style named by the environment variable
WORKBOOK_STYLE is applied (`make present` sets it, so the notebooks need no change to be projected)."""
import os

import numpy as np

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO

CLASS_A = BLUE        # shaded where a unit fires / class A
NEUTRAL = "#FFFFFF"   # class B background
BOUNDARY = VERMILLION # decision boundaries and outlines
CONTOUR = "#737373"   # contour lines: a grey at 4.7 : 1 on white (Okabe-Ito's sky blue has 2.2 : 1)
ARROW = BLACK
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY)  # line plots, in order

# Every figure carries a text alternative (WCAG 2.1, 1.1.1), written where the figure is made (utils/<topic>.py)
# and shown by `show` or `live_output`. Until a figure's own is written, it carries this placeholder, which
# tests/browser/test_accessibility.py counts.
DESCRIPTION_TO_WRITE = "Figure; its text description is still to be written."

# Widget figures are PNGs shown at their pixel size: at 100 dpi a 10 pt label is 13.9 px, which a browser
# (96 px per inch) shows at 10.4 pt. The presentation style enlarges what rcParams size (ticks, axis labels,
# titles, legends, lines) and lets constrained layout make room for the larger text; sizes a view sets itself stay.
DPI = 100
STYLES = {
    "default": {},
    "presentation": {
        "font.size": 13, "axes.titlesize": 11, "axes.labelsize": 14, "xtick.labelsize": 12, "ytick.labelsize": 12,
        "legend.fontsize": 12, "figure.titlesize": 15, "lines.linewidth": 2.5, "lines.markersize": 8,
        "axes.linewidth": 1.4, "xtick.major.width": 1.4, "ytick.major.width": 1.4, "xtick.major.size": 6,
        "ytick.major.size": 6, "grid.linewidth": 1.2, "patch.linewidth": 1.5, "figure.constrained_layout.use": True},
}
ENV_VAR = "WORKBOOK_STYLE"
FIGURES_VAR = "WORKBOOK_FIGURES"  # "text": show() outputs a figure's description without drawing it (see show)
_current = "default"
_saved_rc = {}  # matplotlib's values of the keys a style changed, to restore on use("default")


def use(name):
    """Switch every figure made from now on to style `name` ("default" or "presentation")."""
    global _current
    if name not in STYLES:
        raise ValueError(f"style name: expected one of {sorted(STYLES)}, got {name!r}")
    import matplotlib

    matplotlib.rcParams.update(_saved_rc)
    _saved_rc.clear()
    rc = STYLES[name]
    _saved_rc.update({key: matplotlib.rcParams[key] for key in rc})
    matplotlib.rcParams.update(rc)
    _current = name


def current():
    """The name of the style in use."""
    return _current


def encode_png(rgba):
    """An (h, w, 4) uint8 RGBA image as PNG bytes, RGB, fast zlib level: a widget frame is shown once, not stored."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class LiveFigure:
    """A widget's figure: drawn in full once, then only the artists that change are redrawn (blitting).

    Drawing text is what costs on a slow machine (~1 ms per label here), so ticks, labels, titles and
    everything else that never changes is drawn once into a saved background; each frame restores
    it and draws the artists registered with `dynamic` on top, in z-order. An Axes can be dynamic as
    a whole (when its limits, hence its ticks, change). Artists registered with `overlay` never change
    but lie over dynamic ones (a legend over moving curves): their pixels are pasted on top.
    """

    def __init__(self, figsize, dpi=DPI):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self._dynamic = {}
        self._overlays = []
        self._background = None  # and the overlays' pixels: both taken at the first frame
        self._overlay_pixels = []

    def dynamic(self, name, artist):
        """Register `artist` under `name` as redrawn every frame (replacing, not drawing, an earlier one); returns it."""
        artist.set_animated(True)
        self._dynamic[name] = artist
        return artist

    def overlay(self, artist):
        """Register `artist` as fixed but drawn over the dynamic artists; returns it. Its pixels, with a 2-pixel
        margin, are taken once over the background, so it should be opaque (a legend with framealpha=1)."""
        artist.set_animated(True)
        self._overlays.append(artist)
        return artist

    def png(self):
        """The current frame as PNG bytes."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            renderer = self.canvas.get_renderer()
            for artist in self._overlays:
                self.fig.draw_artist(artist)
            self._overlay_pixels = [self.canvas.copy_from_bbox(a.get_window_extent(renderer).padded(2))
                                    for a in self._overlays]
        self.canvas.restore_region(self._background)
        for artist in sorted(self._dynamic.values(), key=lambda a: a.get_zorder()):
            self.fig.draw_artist(artist)
        for pixels in self._overlay_pixels:
            self.canvas.restore_region(pixels)
        return encode_png(np.asarray(self.canvas.buffer_rgba()))


def figure(**kwargs):
    """A matplotlib Figure outside pyplot, for widgets: it is shown only when its PNG is displayed."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def plain_log_ticks(axis):
    """Log-scale ticks on `axis` (ax.xaxis or ax.yaxis) at powers of ten, labelled 0.01, 100, 1e+06 rather than
    with mathtext, and without minor ticks: mathtext labels and minor ticks made a log-log figure draw three
    times slower (about 0.35 s against 0.12 s here)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axis.set_major_locator(LogLocator(numticks=6))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def describe(fig, description):
    """Give Figure `fig` its text alternative `description` (what the reader should see in it: the trend, the
    crossing, the count), which `show` puts beside the picture; returns fig."""
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"description: expected a non-empty string, got {description!r}")
    fig.description = description.strip()
    return fig


def description_of(fig):
    """The text alternative `describe` gave `fig`, or DESCRIPTION_TO_WRITE."""
    return getattr(fig, "description", None) or DESCRIPTION_TO_WRITE


def show(fig):
    """Display Figure `fig` as a PNG output that carries its text alternative (description_of(fig)): in the
    output's metadata["image/png"]["alt"], which the site, the slides and presentation mode write as the image's
    alt text, and as its text/plain, which nbval compares. The PNG is the inline backend's (bbox_inches="tight").

    With WORKBOOK_FIGURES=text in the environment the output is the text alone and nothing is drawn: for runs that
    compare text only, such as the kernel-path matrix (nbval never compares pictures; drawing is a fifth of the
    notebooks' run time)."""
    from IPython.core.pylabtools import print_figure
    from IPython.display import display

    text = description_of(fig)
    mode = os.environ.get(FIGURES_VAR, "png")
    if mode not in ("png", "text"):
        raise ValueError(f"{FIGURES_VAR}: expected 'png' or 'text', got {mode!r}")
    if mode == "text":
        display({"text/plain": text}, raw=True)
        return
    display({"image/png": print_figure(fig, "png", base64=True), "text/plain": text},
            metadata={"image/png": {"alt": text}}, raw=True)


def img_html(png, description):
    """An <img> of PNG bytes `png` with alt text `description`, as HTML: a front end shows a PNG output's
    metadata to nobody, but keeps an <img>'s alt (JupyterLab, Voila and nbconvert alike)."""
    import base64
    import html

    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{html.escape(description)}">'


def live_output(controls, render):
    """Wire ipywidgets to a picture: every change of a control in `controls` (name -> widget) calls
    render(**values), which returns (PNG bytes, text) or (PNG bytes, text, description of the picture); the
    picture, with its description as alt text (DESCRIPTION_TO_WRITE when render gives none), and the text replace
    the previous ones in the returned Output widget. Draws once at once."""
    import ipywidgets
    from IPython.display import display

    out = ipywidgets.Output()

    def redraw(_change=None):
        picture, text, *description = render(**{name: control.value for name, control in controls.items()})
        description = description[0] if description else DESCRIPTION_TO_WRITE
        with out:
            out.clear_output(wait=True)
            display({"text/html": img_html(picture, description), "text/plain": description}, raw=True)
            print(text)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return out


if os.environ.get(ENV_VAR):
    use(os.environ[ENV_VAR])
