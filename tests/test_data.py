import io
import shutil
import zipfile

import numpy as np
import pytest

import utils
from utils import data, mlp


def test_shapes_and_dtypes():
    X, T = utils.getdata()
    W, B = utils.getparams()
    assert X.shape == (100, 4) and T.shape == (100, 1) and X.dtype == T.dtype == np.float64
    assert [w.shape for w in W] == [(4, 6), (6, 6), (6, 6), (6, 1)]
    assert [b.shape for b in B] == [(6,), (6,), (6,), (1,)]


def test_relus_neither_all_dead_nor_all_active():
    X, _ = utils.getdata()
    W, B = utils.getparams()
    _, Z, _ = mlp.forward(X, W, B)
    for z in Z[:-1]:
        assert 0.2 < (z > 0).mean() < 0.8


def test_fresh_copies():
    X, T = utils.getdata()
    W, B = utils.getparams()
    X[:] = 0
    W[0][:] = 0
    B.pop()
    X2, _ = utils.getdata()
    W2, B2 = utils.getparams()
    assert np.any(X2 != 0) and np.any(W2[0] != 0) and len(B2) == 4


def test_regeneration_is_bit_identical(tmp_path):
    data.regenerate(tmp_path)
    for name in ("data.npz", "params.npz", "SHA256SUMS"):
        assert (tmp_path / name).read_bytes() == (data.DATA_DIR / name).read_bytes()


@pytest.fixture
def data_copy(tmp_path):
    for name in ("data.npz", "params.npz", "SHA256SUMS"):
        shutil.copy(data.DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_flipped_byte_is_detected(data_copy):
    blob = bytearray((data_copy / "data.npz").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (data_copy / "data.npz").write_bytes(bytes(blob))
    with pytest.raises(data.DataIntegrityError, match=r"data\.npz.*checksum.*make data"):
        data.getdata(data_copy)


def test_truncated_file_is_detected(data_copy):
    (data_copy / "params.npz").write_bytes((data_copy / "params.npz").read_bytes()[:100])
    with pytest.raises(data.DataIntegrityError, match="params.npz"):
        data.getparams(data_copy)


def test_missing_file_names_the_file(data_copy):
    (data_copy / "data.npz").unlink()
    with pytest.raises(data.DataIntegrityError, match=r"data\.npz is missing.*git checkout"):
        data.getdata(data_copy)


def test_pickle_is_never_loaded_even_with_a_matching_checksum(data_copy):
    """A pickle-bearing archive whose checksum was updated to match still fails: allow_pickle stays off."""
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("X.npy", member.getvalue())
        zf.writestr("T.npy", member.getvalue())
    blob = buf.getvalue()
    (data_copy / "data.npz").write_bytes(blob)
    sums = [f"{data.sha256(blob)}  data.npz" if line.endswith("data.npz") else line
            for line in (data_copy / "SHA256SUMS").read_text().splitlines()]
    (data_copy / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    with pytest.raises(data.DataIntegrityError, match="plain arrays"):
        data.getdata(data_copy)
