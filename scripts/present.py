"""Present one notebook in a lecture hall: Voila serves it as an app, code hidden, sliders live.

    python scripts/present.py 03                 # notebooks/03-*.ipynb on 127.0.0.1, a free port
    python scripts/present.py 03 --port 8866 --ip 0.0.0.0

The page uses templates/jupyter/voila/templates/present (Voila's lab template, nothing from a CDN, so it opens as
fast without internet). The kernel runs with WORKBOOK_STYLE=presentation, which utils.style reads at import:
larger text and thicker lines in every figure, with no change to the notebook. A waiting kernel runs the
notebook as soon as the server starts (Voila's preheat), so a page opened a little later shows at once; one
opened sooner waits for that run to end. Prints the URL as soon as the server answers, then serves until Ctrl-C.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def find_notebook(number, folder=NOTEBOOKS):
    """notebooks/NN-*.ipynb for NN = `number` ("03" or "3")."""
    names = sorted(p.name for p in folder.glob("[0-9][0-9]-*.ipynb"))
    prefix = f"{int(number):02d}-" if number is not None and str(number).isdigit() else None
    found = [n for n in names if prefix and n.startswith(prefix)]
    if len(found) != 1:
        numbers = ", ".join(n[:2] for n in names)
        raise SystemExit(f"NB: expected one of {numbers}, got {number!r}")
    return folder / found[0]


def free_port(ip):
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


# Voila runs the notebook through nbclient with no cell timeout, so a missed wake-up while it waits for a cell's
# reply (jupyter/nbclient#312) left the page loading forever (2 openings in 8 here, under load) or a preheated page
# without its widgets (both tried). The fix the nbgrader runs use (tests/nbclient_reply_fix.py: poll in one-second
# slices) is loaded into voila's process.
LAUNCH_VOILA = ("import sys; sys.path.insert(0, sys.argv.pop(1)); import nbclient_reply_fix; "
                "from voila.app import main; sys.exit(main())")


def voila_command(notebook, ip, port):
    """The voila command line for `notebook` on ip:port."""
    return [sys.executable, "-c", LAUNCH_VOILA, str(ROOT / "tests"), str(notebook), "--no-browser",
            f"--Voila.ip={ip}", f"--port={port}",
            "--theme=light", "--strip_sources=True", "--show_tracebacks=True", "--template=present",
            # one kernel runs the notebook while the server waits for its first visitor, and again after each
            "--preheat_kernel=True", "--pool_size=1"]


def wait_until_up(url, proc, timeout):
    """Seconds until the server at `url` answers (any HTTP status), or raise if voila stops or times out.
    It asks for a static file, not the notebook, which would take the preheated kernel."""
    start = time.perf_counter()
    while True:
        try:
            urllib.request.urlopen(url + "voila/static/", timeout=5).close()
            return time.perf_counter() - start
        except urllib.error.HTTPError:
            return time.perf_counter() - start
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"voila stopped with exit code {proc.returncode}")
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"voila did not answer at {url} within {timeout} s")
        time.sleep(0.1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nb", nargs="?", help="the notebook's number, 01 to 04")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the server")
    args = parser.parse_args(argv)
    if not 0 <= args.port < 65536:
        parser.error(f"--port: expected 0 to 65535, got {args.port}")
    notebook = find_notebook(args.nb)
    port = args.port or free_port(args.ip)
    # templates/jupyter holds voila/templates/present (Voila's lab template with no CDN link)
    jupyter_path = os.pathsep.join(filter(None, [str(ROOT / "templates" / "jupyter"), os.environ.get("JUPYTER_PATH")]))
    env = {**os.environ, "WORKBOOK_STYLE": "presentation", "JUPYTER_PATH": jupyter_path}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop voila too (the finally below)
    proc = subprocess.Popen(voila_command(notebook, args.ip, port), env=env, cwd=notebook.parent)
    url = f"http://{args.ip}:{port}/"
    try:
        seconds = wait_until_up(url, proc, args.timeout)
        print(f"\nPresenting {notebook.name} at {url}  (server up in {seconds:.1f} s; the notebook runs in a "
              "waiting kernel meanwhile; Ctrl-C stops it)", flush=True)
        proc.wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return proc.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
