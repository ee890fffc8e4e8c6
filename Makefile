# coursepack: `make packet` builds every PDF of the bundled course, its web edition and its LMS cartridge;
# `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Says in one sentence, with the install line, what WeasyPrint cannot work without (and stops);
# with --speed, also what makes it slower. Standard library only: it runs before .venv exists.
LIBS   := $(PYTHON) -m coursepack.environment

.PHONY: packet site lms test check watch classset bench golden clean

packet: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py build
	$(BIN)/python render.py export --site --lms

# The web edition (build/site/) or the LMS cartridge (build/lms/) alone, after building what changed.
site: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py export --site

lms: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py export --lms

check: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py check

test: $(STAMP)
	@$(LIBS) --speed
	$(BIN)/ruff check coursepack tests bench render.py
	$(BIN)/python -m pytest

# Rebuild what each saved change reaches, until Ctrl-C.
watch: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py watch

# A named copy of a packet for every student on a roster: make classset [ROSTER=…] [PACKET=…] [LAYOUT=booklet|2up]
ROSTER ?= rosters/sample.csv
classset: $(STAMP)
	@$(LIBS)
	$(BIN)/python render.py classset --roster $(ROSTER) $(if $(PACKET),--packet $(PACKET)) $(if $(LAYOUT),--layout $(LAYOUT))

# Cold, no-op and one-edit builds, ms per page, watch latency, memory: a table and JSON.
bench: $(STAMP)
	@$(LIBS) --speed
	$(BIN)/python bench/run.py

# Rewrite tests/golden/packets.json from a fresh build; review the diff before committing.
golden: $(STAMP)
	COURSEPACK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_bundled.py -k golden

clean:
	rm -rf build

# (Re)create the virtual environment when it is missing or older than pyproject.toml.
$(STAMP): pyproject.toml
	@$(LIBS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)
