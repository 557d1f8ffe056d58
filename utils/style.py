"""Colours and figure defaults shared by every plot: the Okabe-Ito palette, safe for colour-blind readers."""
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO

CLASS_A = BLUE        # shaded where a unit fires / class A
NEUTRAL = "#FFFFFF"   # class B background
BOUNDARY = VERMILLION # decision boundaries and outlines
ARROW = BLACK
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY)  # line plots, in order


def png(fig, dpi=80):
    """The figure as PNG bytes at `dpi`, without the tight-bbox pass (which draws the figure a second time)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def figure(**kwargs):
    """A matplotlib Figure outside pyplot, for widgets: it is shown only when its PNG is displayed."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def plain_log_ticks(axis):
    """Log-scale ticks on `axis` (ax.xaxis or ax.yaxis) labelled 1e-03 rather than with mathtext, which is slow to
    draw, and without minor ticks."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axis.set_major_locator(LogLocator(numticks=6))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))


def live_output(controls, render):
    """Wire ipywidgets to a picture: every change of a control in `controls` (name -> widget) calls
    render(**values), which returns (PNG bytes, text); both replace the previous ones in the returned
    Output widget. Draws once at once."""
    import ipywidgets
    from IPython.display import Image, display

    out = ipywidgets.Output()

    def redraw(_change=None):
        picture, text = render(**{name: control.value for name, control in controls.items()})
        with out:
            out.clear_output(wait=True)
            display(Image(picture))
            print(text)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return out
