# Two commands for users: `make run` and `make test`. Everything installs into .venv.
# The first Python 3.11+ on PATH (override: make PYTHON=/path/to/python3.12 test).
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 python3.11 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench torture package install-desktop uninstall-desktop clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "kzannotate needs Python 3.11 or newer and none was found on PATH."; \
		echo "Install it (python.org, or your package manager), or run: make PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV). On Debian/Ubuntu install the venv module: sudo apt install python3-venv"; \
		exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "Installing kzannotate and its dependencies into $(VENV) (the first time downloads about 200 MB)..."
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kzannotate

test: $(STAMP)
	$(BIN)/ruff check $(wildcard kzannotate tests benchmarks)
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

# Launcher, AppStream metadata, .kza file type and icons into ~/.local/share (or PREFIX=/usr/local, DATADIR=…).
install-desktop:
	sh packaging/install-desktop.sh

uninstall-desktop:
	sh packaging/install-desktop.sh --uninstall

clean:
	rm -rf build dist *.egg-info
