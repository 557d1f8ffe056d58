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


def show(fig, dpi=80):
    """Display `fig` in the notebook and close it: the fast path for widget redraws (one draw, not two)."""
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    data = png(fig, dpi)
    plt.close(fig)
    display(Image(data))
