"""The package's reference implementations: in a sandbox each is a stub that raises ReferenceImplementationUsed.

Data, kept beside the grader: dotted names `utils.MODULE.FUNCTION` (or `utils.MODULE.CLASS.METHOD`, or
`utils.MODULE.CONSTANT` for an answer stored as a module-level constant: reading it raises). An
Exercise can name more of its own in an optional `references` attribute (a tuple of such names); the grader
stubs the union. A stubbed function keeps its signature and docstring; its body raises, in the copy of the
package the sandbox imports, so `importlib.reload` and reading the module's source find the stub too.
Instructor cells that call a reference (demonstrations) fail in the sandbox; that is harmless, since grading
uses only the functions the solution cells define.
"""
REFERENCES = (
    # notebook 02: the tanh network's gradients, and the counted helpers behind them (on the counting numbers
    # they pass the check's multiplication count; batch_gradients and layered_gradients compute the same values)
    "utils.tanhnet.backward",
    "utils.tanhnet._backward",
    "utils.tanhnet.closed_form",
    "utils.tanhnet._closed_form",
    "utils.tanhnet._layered_backprop",
    "utils.tanhnet._layered_naive",
    "utils.tanhnet.layered_gradients",
    "utils.tanhnet.batch_gradients",
    "utils.tanhnet.numerical_gradients",
    "utils.tanhnet.autograd_gradients",
    # notebook 03: the Hessian (bias_hessian holds it as a block), its spectrum, condition number, step sizes,
    # the predicted step count and the general covariance's Hessian and condition number
    "utils.conditioning.hessian",
    "utils.conditioning.bias_hessian",
    "utils.conditioning.eigenvalues",
    "utils.conditioning.condition_number",
    "utils.conditioning.step_size",
    "utils.conditioning.predicted_rate",
    "utils.conditioning.predicted_steps",
    "utils.conditioning.centered_kappa",
    "utils.conditioning.general_hessian",
    "utils.conditioning.matrix_condition_number",
    # notebook 04: the numpy backward pass (relu and tanh: an `activation` argument), its deltas (DW = Aᵀ δ is one
    # line from them), the torch error, autograd's gradients, and training (one step of it gives -eta DW)
    "utils.mlp.backward",
    "utils.mlp.backward_unchecked",
    "utils.mlp.deltas",
    "utils.mlp.deltas_unchecked",
    "utils.mlp.error_torch",
    "utils.mlp.autograd_gradients",
    "utils.sharpness.train",
    # any gradient: finite differences of the package would pass a gradient exercise without the chain rule
    "utils.gradcheck.numerical_gradient",
    # notebook 01: the networks the exercises ask for (XOR, the square and its first layer, the diamond as a
    # polygon) and the square's first-layer weights, which are data (a module attribute that raises when read)
    "utils.threshold.xor_network",
    "utils.threshold.square_network",
    "utils.threshold.SQUARE_W0",
    "utils.threshold.SQUARE_B0",
    "utils.threshold.halfplane_layer",
    "utils.threshold.polygon_network",
    "utils.threshold.union_network",
    # the checks' own right answers, beside their judges (the judges are added below): notebook 02's pass its
    # counting run too, since they compute with tanhnet.forward's values
    "utils.checks.chainrule._dw24",
    "utils.checks.chainrule._dw46",
    "utils.checks.chainrule._variant",
    "utils.checks.hessian._ratio",
    "utils.checks.backprop._layer_delta",
)

def references_for(exercises):
    """REFERENCES, every name the given Exercises list in their optional `references` attribute, and each
    Exercise's `judge` (the judge needs the right answer: in a sandbox it could serve as an oracle)."""
    names = list(REFERENCES)
    for exercise in exercises:
        judge = f"{exercise.judge.__module__}.{exercise.judge.__qualname__}"
        extra = list(getattr(exercise, "references", ()))
        if judge.startswith("utils.") and "<" not in judge:  # a lambda or a nested function has no stub
            extra.append(judge)
        names += [n for n in extra if n not in names]
    return tuple(names)
