"""The widgets' figures (style.LiveFigure): only the changing artists are redrawn over a saved background,
so each frame must equal the same slider position drawn by a fresh view: no earlier position may leave a trace."""
import re
import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from helpers import pixels
from utils import conditioning, style, tanhnet, threshold


def printed(text, value):
    """Whether `text` prints `value`: some number in it equals `value` to the digits it shows."""
    for match in re.finditer(r"(?<![\w.])[-+]?\d+(?:\.(\d*))?", text):  # not the 1 of "x1"
        decimals = len(match.group(1) or "")
        if abs(float(match.group(0)) - value) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9):
            return True
    return False


def halfplane_text_is_right(text, w1, w2, b):
    """Worked out here: with w = 0 the unit fires everywhere or nowhere; otherwise the line's distance from
    the origin is |b| / |w|."""
    if w1 == w2 == 0:
        return ("everywhere" if b > 0 else "nowhere") in text.split("fires", 1)[-1]
    return printed(text, abs(b) / np.hypot(w1, w2))


def saturation_text_is_right(text, x1, x2, scale):
    """y of the tanh network with weights scale * w, by its formula."""
    w = {k: scale * v for k, v in tanhnet.EXAMPLE_W.items()}
    a3, a4 = np.tanh(x1 * w["w13"] + x2 * w["w23"]), np.tanh(x1 * w["w14"] + x2 * w["w24"])
    y = np.tanh(a3 * w["w35"] + a4 * w["w45"]) + np.tanh(a3 * w["w36"] + a4 * w["w46"])
    return printed(text, y)


def conditioning_text_is_right(text, mu1, mu2, sigma, step_fraction, center, beta=0.0):
    """kappa = 1 + |mu|^2 / sigma^2 (1 for centred inputs) and lambda_max = |mu|^2 + sigma^2."""
    mu_sq = 0.0 if center else mu1 ** 2 + mu2 ** 2
    return printed(text, 1 + mu_sq / sigma ** 2) and printed(text, mu_sq + sigma ** 2)


def test_printed_reads_the_digits_shown():
    assert printed("kappa = 3.14, y = -0.5000", 3.1415) and printed("y = -0.5000", -0.50004)
    assert not printed("kappa = 3.14", 3.146) and not printed("y = -0.5000", 0.5) and not printed("x1", 1.0)


# Positions at and beyond the ends of every slider, including the degenerate ones (w = 0, x = 0, centred inputs).
VIEWS = {
    "halfplane": (threshold.HalfplaneView, halfplane_text_is_right,
                  [(1.0, 0.5, 0.5), (-2.0, 1.0, -1.0), (0.0, 0.0, 1.0), (3.0, -3.0, 3.0), (0.0, 0.1, -3.0)]),
    "saturation": (tanhnet.SaturationView, saturation_text_is_right,
                   [(1.0, -0.5, 1.0), (2.0, -2.0, 10.0), (0.0, 0.0, 0.1), (-2.0, 2.0, 3.0)]),
    "conditioning": (conditioning.ConditioningView, conditioning_text_is_right,
                     [(2, 1, 0.5, 0.5, False), (-2, -2, 0.3, 1.1, False), (0, 0, 3, 0.05, True),
                      (2, 1, 0.5, 0.5, False, 0.6), (1, 1, 0.5, 1.9, False, 0.95),  # momentum: the dashed β = 0 curve
                      (2, -2, 0.3, 0.999, False)]),  # and back to β = 0: the dashed curve leaves no trace
}


@pytest.mark.parametrize("name", VIEWS)
def test_every_frame_equals_a_fresh_drawing_of_its_position(name):
    make, text_is_right, positions = VIEWS[name]
    view = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = []
        for args in positions:
            picture, text, *_ = view.render(*args)  # (the conditioning view adds its frame's description)
            assert text_is_right(text, *args), f"{name} at {args} prints {text!r}"
            frames.append(pixels(picture))
    for args, frame in zip(positions[1:], frames[1:]):
        fresh = pixels(make().render(*args)[0])
        differing = int((frame != fresh).any(axis=2).sum())
        assert differing == 0, f"{name} at {args}: {differing} pixels differ from a fresh drawing"
    # Different positions give different pictures: the dynamic artists are drawn.
    assert all(not np.array_equal(a, b) for a, b in zip(frames, frames[1:]))


def test_live_figure_frame_equals_a_full_draw_when_nothing_overlaps():
    live = style.LiveFigure(figsize=(3, 2))
    ax = live.fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1), title="static")
    ax.plot([0.2, 0.8], [0.9, 0.9], color="k")  # static, away from the moving line and the spines
    line = live.dynamic("line", ax.plot([0.2, 0.8], [0.2, 0.2], color=style.BLUE)[0])
    live.png()
    line.set_ydata([0.5, 0.5])
    blitted = pixels(live.png())
    line.set_animated(False)
    live.canvas.draw()
    full = np.asarray(live.canvas.buffer_rgba())[..., :3]
    np.testing.assert_array_equal(blitted, full)


def test_live_figure_replaces_an_artist_registered_under_the_same_name():
    live = style.LiveFigure(figsize=(2, 2))
    ax = live.fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    blank = pixels(live.png())
    first = live.dynamic("dot", ax.plot([0.5], [0.5], "o", color=style.BLUE)[0])
    with_dot = pixels(live.png())
    first.remove()
    live.dynamic("dot", ax.plot([], [])[0])
    assert not np.array_equal(blank, with_dot)
    np.testing.assert_array_equal(pixels(live.png()), blank)


def test_live_figure_overlay_stays_on_top_of_the_dynamic_artists():
    live = style.LiveFigure(figsize=(3, 2))
    ax = live.fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    band = live.dynamic("band", ax.axhspan(0.3, 0.7, color=style.BLUE))  # under the legend, then moved away
    legend = live.overlay(ax.legend([band], ["moving band"], loc="center", framealpha=1))
    before = pixels(live.png())
    box = legend.get_window_extent(live.canvas.get_renderer())
    height = before.shape[0]
    rows = slice(int(height - box.y1) + 1, int(height - box.y0) - 1)
    cols = slice(int(box.x0) + 1, int(box.x1) - 1)
    band.set_y(0.0)  # axhspan is a Rectangle in axes-x / data-y coordinates
    after = pixels(live.png())
    assert not np.array_equal(before, after)  # the band moved ...
    np.testing.assert_array_equal(before[rows, cols], after[rows, cols])  # ... but not over the legend
    assert (before[rows, cols] == 255).all(axis=2).mean() > 0.5  # the legend box is mostly white, not band blue


def test_conditioning_frame_description_follows_its_state():
    """Issue 27: the widget's frame carries a text alternative that follows the sliders: κ (worked out here), the
    step, where the edge of divergence lies (1 + β times 2/λmax), which side of it the step is, and the run's fate."""
    view = conditioning.ConditioningView()
    for mu1, mu2, sigma, fraction, center, beta in [(2, 1, 0.5, 0.5, False, 0.0), (2, 1, 0.5, 1.02, False, 0.0),
                                                    (0, 0, 3, 0.05, True, 0.0), (2, 1, 0.5, 1.5, False, 0.6),
                                                    (1, 1, 0.5, 1.9, False, 0.6)]:
        png, text, description = view.render(mu1, mu2, sigma, fraction, center, beta)
        kappa = 1 + (0 if center else mu1 ** 2 + mu2 ** 2) / sigma ** 2
        assert printed(description, kappa), description
        edge = 1 + beta
        assert f"{'below' if fraction < edge else 'beyond'} the edge of divergence at {edge:.2f} × 2/λmax" in description
        assert f"step {fraction:.2f} × 2/λmax" in description
        state = conditioning.widget_state(mu1, mu2, sigma, fraction, center, beta)
        assert state["gd"]["text"] in description and state["gd"]["text"] in text
        assert ("round contours" in description) == center
        run, _, dashed = description.partition(" The dashed curve")
        assert ("diverged" in run) == (state["gd"]["status"] == "diverged")
        assert bool(dashed) == bool(beta) and (not beta or state["plain"]["text"] in dashed)
    # LeCun's step (0.5 of the edge) in plain descent reaches the valley floor in one step; a larger one zig-zags
    assert "valley floor in one step" in view.render(2, 1, 0.5, 0.5, False)[2]
    assert "zig-zagging across the valley" in view.render(2, 1, 0.5, 0.9, False)[2]
    assert "ever wider" in view.render(2, 1, 0.5, 1.02, False)[2]
