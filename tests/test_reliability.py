"""Results do not depend on where you stand, and the lab is not exposed."""
import re
import subprocess
import sys
from pathlib import Path

import utils

ROOT = Path(__file__).resolve().parent.parent


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
    files = sorted((ROOT / "data").iterdir())
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    utils.getdata()
    utils.getparams()
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in files] == before
