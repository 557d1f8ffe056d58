"""Deny by default (utils.checks._deny): while an exercise is checked, nothing of the package that computes or holds an
answer can be used, and nothing that can be used passes an exercise."""
import functools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from helpers import forget_deny_list, leaks
from utils import conditioning, mlp, threshold
from utils.checks import _deny

ROOT = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]  # helpers.py


@pytest.fixture
def fresh():
    """The deny list worked out afresh in the test: it is cached, and a test reading the cache sees the list an earlier
    test (or under `make mutate` the process it was forked from) worked out. Cleared again after it."""
    forget_deny_list()
    yield
    forget_deny_list()


def test_answers_are_denied_and_building_blocks_are_not(fresh):
    denied, allowed = _deny.denied_names(), _deny.allowed_names()
    for name in ("utils.mlp.backward", "utils.mlp.error_torch", "utils.tanhnet.backward", "utils.tanhnet._backward",
                 "utils.tanhnet.closed_form", "utils.conditioning.hessian", "utils.conditioning.condition_number",
                 "utils.conditioning.gradient_descent", "utils.threshold.xor_network", "utils.threshold.SQUARE_W0",
                 "utils.checks.conditioning._kappa_judge", "utils.checks.tanhnet._dw24", "utils.gradcheck.numerical_gradient"):
        assert denied.get(name), name
    for name in ("utils.data.getdata", "utils.data.getparams", "utils.mlp.forward", "utils.tanhnet.forward",
                 "utils.gradcheck.relative_error", "utils.threshold.step", "utils.checks.conditioning._kappa_collect"):
        assert name in allowed and name not in denied, name
    assert not set(denied) & allowed


def test_names_used_only_inside_a_lambda_are_followed():
    """The references of a function are read from its bytecode and from the code nested in it (lambdas,
    comprehensions): dy_dw46's judge names tanhnet.closed_form only inside its mistakes' lambdas."""
    from utils.checks import tanhnet as tanhnet_checks

    defined = {name: _deny.definitions(module) for name, module in _deny.modules().items()}
    # the judge itself, or under `make mutate` (where it is a trampoline) the functions it holds
    functions = _deny._functions_in(tanhnet_checks._dw46_judge)
    assert functions
    found = set().union(*(_deny._references(f, defined) for f in functions))
    assert {"utils.tanhnet.closed_form", "utils.tanhnet.forward", "utils.checks.tanhnet._dw46"} <= found, found


# slow: under `make mutate` every function of the package is one of mutmut's trampolines, and this test calls every
# allowed one on every exercise's cases: minutes for each mutant it would be run on (3 s here). make test runs it.
@pytest.mark.slow
def test_no_allowed_callable_passes_any_exercise():
    assert leaks() == []


def test_suspended_denies_names_bound_before_and_puts_everything_back():
    from utils.conditioning import condition_number  # bound before the check: its code is swapped, so it raises too

    code, square = condition_number.__code__, threshold.SQUARE_W0
    with _deny.suspended():
        for call in (lambda: condition_number(np.ones(2), 1.0), lambda: conditioning.hessian(np.ones(2), 1.0),
                     lambda: threshold.SQUARE_W0, lambda: mlp.backward(None, None, None, None)):
            with pytest.raises(_deny.ReferenceImplementationUsed, match="uses the reference implementation `utils"):
                call()
        assert mlp.forward(np.ones((1, 4)), *[[np.ones((4, 1))], [np.zeros(1)]])[0].shape == (1, 1)
    assert condition_number.__code__ is code and threshold.SQUARE_W0 is square
    assert condition_number(np.ones(2), 1.0) == 3.0
    assert "__getattr__" not in vars(threshold)


def test_suspended_puts_everything_back_when_the_check_raises():
    with pytest.raises(ZeroDivisionError):
        with _deny.suspended():
            1 / 0
    assert conditioning.condition_number(np.ones(2), 1.0) == 3.0 and threshold.SQUARE_B0.shape == (4,)


PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from utils.checks import _deny
from helpers import forget_deny_list, leaks
from utils import checks

def found():
    return {"denied": _deny.denied_names().get("utils.conditioning.kappa_of"),
            "leaks": leaks({"check-kappa": checks.EXERCISES["check-kappa"]})}

as_added = found()
_deny.ALLOWED = _deny.ALLOWED + ("utils.conditioning.kappa_of",)  # then put on the allowlist
forget_deny_list()
print(json.dumps([as_added, found()]))
"""

HELPER = '''

def kappa_of(mu, sigma):
    """A helper added later: it returns an exercise's answer."""
    return 1 + float(mu @ mu) / sigma ** 2
'''


def test_a_new_helper_that_returns_an_answer_is_denied_or_found(tmp_path):
    """A helper added to a module's source is denied with no list to update; put on the allowlist, the leak finder
    names it (in a copy of the package, imported in a fresh interpreter: both, one after the other)."""
    copy = tmp_path / "lib"
    shutil.copytree(ROOT / "utils", copy / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "utils" / "conditioning.py", "a") as f:
        f.write(HELPER)
    done = subprocess.run([sys.executable, "-I", "-c", textwrap.dedent(PROBE), str(copy), str(TESTS)],
                          capture_output=True, text=True, timeout=300, env={"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    as_added, allowlisted = json.loads(done.stdout.splitlines()[-1])
    assert as_added == {"denied": "function", "leaks": []}
    assert allowlisted == {"denied": None, "leaks": [["check-kappa", "utils.conditioning.kappa_of"]]}


def test_suspended_leaves_other_libraries_alone():
    """A denied class of the package may hold functions of other libraries (a NamedTuple holds typing.NamedTuple
    among its bases): only the package's own code is swapped."""
    import typing

    assert any(kind == "class" and issubclass(getattr(_deny.modules()[n.rpartition(".")[0]], n.rpartition(".")[2]),
                                              tuple) for n, kind in _deny.denied_names().items()), \
        "no denied NamedTuple left to test with"
    with _deny.suspended():
        assert typing.NamedTuple("Pair", [("a", int)])(1).a == 1


def test_a_wrapped_collect_is_followed_to_the_functions_it_holds():
    """A wrapper made elsewhere (functools.wraps; mutation testing's trampolines) is followed through its closure and
    __wrapped__ to the package's functions it calls: they stay allowed."""
    import functools

    from utils.checks import threshold as threshold_checks

    inner = threshold_checks._collect_weights

    def outer(*args):
        return table["call"](*args)
    table = {"call": inner}
    wrapper = functools.wraps(inner)(outer)
    # what the function itself leads to: itself, or under `make mutate` (where it is a trampoline) its mutants
    direct = set(_deny._functions_in(inner))
    if "MUTANT_UNDER_TEST" not in os.environ:  # mutmut sets it, to "" for its clean run of the tests
        assert direct == {inner}
    assert set(_deny._functions_in(wrapper)) == direct  # functools.wraps made outer itself the wrapper


# ---- _imported, _import_time, _missing_constant, definitions

def _module_from_source(tmp_path, source):
    """A module imported from `source` written to a file of tmp_path (the deny list reads a module's source)."""
    import importlib.util

    path = tmp_path / "probe_module.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(f"probe_{tmp_path.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_definitions_are_the_top_level_functions_classes_and_constants_but_not_dunders_or_mutants(tmp_path):
    """What a module defines (and so what can be denied): its functions, classes and the names its top-level
    assignments bind, not what it imports, not dunders, not mutation testing's copies of a function."""
    module = _module_from_source(tmp_path, '''
        """A module of every kind of top-level definition."""
        import os
        from math import pi

        __all__ = ["forward"]
        __version__: str = "1"
        RATE = 0.5
        STEPS: int = 3
        LOW = HIGH = 1
        AGREE, NOISE = 1e-7, 1e-4
        [FIRST, (NESTED, PAIR)] = 1, (2, 3)
        os.environ.get("HOME")
        __private = 1
        trailing__ = 2


        def forward(x):
            inner = 3
            return x * inner


        async def fetch():
            return pi


        class Layer:
            size = 2

            def apply(self):
                return self.size


        def x_forward__mutmut_1(x):
            return x
        x_forward__mutmut_mutants = {"x_forward__mutmut_1": x_forward__mutmut_1}
        ''')
    assert _deny.definitions(module) == {
        "RATE": "constant", "STEPS": "constant", "LOW": "constant", "HIGH": "constant",
        "AGREE": "constant", "NOISE": "constant", "FIRST": "constant", "NESTED": "constant", "PAIR": "constant",
        "__private": "constant", "trailing__": "constant",
        "forward": "function", "fetch": "function", "Layer": "class"}


def test_import_time_finds_what_decorators_and_default_values_use_but_not_function_bodies(tmp_path):
    """A module's import runs its top-level code, its decorators, the default values of its functions and lambdas,
    and class bodies: what they read must exist in the grader's copy of the module, what they call must work there.
    The functions' bodies run later."""
    module = _module_from_source(tmp_path, '''
        def identity(f):
            return f


        def tagged(name):
            return identity


        def make():
            return 1


        def later():
            raise AssertionError("runs only when called")


        SIZE = make()


        @identity
        @tagged("scaled")
        def scaled(x=SIZE, *, by, into=make):
            return later(x, by, into)


        shifted = lambda a=SIZE, *, b: later(a, b)


        class Layer:
            width = len([SIZE])

            def apply(self, v=SIZE):
                return later(v)
        ''')
    loaded, called = _deny._import_time(module)
    assert loaded == {"make", "SIZE", "identity", "tagged", "len"}
    assert called == {"make", "tagged", "len"}


def _references_of(source, globals_):
    """_references of the function `f` that `source` defines, made in `globals_` (it is never called)."""
    exec(source, globals_)
    defined = {name: _deny.definitions(module) for name, module in _deny.modules().items()}
    return _deny._references(globals_["f"], defined)


IN_CHECKS = {"__name__": "utils.checks.probe", "__package__": "utils.checks"}  # a module of utils.checks


def test_a_constant_read_by_its_bare_name_is_found_in_the_functions_own_module():
    """A function of utils.checks.mlp that reads SIZES (a tuple, which names no module) reaches that module's
    constant: the module is the one the function's globals name."""
    assert _references_of("def f():\n    return SIZES\n", {"__name__": "utils.checks.mlp", "SIZES": (4, 1)}) \
        == {"utils.checks.mlp.SIZES"}


@pytest.mark.parametrize("imports, returned, expected", [
    ("from . import threshold", "threshold._layer", {"utils.checks.threshold._layer"}),
    ("from .threshold import _layer", "_layer", {"utils.checks.threshold._layer"}),
    ("from .. import mlp", "mlp.backward", {"utils.mlp.backward"}),
    ("from ..tanhnet import closed_form", "closed_form", {"utils.tanhnet.closed_form"}),
    ("from utils import tanhnet", "tanhnet.forward", {"utils.tanhnet.forward"}),
    ("from utils.conditioning import hessian, no_such_name", "hessian", {"utils.conditioning.hessian"}),
    ("from os.path import join", "join", set()),
], ids=["level 1 module", "level 1 name", "level 2 module", "level 2 name", "level 0 module",
        "level 0 name and a name the module lacks", "another library"])
def test_a_from_import_inside_a_function_is_followed_to_what_it_binds(imports, returned, expected):
    """`from X import y` inside a function is read from its bytecode: the module X at its level (relative to the
    function's package), then y in it; a name the module lacks (a guarded optional import) and other libraries
    are skipped."""
    assert _references_of(f"def f():\n    {imports}\n    return {returned}\n", dict(IN_CHECKS)) == expected


def test_a_from_import_is_followed_without_a_package_and_after_many_constants():
    """An absolute import needs no __package__ (a function made by exec in globals of its own), and is found after
    more than 256 constants, where the compiler puts an EXTENDED_ARG between the import's level and its names."""
    import dis

    plain = "def f():\n    from utils.mlp import backward\n    return backward\n"
    assert _references_of(plain, {"__name__": "probe"}) == {"utils.mlp.backward"}
    constants = "".join(f"    x = 'constant {k}'\n" for k in range(300))
    long = plain.replace("def f():\n", "def f():\n" + constants)
    ops = [ins.opname for ins in dis.get_instructions(compile(long, "<long>", "exec").co_consts[0])]
    assert ops[ops.index("IMPORT_NAME") - 2] == "EXTENDED_ARG", ops[-8:]  # what this test is about
    assert _references_of(long, dict(IN_CHECKS)) == {"utils.mlp.backward"}
    # a relative import there: its level is read past the EXTENDED_ARG
    relative = long.replace("from utils.mlp import backward", "from .. import mlp").replace("return backward",
                                                                                            "return mlp.backward")
    assert _references_of(relative, dict(IN_CHECKS)) == {"utils.mlp.backward"}


def test_a_suspended_module_still_raises_attribute_error_naming_a_missing_attribute():
    """While a module's denied constants are gone, reading one raises ReferenceImplementationUsed, and reading a name
    the module never had still raises Python's own AttributeError (`getattr` with a default and `hasattr` work)."""
    with pytest.raises(AttributeError) as unsuspended:
        threshold.no_such_name
    with _deny.suspended({"utils.threshold.SQUARE_W0": "constant"}):
        with pytest.raises(_deny.ReferenceImplementationUsed, match="^uses the reference implementation "
                                                                    "`utils.threshold.SQUARE_W0`$"):
            threshold.SQUARE_W0
        with pytest.raises(AttributeError) as raised:
            threshold.no_such_name
        assert str(raised.value) == str(unsuspended.value) == "module 'utils.threshold' has no attribute 'no_such_name'"
        assert getattr(threshold, "no_such_name", 7) == 7 and not hasattr(threshold, "no_such_name")
    assert threshold.SQUARE_W0.shape == (2, 4) and "__getattr__" not in vars(threshold)


# ---- _references, _functions_in, _ours, _filled

# two cells: Python 3.11 compiles `threshold.xor_network()` to LOAD_ATTR where the same code imports `threshold` at
# top level, to LOAD_METHOD in a later cell
IMPORTS = '''
import utils.checks.threshold
from utils import threshold
'''
SOLUTION = '''
def solution(x, y):
    from utils.mlp import backward
    from utils import conditioning

    class Net:
        bias = threshold.SQUARE_B0

    rows = [threshold.SQUARE_W0 for _ in x]
    return (backward(x, y), conditioning.hessian(x, 1.0), threshold.xor_network(), rows, Net,
            utils.checks.threshold._square_judge, threshold.no_such_name if y is None else None)
'''


def test_references_are_every_name_of_the_package_a_notebooks_function_reaches():
    """What a function defined in a notebook (module `__main__`, not the package's) reaches, read from its bytecode:
    names imported inside it (`from utils.mlp import backward`; a module with every attribute it reads), a global
    module's attributes read or called (LOAD_ATTR, LOAD_METHOD), an attribute chain, names read in a comprehension
    and in a class body (LOAD_NAME); a missing attribute is no reference. After an import the rest of the code is
    still read."""
    namespace = {"__name__": "__main__"}
    for cell in (IMPORTS, SOLUTION):
        exec(compile(cell, "<notebook cell>", "exec"), namespace)
    defined = {name: _deny.definitions(module) for name, module in _deny.modules().items()}
    assert _deny._references(namespace["solution"], defined) == {
        "utils.mlp.backward", "utils.conditioning.hessian", "utils.threshold.xor_network",
        "utils.threshold.SQUARE_W0", "utils.threshold.SQUARE_B0", "utils.checks.threshold._square_judge"}


def _package_function(name):
    """A function of the package as `_ours` tells one (its source file is in the package), made here: a plain
    function in every run, where under `make mutate` the package's own are mutmut's trampolines."""
    namespace = {}
    exec(compile(f"def {name}():\n    return {name!r}\n", str(Path(mlp.__file__).parent / f"{name}.py"), "exec"),
         namespace)
    return namespace[name]


def _closing_over(value):
    """A wrapper made outside the package that holds `value` in its closure."""
    def wrapper(*args):
        return value(*args)
    return wrapper


HOLDERS = {
    "staticmethod": staticmethod, "classmethod": classmethod,
    "property getter": property, "property setter": lambda f: property(None, f),
    "property deleter": lambda f: property(None, None, f),
    "partial's function": functools.partial, "partial's argument": lambda f: functools.partial(print, f),
    "partial's keyword": lambda f: functools.partial(print, end=f),
    "class": lambda f: type("Holder", (), {"method": f}),
    "dict": lambda f: {"f": f}, "list": lambda f: [f], "tuple": lambda f: (f,),
    "closure": _closing_over, "__wrapped__": lambda f: functools.wraps(f)(lambda *args: None),
}


@pytest.mark.parametrize("hold", HOLDERS.values(), ids=HOLDERS)
def test_a_function_of_the_package_is_found_in_whatever_holds_it(hold):
    """What `allowed_names` follows from an allowed name, and what `suspended` swaps for a denied one while a
    student's function runs: the package's functions the value holds, and no other's."""
    answer = _package_function("answer")
    assert _deny._functions_in(answer) == [answer]
    assert _deny._functions_in(hold(answer)) == [answer]
    assert _deny._functions_in(hold(_package_function)) == []  # a function of the tests


NESTED = {k: HOLDERS[k] for k in ("dict", "list", "tuple", "closure")}


@pytest.mark.parametrize("wrap", NESTED.values(), ids=NESTED)
def test_containers_and_wrappers_are_followed_four_levels_deep(wrap):
    """"A few levels deep": four containers or wrappers, one inside the other, are followed; the function in a
    fifth is not."""
    answer = _package_function("answer")
    held = answer
    for _ in range(4):
        held = wrap(held)
    assert _deny._functions_in(held) == [answer]
    assert _deny._functions_in(wrap(held)) == []


CYCLES = {k: HOLDERS[k] for k in ("staticmethod", "classmethod", "property getter", "partial's function", "dict",
                                   "list")}


@pytest.mark.parametrize("hold", CYCLES.values(), ids=CYCLES)
def test_a_wrapper_that_holds_itself_is_followed_to_an_end(hold):
    """A wrapper whose closure holds itself through a descriptor, a partial or a container (a recursive helper):
    the depth counts through each holder, so following it ends, with the package's function it also holds."""
    answer = _package_function("answer")

    def wrapper(*args):
        return answer(*args), again

    again = hold(wrapper)
    assert set(_deny._functions_in(wrapper)) == {answer}


def test_a_closure_over_a_name_not_yet_assigned_is_followed():
    """A wrapper made before a name it closes over is assigned (an empty cell): the cells that are filled are
    followed."""
    answer = _package_function("answer")

    def wrapper(*args):
        return helper(answer(*args))

    assert _deny._functions_in(wrapper) == [answer]

    def helper(value):
        return value
