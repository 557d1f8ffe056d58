"""Checks of notebook 02: the right answer passes, each recognised mistake produces its message, malformed answers a message."""
import pytest

from utils import checks, tanhnet


def fails_with(check, answer, pattern, *more):
    with pytest.raises(checks.CheckFailed, match=pattern):
        check(answer, *more)


def test_dy_dw24(capsys):
    checks.check_dy_dw24(lambda x, w: tanhnet.closed_form(x, w)["w24"])
    assert "✓" in capsys.readouterr().out
    F = tanhnet.forward
    fails_with(checks.check_dy_dw24, lambda x, w: F(x, w)["x2"] * (w["w45"] * (1 - F(x, w)["a5"] ** 2) + w["w46"] * (1 - F(x, w)["a6"] ** 2)), r"\(1 - a4²\).*missing")
    fails_with(checks.check_dy_dw24, lambda x, w: tanhnet.closed_form(x, w)["w14"], "dy/dw14")
    fails_with(checks.check_dy_dw24, lambda x, w: tanhnet.closed_form(x, w)["w23"], "dy/dw23")
    fails_with(checks.check_dy_dw24, lambda x, w: -tanhnet.closed_form(x, w)["w24"], "sign")
    fails_with(checks.check_dy_dw24, lambda x, w: None, "return")
    fails_with(checks.check_dy_dw24, lambda x, w: [1.0], "number")
    fails_with(checks.check_dy_dw24, lambda x, w: float("nan"), "nan")


def test_dy_dw46(capsys):
    checks.check_dy_dw46(lambda x, w: tanhnet.closed_form(x, w)["w46"])
    assert "✓" in capsys.readouterr().out
    fails_with(checks.check_dy_dw46, lambda x, w: tanhnet.forward(x, w)["a4"], r"\(1 - a6²\).*missing")
    fails_with(checks.check_dy_dw46, lambda x, w: tanhnet.closed_form(x, w)["w36"], "dy/dw36")
    fails_with(checks.check_dy_dw46, lambda x, w: tanhnet.closed_form(x, w)["w45"], "dy/dw45")
    fails_with(checks.check_dy_dw46, lambda x, w: (lambda f: f["a4"] * (1 - f["a6"]))(tanhnet.forward(x, w)), "1 - a²")
