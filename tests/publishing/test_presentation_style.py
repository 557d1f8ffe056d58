"""utils.style's two styles, and the widget figures' text size: readable on a projector in a hall.

A widget frame is a PNG shown at its pixel size; a browser draws 96 px per inch, so 10 pt on screen is 13.3 px.
The browser test of presentation mode (test_teaching.py) measures the scale the page really shows the frame at.
"""
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import pytest
from matplotlib.text import Text

from helpers import CSS_PX_PER_PT, smallest_text_px
from utils import conditioning, style, tanhnet, threshold

VIEWS = {"halfplane": (threshold.HalfplaneView, (1.0, 0.5, 0.5)),
         "saturation": (tanhnet.SaturationView, (1.0, -0.5, 1.0)),
         "conditioning": (conditioning.ConditioningView, (2, 1, 0.5, 0.5, False))}


@pytest.fixture
def presentation():
    style.use("presentation")
    try:
        yield
    finally:
        style.use("default")


def frame_of(name):
    make, args = VIEWS[name]
    view = make()
    view.render(*args)
    return view


@pytest.mark.parametrize("name", VIEWS)
def test_widget_figures_are_100_dpi_with_text_of_10_pt_or_more(name):
    view = frame_of(name)
    assert view.live.fig.dpi >= 100
    assert smallest_text_px(view) >= 10 * CSS_PX_PER_PT


@pytest.mark.parametrize("name", VIEWS)
def test_presentation_style_enlarges_every_text_and_line(name, presentation):
    big = frame_of(name)
    style.use("default")
    small = frame_of(name)
    assert smallest_text_px(big) >= 11 * CSS_PX_PER_PT
    assert smallest_text_px(big) > smallest_text_px(small)
    widths = [max(l.get_linewidth() for l in v.live.fig.findobj(matplotlib.lines.Line2D)) for v in (big, small)]
    assert widths[0] > widths[1]


def test_use_switches_and_restores_matplotlibs_values():
    before = dict(matplotlib.rcParams)
    style.use("presentation")
    try:
        assert style.current() == "presentation"
        for key, value in style.STYLES["presentation"].items():
            assert matplotlib.rcParams[key] == value
        style.use("presentation")  # twice is once
    finally:
        style.use("default")
    assert style.current() == "default"
    assert dict(matplotlib.rcParams) == before


def test_an_unknown_style_is_named():
    with pytest.raises(ValueError, match=r"style name: expected one of \['default', 'presentation'\], got 'hall'"):
        style.use("hall")


def test_the_environment_variable_picks_the_style_at_import():
    code = "import matplotlib; from utils import style; print(style.current(), matplotlib.rcParams['font.size'])"
    for value, expected in (("presentation", "presentation 13.0"), ("", "default 10.0")):
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, style.ENV_VAR: value},
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected
