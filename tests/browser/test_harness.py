"""The test harness itself: what a failed browser test leaves behind (no browser needed)."""
from helpers import save_failure_artifacts


class FakePage:
    def __init__(self, fail=False):
        self.fail = fail
        self.dialogs_seen = ["Select Kernel: Select kernel for: unknown-kernel.ipynb"]

    def screenshot(self, path, full_page):
        if self.fail:
            raise RuntimeError("Target page, context or browser has been closed")
        open(path, "wb").write(b"\x89PNG fake")


def test_a_failure_keeps_a_screenshot_and_the_last_50_log_lines(tmp_path):
    log = tmp_path / "lab.log"
    log.write_text("".join(f"line {i}\n" for i in range(120)))
    saved = save_failure_artifacts("tests/browser/test_browser.py::test_x[a b]", FakePage(), log, folder=tmp_path / "out")
    shot, tail = tmp_path / "out" / "test_x_a_b_.png", tmp_path / "out" / "test_x_a_b_.lab.log"
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert tail.read_text().splitlines() == [f"line {i}" for i in range(70, 120)]
    assert any(str(shot) in line for line in saved) and any(str(tail) in line for line in saved)
    assert any("Select Kernel" in line for line in saved)


def test_a_closed_page_is_reported_not_raised(tmp_path):
    saved = save_failure_artifacts("t::test_y", FakePage(fail=True), None, folder=tmp_path)
    assert saved[0].startswith("screenshot: could not be taken (RuntimeError: Target page")
    assert not list(tmp_path.glob("*.png"))
