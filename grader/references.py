"""The package's reference implementations: in a sandbox each is a stub that raises ReferenceImplementationUsed.

Data, kept beside the grader: dotted names `utils.MODULE.FUNCTION` (or `utils.MODULE.CLASS.METHOD`). An
Exercise can name more of its own in an optional `references` attribute (a tuple of such names); the grader
stubs the union. A stubbed function keeps its signature and docstring; its body raises, in the copy of the
package the sandbox imports, so `importlib.reload` and reading the module's source find the stub too.
Instructor cells that call a reference (demonstrations) fail in the sandbox; that is harmless, since grading
uses only the functions the solution cells define.
"""
REFERENCES = (
    # notebook 02: the tanh network's gradients
    "utils.tanhnet.backward",
    "utils.tanhnet.closed_form",
    "utils.tanhnet.numerical_gradients",
    "utils.tanhnet.autograd_gradients",
    # notebook 03: the Hessian, its spectrum, condition number and step sizes
    "utils.conditioning.hessian",
    "utils.conditioning.eigenvalues",
    "utils.conditioning.condition_number",
    "utils.conditioning.step_size",
    "utils.conditioning.predicted_rate",
    "utils.conditioning.centered_kappa",
    # notebook 04: the numpy backward pass, the torch error and autograd's gradients
    "utils.mlp.backward",
    "utils.mlp.backward_unchecked",
    "utils.mlp.error_torch",
    "utils.mlp.autograd_gradients",
    # any gradient: finite differences of the package would pass a gradient exercise without the chain rule
    "utils.gradcheck.numerical_gradient",
    # notebook 01: the networks the exercises ask for
    "utils.threshold.square_network",
    "utils.threshold.halfplane_layer",
    "utils.threshold.polygon_network",
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
