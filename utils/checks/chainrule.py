"""Checks of notebook 02 (tanh chain rule)."""
import numpy as np

from .. import tanhnet
from ._core import CheckFailed, Exercise, _array, _call, _close, _fail, _match_mistakes, _number, _ok, _ratio_hint, run  # noqa: F401


def _tanh_cases(n=5, seed=2):
    rng = np.random.default_rng(seed)
    return [((float(a), float(b)), tanhnet.random_weights(rng)) for a, b in rng.standard_normal((n, 2))]


def check_dy_dw24(fn):
    """fn(x, w) -> dy/dw24 = x2 (1 - a4^2) [w45 (1 - a5^2) + w46 (1 - a6^2)]."""
    __tracebackhide__ = True
    d = lambda f, k: 1 - f["a" + k] ** 2  # noqa: E731
    mistakes = [
        ("the factor (1 - a4²), the derivative of tanh at unit 4, is missing",
         lambda x, w: (lambda f: f["x2"] * (w["w45"] * d(f, "5") + w["w46"] * d(f, "6")))(tanhnet.forward(x, w))),
        ("the factors (1 - a5²) and (1 - a6²) of units 5 and 6 are missing",
         lambda x, w: (lambda f: f["x2"] * d(f, "4") * (w["w45"] + w["w46"]))(tanhnet.forward(x, w))),
        ("that is dy/dw14: w24 multiplies x2, not x1",
         lambda x, w: tanhnet.backward(x, w)[0]["w14"]),
        ("that is dy/dw23: w24 feeds unit 4, so use a4, w45 and w46",
         lambda x, w: tanhnet.backward(x, w)[0]["w23"]),
        ("tanh' is 1 - a², not 1 - a: square the activations",
         lambda x, w: (lambda f: f["x2"] * (1 - f["a4"]) * (w["w45"] * (1 - f["a5"]) + w["w46"] * (1 - f["a6"])))(tanhnet.forward(x, w))),
        ("tanh' must be taken at the activation a = tanh(z): you squared z instead of a",
         lambda x, w: (lambda f: f["x2"] * (1 - f["z4"] ** 2) * (w["w45"] * (1 - f["z5"] ** 2) + w["w46"] * (1 - f["z6"] ** 2)))(tanhnet.forward(x, w))),
    ]
    _match_mistakes("dy_dw24", fn, lambda x, w: tanhnet.closed_form(x, w)["w24"], mistakes, _tanh_cases())
    _ok("dy/dw24 = x2 (1 - a4²) [w45 (1 - a5²) + w46 (1 - a6²)] matches on 5 random networks")


def check_dy_dw46(fn):
    """fn(x, w) -> dy/dw46 = a4 (1 - a6^2)."""
    __tracebackhide__ = True
    mistakes = [
        ("the factor (1 - a6²), the derivative of tanh at unit 6, is missing",
         lambda x, w: tanhnet.forward(x, w)["a4"]),
        ("that is dy/dw36: w46 carries a4, not a3",
         lambda x, w: tanhnet.backward(x, w)[0]["w36"]),
        ("that is dy/dw45: w46 feeds unit 6, so the factor is (1 - a6²)",
         lambda x, w: tanhnet.backward(x, w)[0]["w45"]),
        ("tanh' is 1 - a², not 1 - a",
         lambda x, w: (lambda f: f["a4"] * (1 - f["a6"]))(tanhnet.forward(x, w))),
        ("the factor is (1 - a6²) of the unit w46 feeds, not (1 - a4²)",
         lambda x, w: (lambda f: f["a4"] * (1 - f["a4"] ** 2))(tanhnet.forward(x, w))),
    ]
    _match_mistakes("dy_dw46", fn, lambda x, w: tanhnet.closed_form(x, w)["w46"], mistakes, _tanh_cases())
    _ok("dy/dw46 = a4 (1 - a6²) matches on 5 random networks")
