import hashlib
import io
import re
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
    """Caught by the checksum, before numpy's zip reader (whose error also names the file) ever sees it."""
    blob = (data_copy / "params.npz").read_bytes()[:100]
    (data_copy / "params.npz").write_bytes(blob)
    expected = (data_copy / "SHA256SUMS").read_text().split("params.npz")[0].split()[-1]
    with pytest.raises(data.DataIntegrityError,
                       match=rf"params\.npz does not match its checksum \(expected sha256 {expected[:12]}\.\.\., "
                             rf"got {hashlib.sha256(blob).hexdigest()[:12]}\.\.\.\): the file was altered"):
        data.getparams(data_copy)


def test_a_valid_archive_with_other_numbers_is_detected(data_copy):
    """A well-formed .npz that numpy would load happily (other seed) is refused: only the checksum can tell."""
    (data_copy / "data.npz").write_bytes(data.npz_bytes(data.generate(seed=data.SEED + 1)["data.npz"]))
    with pytest.raises(data.DataIntegrityError, match=r"data\.npz does not match its checksum.*make data"):
        data.getdata(data_copy)


def test_an_altered_checksum_line_is_detected(data_copy):
    sums = (data_copy / "SHA256SUMS").read_text()
    digest = sums.split("  params.npz")[0].split()[-1]
    (data_copy / "SHA256SUMS").write_text(sums.replace(digest, "0" * 64))
    with pytest.raises(data.DataIntegrityError, match=r"params\.npz does not match its checksum \(expected sha256 "
                                                      r"000000000000\.\.\."):
        data.getparams(data_copy)


def test_checksum_file_missing_or_without_the_line(data_copy):
    sums = (data_copy / "SHA256SUMS").read_text()
    (data_copy / "SHA256SUMS").write_text("\n" + "".join(l + "\n\n" for l in sums.splitlines() if "params" not in l))
    X, _ = data.getdata(data_copy)  # blank lines are skipped
    assert X.shape == (100, 4)
    with pytest.raises(data.DataIntegrityError, match=r"SHA256SUMS has no line for params\.npz; restore it"):
        data.getparams(data_copy)
    (data_copy / "SHA256SUMS").unlink()
    with pytest.raises(data.DataIntegrityError, match=r"SHA256SUMS is missing; restore it with `git checkout"):
        data.getdata(data_copy)


def test_loaded_arrays_are_the_stored_ones_as_float64():
    """load_arrays against numpy's own reader of the same file, after its checksum against hashlib's."""
    for name in data.FILES:
        blob = (data.DATA_DIR / name).read_bytes()
        assert f"{hashlib.sha256(blob).hexdigest()}  {name}" in (data.DATA_DIR / "SHA256SUMS").read_text()
        with np.load(data.DATA_DIR / name) as archive:
            ours = data.load_arrays(name)
            assert sorted(ours) == sorted(archive.files)
            for key in archive.files:
                assert ours[key].dtype == np.float64
                np.testing.assert_array_equal(ours[key], archive[key])
    W, B = utils.getparams()
    with np.load(data.DATA_DIR / "params.npz") as archive:
        for l in range(4):
            np.testing.assert_array_equal(W[l], archive[f"W{l}"])
            np.testing.assert_array_equal(B[l], archive[f"B{l}"])


def test_generate_depends_on_the_seed():
    a, b = data.generate(), data.generate(seed=data.SEED + 1)
    assert not np.array_equal(a["data.npz"]["X"], b["data.npz"]["X"])
    assert set(b["params.npz"]) == {f"{p}{l}" for p in "WB" for l in range(4)}


def test_command_line_verifies_and_regenerates(tmp_path, capsys):
    from utils.__main__ import main

    assert main(["verify-data"]) == 0
    assert capsys.readouterr().out.splitlines() == ["data.npz: OK", "params.npz: OK"]
    assert main(["regenerate-data", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{hashlib.sha256((tmp_path / n).read_bytes()).hexdigest()}  {n}" for n in data.FILES]
    assert (tmp_path / "SHA256SUMS").read_text() == (data.DATA_DIR / "SHA256SUMS").read_text()
    with pytest.raises(SystemExit):
        main([])


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


def test_regenerate_makes_missing_folders_and_never_writes_pickles(tmp_path):
    sums = data.regenerate(tmp_path / "new" / "data")
    assert sums == {n: hashlib.sha256((tmp_path / "new" / "data" / n).read_bytes()).hexdigest() for n in data.FILES}
    with pytest.raises(ValueError, match="allow_pickle"):
        data.npz_bytes({"X": np.array([{"a": 1}], dtype=object)})


def test_command_line_help_and_default_folder(tmp_path, monkeypatch, capsys):
    from utils.__main__ import main

    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help at the terminal's width
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m utils ")
    assert re.search(r"regenerate-data\s+write datafiles/\*\.npz and SHA256SUMS from the fixed seed", out)
    assert re.search(r"verify-data\s+check utils/datafiles/ against SHA256SUMS", out)
    with pytest.raises(SystemExit):
        main(["regenerate-data", "--help"])
    assert re.search(r"--out OUT\s+folder to write \(default: the package's utils/datafiles/\)", capsys.readouterr().out)
    # Without --out it writes the repository's data folder (here redirected to a temporary one).
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    assert main(["regenerate-data"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SHA256SUMS", "data.npz", "params.npz"]


def test_arrays_are_converted_to_float64(data_copy):
    """An archive of integers with a matching checksum line loads as float64, like the shipped one."""
    blob = data.npz_bytes({"X": np.arange(8).reshape(2, 4), "T": np.array([[1], [2]])})
    (data_copy / "data.npz").write_bytes(blob)
    sums = [f"{hashlib.sha256(blob).hexdigest()}  data.npz" if line.endswith("data.npz") else line
            for line in (data_copy / "SHA256SUMS").read_text().splitlines()]
    (data_copy / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    X, T = data.getdata(data_copy)
    assert X.dtype == T.dtype == np.float64
    np.testing.assert_array_equal(X, np.arange(8).reshape(2, 4))
