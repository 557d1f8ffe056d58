"""The workbook's shared package: `import utils` in every notebook.

Submodules, one idea each (torch is imported only inside the functions that need it):
  data          the fixed data and parameters: getdata(), getparams()
  mlp           the ReLU network of notebook 04: forward, backward, autograd reference
  gradcheck     centered finite differences and the relative error of CS231n
  threshold     threshold units, gates, polygons (notebook 01)
  tanhnet       the small tanh network of notebook 02
  conditioning  Hessian, eigenvalues, gradient descent (notebook 03)
  sharpness     largest Hessian eigenvalue by Hessian-vector products; the edge of stability (notebook 04)
  diagrams      network and computational-graph drawings
  checks        exercise checks with specific feedback
"""
from importlib import import_module

from .data import getdata, getparams

_SUBMODULES = ("data", "mlp", "gradcheck", "threshold", "tanhnet", "conditioning", "sharpness", "diagrams", "checks",
               "style")
__all__ = ["getdata", "getparams", *_SUBMODULES]


def __getattr__(name):
    # Load submodules on first use, so `import utils` stays light.
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'utils' has no attribute {name!r}")
