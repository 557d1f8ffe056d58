"""Results do not depend on where you stand, and the lab is not exposed."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

import utils

ROOT = Path(__file__).resolve().parents[2]


def test_data_loads_the_same_from_any_working_directory(tmp_path):
    code = "import utils, hashlib; X, T = utils.getdata(); print(hashlib.sha256(X.tobytes() + T.tobytes()).hexdigest())"
    here = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    X, T = utils.getdata()
    import hashlib
    assert here.stdout.strip() == hashlib.sha256(X.tobytes() + T.tobytes()).hexdigest()


def test_make_lab_listens_on_loopback_with_a_token():
    makefile = (ROOT / "Makefile").read_text()
    lab_recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "--ip 127.0.0.1" in lab_recipe
    assert "token=''" not in lab_recipe and 'token=""' not in lab_recipe and "disable_check_xsrf" not in lab_recipe


def test_data_folder_is_read_only_at_run_time():
    """Loading never writes: the files' bytes and times are unchanged by getdata/getparams."""
    files = sorted((ROOT / "utils" / "datafiles").iterdir())
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    utils.getdata()
    utils.getparams()
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in files] == before


def test_nbclient_reply_fix_looks_again_every_slice_until_the_deadline(monkeypatch):
    """The nbgrader runs poll for execute replies in 1-s slices: a reply that did not wake the first poll is
    found by the next one, and a reply that never comes still ends in Empty at the cell's deadline."""
    import asyncio
    import time
    from queue import Empty

    import nbclient_reply_fix as fix

    monkeypatch.setattr(fix, "SLICE", 0.01)
    asked = []

    async def missed_twice(self, timeout):
        asked.append(timeout)
        await asyncio.sleep(timeout)
        if len(asked) < 3:
            raise Empty
        return {"msg": "reply"}

    monkeypatch.setattr(fix, "_get_msg", missed_twice)
    assert asyncio.run(fix.get_msg_in_slices(None, timeout=30)) == {"msg": "reply"}
    assert asked == [0.01] * 3  # three short polls, not one of 30 s

    async def never(self, timeout):
        await asyncio.sleep(timeout)
        raise Empty

    monkeypatch.setattr(fix, "_get_msg", never)
    t0 = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(fix.get_msg_in_slices(None, timeout=0.05))
    assert 0.05 <= time.monotonic() - t0 < 1.0
