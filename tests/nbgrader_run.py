"""nbgrader's commands run in one process through its Python API (NbGraderAPI), for the tests that take a course
through nbgrader: one start of nbgrader (about 2.5 s here, most of it imports) instead of one per command."""
import json
import subprocess
import sys

_STEPS = r"""
import json, sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.plugins.export import CsvExportPlugin

api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=".").load_config())
for step, *args in json.loads(sys.argv[1]):
    if step == "export":  # `nbgrader export --to PATH`
        with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
            CsvExportPlugin(to=args[0], parent=api).export(gb)
        continue
    result = getattr(api, step)(*args)  # force=True, as the commands' --force
    if not result["success"]:
        sys.exit(f"nbgrader {step} {args} failed:\n{result.get('error', '')}\n{result.get('log', '')[-3000:]}")
"""


def run_nbgrader(course, env, *steps, timeout=900):
    """Run `steps` in the course folder `course` (which holds nbgrader_config.py) with environment `env`, in order,
    in one fresh process: each step is (method of NbGraderAPI, its arguments), e.g. ("generate_assignment", "ps1"),
    ("autograde", "ps1", STUDENT), ("generate_feedback", "ps1"), or ("export", CSV path). Fails the calling test
    with nbgrader's error and log when a step fails."""
    done = subprocess.run([sys.executable, "-c", _STEPS, json.dumps(steps)], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
