# coursepack: `make packet` builds every PDF of the bundled course; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: packet test check golden clean

packet: $(STAMP)
	$(BIN)/python render.py build

check: $(STAMP)
	$(BIN)/python render.py check

test: $(STAMP)
	$(BIN)/ruff check coursepack tests render.py
	$(BIN)/python -m pytest

# Rewrite tests/golden/packets.json from a fresh build; review the diff before committing.
golden: $(STAMP)
	COURSEPACK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_bundled.py -k golden

clean:
	rm -rf build

# (Re)create the virtual environment when it is missing or older than pyproject.toml.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)
