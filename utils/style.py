"""Colours and figure defaults shared by every plot: the Okabe-Ito palette, safe for colour-blind readers."""
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO

CLASS_A = BLUE        # shaded where a unit fires / class A
NEUTRAL = "#FFFFFF"   # class B background
BOUNDARY = VERMILLION # decision boundaries and outlines
ARROW = BLACK
SERIES = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY)  # line plots, in order
