# Two commands do everything: `make lab` opens the workbook, `make test` runs every test.
# Both create .venv and install the pinned requirements on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
TEST_TIMEOUT ?= 3000

.PHONY: lab test unit mutate notebooks data student bench clean-venv

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

## Open the workbook in JupyterLab (127.0.0.1 only, with a random token printed in the URL).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

## Run every test: unit tests, nbval on every notebook and the classroom round trip on two workers (each
## notebook, and the nbgrader module, stays on one worker; the nbgrader module starts first), then the browser
## tests on their own, since JupyterLab and Chromium want the machine to themselves. Both parts run; either
## failing fails. One thread per process while two workers share two cores: torch's OpenMP threads spin
## while they wait, and two processes of spinning threads slowed a 2-second cell past 30 s.
test: $(STAMP)
	@status=0; \
	OMP_NUM_THREADS=1 timeout $(TEST_TIMEOUT) $(PY) -m pytest -m "not browser" -n 2 --dist loadscope \
	  --no-loadscope-reorder || status=1; \
	timeout $(TEST_TIMEOUT) $(PY) -m pytest -m browser || status=1; \
	exit $$status

## Unit tests only (fast, no notebooks, no browser).
unit: $(STAMP)
	$(PY) -m pytest tests -m "not browser and not slow"

## Mutation testing of utils/ with the unit tests (mutmut; not part of `make test`; 4-20 min on 2 busy cores):
## prints the score and the surviving mutants. MUTATE="'utils.threshold.*' ..." picks other functions.
mutate: $(STAMP)
	$(PY) scripts/mutate.py $(MUTATE)

## Re-execute the notebooks in place, top to bottom in a fresh kernel: their outputs are nbval's reference.
notebooks: $(STAMP)
	for nb in notebooks/*.ipynb; do \
	  timeout 600 $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=60 --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	done

## Regenerate data/*.npz and data/SHA256SUMS bit-identically from the fixed seed.
data: $(STAMP)
	$(PY) -m utils regenerate-data

## Write the student version (solutions removed) into student/; FORCE=1 replaces edited work.
student: $(STAMP)
	$(PY) scripts/make_student.py --out student $(if $(FORCE),--force,)

## Benchmarks: a table on stdout and benchmarks/results.json.
bench: $(STAMP)
	timeout 600 $(PY) benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
