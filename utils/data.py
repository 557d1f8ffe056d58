"""Fixed data and parameters of the backprop exercise (notebook 04).

The course's own data could not be published, so the workbook ships its own:
`datafiles/data.npz` (X, T) and `datafiles/params.npz` (W0..W3, B0..B3) inside this
package, made by `generate()` from a fixed seed and checked against
`datafiles/SHA256SUMS` on every load. They ship in the wheel as package data and are
read through `importlib.resources`, so an installed package (JupyterHub, Binder,
`pip install git+...`) finds them as a checkout does.

Regenerate them (bit-identically) with `make data`, i.e.
`python -m utils regenerate-data`.
"""
import hashlib
import io
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

SEED = 20210201  # the date of the course's sheet
N_SAMPLES = 100
LAYER_SIZES = (4, 6, 6, 6, 1)
DATA_DIR = resources.files(__package__) / "datafiles"  # a Traversable: a folder, or a place in a zip
FILES = ("data.npz", "params.npz")
RESTORE_HINT = ("restore it with `git checkout -- utils/datafiles/` or regenerate it with `make data` "
                "(an installed package: reinstall it)")


class DataIntegrityError(RuntimeError):
    """A data file is missing, altered, or not a plain array archive."""


def generate(seed=SEED):
    """Draw the data and parameters from `seed`.

    Returns {"data.npz": {"X": (N, 4), "T": (N, 1)},
             "params.npz": {"W0": (4, 6), ..., "W3": (6, 1), "B0": (6,), ..., "B3": (1,)}}.
    X ~ N(0, I); T is a smooth function of X plus noise (std 0.1). Weights are
    He-initialised (std sqrt(2 / fan_in)) and biases N(0, 0.1^2), a scale at
    which about half of each layer's ReLUs are active.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, LAYER_SIZES[0]))
    T = (np.sin(X[:, :1]) + 0.5 * X[:, 1:2] * X[:, 2:3] - 0.3 * X[:, 3:4]
         + 0.1 * rng.standard_normal((N_SAMPLES, 1)))
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])):
        params[f"W{l}"] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    for l, fan_out in enumerate(LAYER_SIZES[1:]):
        params[f"B{l}"] = 0.1 * rng.standard_normal(fan_out)
    return {"data.npz": {"X": X, "T": T}, "params.npz": params}


def npz_bytes(arrays):
    """The bytes of an .npz archive of `arrays` (dict name -> array), identical on every run.

    numpy.savez stamps the current time into the zip; this fixes it.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def regenerate(out_dir=DATA_DIR, seed=SEED):
    """Write data.npz, params.npz and SHA256SUMS into `out_dir`; return the checksums."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sums = {}
    for filename, arrays in generate(seed).items():
        blob = npz_bytes(arrays)
        (out_dir / filename).write_bytes(blob)
        sums[filename] = sha256(blob)
    (out_dir / "SHA256SUMS").write_text("".join(f"{h}  {f}\n" for f, h in sorted(sums.items())))
    return sums


def read_checksums(data_dir):
    path = data_dir / "SHA256SUMS"
    if not path.is_file():
        raise DataIntegrityError(f"{path} is missing; {RESTORE_HINT}")
    sums = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name] = digest
    return sums


def load_arrays(filename, data_dir=None):
    """Load `filename` from `data_dir` after checking its SHA-256; return fresh float64 arrays."""
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    path = data_dir / filename
    expected = read_checksums(data_dir).get(filename)
    if expected is None:
        raise DataIntegrityError(f"{data_dir / 'SHA256SUMS'} has no line for {filename}; {RESTORE_HINT}")
    if not path.is_file():
        raise DataIntegrityError(f"{path} is missing; {RESTORE_HINT}")
    blob = path.read_bytes()
    actual = sha256(blob)
    if actual != expected:
        raise DataIntegrityError(
            f"{path} does not match its checksum (expected sha256 {expected[:12]}..., "
            f"got {actual[:12]}...): the file was altered; {RESTORE_HINT}")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            return {name: np.array(archive[name], dtype=np.float64) for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise DataIntegrityError(f"{path} could not be read as plain arrays ({exc}); {RESTORE_HINT}") from None


def getdata(data_dir=None):
    """The course's data: X of shape (N, 4) and targets T of shape (N, 1), float64 copies."""
    arrays = load_arrays("data.npz", data_dir)
    return arrays["X"], arrays["T"]


def getparams(data_dir=None):
    """The course's parameters: W = [(4, 6), (6, 6), (6, 6), (6, 1)], B = [(6,), (6,), (6,), (1,)].

    Numpy orientation: Z = A_prev @ W[l] + B[l]. Fresh copies on every call.
    """
    arrays = load_arrays("params.npz", data_dir)
    depth = len(LAYER_SIZES) - 1
    return [arrays[f"W{l}"] for l in range(depth)], [arrays[f"B{l}"] for l in range(depth)]
