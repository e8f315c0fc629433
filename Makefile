# Two commands for users: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench torture package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kzannotate

test: $(STAMP)
	$(BIN)/ruff check kzannotate tests benchmarks
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

torture: $(STAMP)
	$(BIN)/python -m benchmarks.torture --rounds 100

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,package]"
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/kzannotate.spec
	QT_QPA_PLATFORM=offscreen dist/kzannotate/kzannotate --version
	QT_QPA_PLATFORM=offscreen dist/kzannotate/kzannotate --self-check

clean:
	rm -rf build dist *.egg-info
