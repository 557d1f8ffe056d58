# Two commands do everything: `make lab` opens the workbook, `make test` runs every test.
# Both create .venv and install the pinned requirements on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
TEST_TIMEOUT ?= 3000

.PHONY: lab test unit mutate notebooks data student bench grade clean-venv present slides site

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# reveal.js, MathJax, require.js and jQuery for the offline slides and site, exactly as package-lock.json says.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## Present one notebook in a lecture hall (Voila: code hidden, sliders live, large figures): make present NB=03
## [PORT=8866] [IP=0.0.0.0]. Listens on 127.0.0.1 and a free port unless told; prints its URL.
present: $(STAMP)
	$(PY) scripts/present.py $(NB) $(if $(PORT),--port $(PORT),) $(if $(IP),--ip $(IP),)

## reveal.js slides of every notebook in slides/, rebuilt from scratch (open slides/NN-name.slides.html from disk; no network).
slides: $(STAMP) $(NODE_STAMP)
	rm -rf slides
	$(PY) scripts/publish.py slides --out slides

## The offline static site in site/, rebuilt from scratch: index.html, one page per notebook, every script and font inside site/.
site: $(STAMP) $(NODE_STAMP)
	rm -rf site
	$(PY) scripts/publish.py site --out site

## Open the workbook in JupyterLab (127.0.0.1 only, with a random token printed in the URL).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

## Run every test: unit tests, nbval on every notebook and the classroom round trip on two workers (each
## notebook, and each slow module, stays on one worker; the slow modules start first), then the browser
## tests on their own, since JupyterLab and Chromium want the machine to themselves. Both parts run; either
## failing fails. One thread per process while two workers share two cores: torch's OpenMP threads spin
## while they wait, and two processes of spinning threads slowed a 2-second cell past 30 s. Bytecode is cached
## (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: without the cache every process
## compiles again, and pytest rewrites every test module again (about 3 s of each worker's start here).
test: $(STAMP) $(NODE_STAMP)
	@status=0; export PYTHONDONTWRITEBYTECODE=; \
	OMP_NUM_THREADS=1 timeout $(TEST_TIMEOUT) $(PY) -m pytest -m "not browser" -n 2 --dist loadscope \
	  --no-loadscope-reorder || status=1; \
	timeout $(TEST_TIMEOUT) $(PY) -m pytest -m browser || status=1; \
	exit $$status

## Unit tests only: every test not marked slow (notebooks, external tools) or browser; `make mutate` runs the same.
unit: $(STAMP)
	$(PY) -m pytest tests -m "not browser and not slow"

## Mutation testing of utils/ with the unit tests (mutmut; not part of `make test`; about 2 h on 2 idle cores):
## prints the score and the surviving mutants. MUTATE="'utils.threshold.*' ..." picks other functions.
mutate: $(STAMP)
	$(PY) scripts/mutate.py $(MUTATE)

## Re-execute the notebooks in place, top to bottom in a fresh kernel: their outputs are nbval's reference.
notebooks: $(STAMP)
	for nb in notebooks/*.ipynb; do \
	  timeout 600 $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=60 --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	done

## Regenerate utils/datafiles/*.npz and SHA256SUMS bit-identically from the fixed seed.
data: $(STAMP)
	$(PY) -m utils regenerate-data

## Write the student version (solutions removed) into student/; FORCE=1 replaces edited work.
student: $(STAMP)
	$(PY) scripts/make_student.py --out student $(if $(FORCE),--force,)

## Grade a class outside the students' kernels: SUBMISSIONS=folder of STUDENT/ASSIGNMENT/*.ipynb (nbgrader's
## submitted/); OUT=report folder; GRADE_ARGS for more options (python -m workbook_grader --help).
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path/to/submitted [OUT=grading-report]"; exit 2; }
	$(PY) -m workbook_grader "$(SUBMISSIONS)" --out "$(or $(OUT),grading-report)" $(GRADE_ARGS)

## Benchmarks: a table on stdout and benchmarks/results.json.
bench: $(STAMP)
	timeout 600 $(PY) benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
