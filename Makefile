# runner-suite — every target bootstraps .venv itself, so a fresh clone needs only python3.
#   make demo                     deploy the local twin, run the capacity profile, destroy (the quick start)
#   make test                     lint, type-check and the whole test suite (what CI runs)
#   make deploy / make destroy    provision / tear down the fleet (ENV=local: the twin)
#   make test-<profile> [DASHBOARD=1|PORT]  run profiles/<profile>.yaml against the deployed fleet (with the live page)
#   make plan                     aws: the Terraform plan of the fleet (nothing applied)
#   make secrets                  aws: store the runners' GitHub credential in Secrets Manager
#   make profiles                 list the profile catalogue
#   make validate-sizing FROM=a.tfvars TO=b.tfvars PROFILE=name [REVERT=1] [VS_ARGS=...]   before/after a sizing change
#   make history [PROFILE=name]   the runs in reports/ (their run tables) with their verdicts
#   make trends [PROFILE=name]    the trends page across runs: reports/trends.html (suite history --html)
#   make bench                    analyse 1,000,000 synthetic jobs: time and peak memory
#   make bench-report [BENCH_ARGS=...]  suite report on 1,000,000 jobs beside a DuckDB reference, two data shapes
#   make bench-dispatch           dispatch lag in real time at the catalogue's peak rate (p99 < 0.25 s)
#   make fuzz [SEED=N] [CASES=N]  hostile inputs through the real CLI (tools/fuzz.py): 0 tracebacks, hangs, wrong exits

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUITE  := $(BIN)/suite
ENV    ?= local
TF_ARGS ?=
REPORTS ?= reports
CHECKOV := .venv-checkov/bin/checkov
# the AWS CLI conventions: passed through to boto3 and Terraform's AWS provider when set (an empty
# AWS_PROFILE would make boto3 look for a profile named "")
ifneq ($(AWS_PROFILE),)
export AWS_PROFILE
endif
ifneq ($(AWS_REGION),)
export AWS_REGION
endif
# A profile becomes a target only when its name is [A-Za-z0-9_.-]+ and profiles/<name>.yaml exists: make
# never puts another file name into a rule or a recipe, where the shell would run `$(cmd)` or `...` in it
# (and a name with a space would be two targets). Checked with make's own functions, never a shell.
SAFE_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
              0 1 2 3 4 5 6 7 8 9 _ . -
# $(call unsafe_rest,NAME): what is left of NAME once every safe character is removed (empty: a safe name)
unsafe_rest = $(call _drop_chars,$(1),$(SAFE_CHARS))
_drop_chars = $(if $(2),$(call _drop_chars,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
PROFILE_WORDS := $(basename $(notdir $(wildcard profiles/*.yaml)))
PROFILES := $(sort $(foreach n,$(PROFILE_WORDS),$(if $(call unsafe_rest,$(n)),,$(wildcard profiles/$(n).yaml))))
PROFILES := $(basename $(notdir $(PROFILES)))
ifneq ($(words $(PROFILES)),$(words $(wildcard profiles/*.yaml)))
$(warning profiles/ holds file names that are not make targets: a make target is a name of letters, digits, \
  _ . - only; rename the file (or run the suite on it: .venv/bin/suite run FILE))
endif
# GNU make exits 2 whenever a recipe fails, whatever the suite's exit code was: the targets that run the
# suite name that code on stderr. CI that must tell a failed gate (1) from bad usage (2) runs the suite
# itself, `make venv && .venv/bin/suite run smoke` (README: Make targets).
SAID = || { status=$$?; echo "make: suite exited $$status (1 a gate failed or inconclusive, 2 bad usage, 3 environment, 4 incomplete, 130 interrupted); make exits 2 on any failure: run $(SUITE) itself for that code" >&2; exit $$status; }

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint typecheck pytest browser deploy destroy status doctor plan secrets profiles \
        validate-sizing history trends bench bench-report bench-dispatch clean $(addprefix test-,$(PROFILES)) $(addprefix sim-,$(PROFILES))

help:
	@echo "make demo | test | deploy | destroy | status | doctor | test-<profile> | sim-<profile> | plan | secrets | profiles | bench | bench-report | bench-dispatch | clean"
	@echo "make validate-sizing FROM=<tfvars> TO=<tfvars> PROFILE=<name> [REVERT=1] | history [PROFILE=<name>] | trends [PROFILE=<name>]"
	@echo "make test-<profile>, one per file in profiles/: $(PROFILES)"
	@echo "ENV=$(ENV) (local = the twin)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@$(SUITE) destroy --env local >/dev/null
	$(SUITE) deploy --env local
	@status=0; $(SUITE) run capacity --env local || status=$$?; \
	  $(SUITE) destroy --env local; \
	  test $$status -le 1 || exit $$status

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check suite tests tools
	$(BIN)/ruff format --check suite tests tools

typecheck: $(STAMP)
	$(BIN)/mypy suite tools

pytest: $(STAMP) $(CHECKOV) browser
	$(BIN)/pytest -q

# checkov has pins that clash with ours, so it gets its own venv
$(CHECKOV):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet 'checkov>=3.3,<4'

# the report.html test renders the page in headless Chromium (Debian's package when absent)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || test -n "$$SUITE_CHROMIUM" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null)

deploy: $(STAMP)
	$(SUITE) deploy --env $(ENV) $(TF_ARGS) $(SAID)

destroy: $(STAMP)
	$(SUITE) destroy --env $(ENV) $(TF_ARGS) $(SAID)

plan: $(STAMP)
	$(SUITE) deploy --plan --env $(if $(filter local,$(ENV)),aws,$(ENV)) $(TF_ARGS) $(SAID)

secrets: $(STAMP)
	$(SUITE) secrets put --env $(if $(filter local,$(ENV)),aws,$(ENV)) $(TF_ARGS) $(SAID)

status: $(STAMP)
	$(SUITE) status --env $(ENV) $(SAID)

doctor: $(STAMP)
	$(SUITE) doctor --env $(ENV) $(SAID)

profiles: $(STAMP)
	$(SUITE) profiles $(SAID)

# DASHBOARD=1: serve the live page on any free port; DASHBOARD=PORT: on that port (digits only: the value
# reaches a shell, so make checks it with its own functions first)
DASH_ARG = $(if $(DASHBOARD),$(if $(call _drop_chars,$(DASHBOARD),0 1 2 3 4 5 6 7 8 9),$(error DASHBOARD must be 1 \
  (any free port) or a port number, e.g. make test-capacity DASHBOARD=8765),$(if $(filter 1,$(DASHBOARD)),--dashboard,--dashboard=$(DASHBOARD))))

$(addprefix test-,$(PROFILES)): test-%: $(STAMP)
	$(SUITE) run profiles/$*.yaml --env $(ENV) $(DASH_ARG) $(SAID)

$(addprefix sim-,$(PROFILES)): sim-%: $(STAMP)
	$(SUITE) sim profiles/$*.yaml $(SIM_ARGS) $(SAID)

validate-sizing: $(STAMP)
	@test -n "$(FROM)" -a -n "$(TO)" -a -n "$(PROFILE)" || \
	  { echo "usage: make validate-sizing FROM=<tfvars> TO=<tfvars> PROFILE=<name> [REVERT=1] [ENV=local|aws]"; exit 2; }
	$(SUITE) validate-sizing --from $(FROM) --to $(TO) --profile $(PROFILE) --env $(ENV) --reports $(REPORTS) \
	  $(if $(REVERT),--revert,) $(if $(SPEED),--speed $(SPEED),) $(VS_ARGS) $(SAID)

history: $(STAMP)
	$(SUITE) history --reports $(REPORTS) $(if $(PROFILE),--profile $(PROFILE),) $(SAID)

trends: $(STAMP)
	$(SUITE) history --reports $(REPORTS) $(if $(PROFILE),--profile $(PROFILE),) --html $(SAID)

bench: $(STAMP)
	$(BIN)/python tools/bench.py

bench-report: $(STAMP)
	$(BIN)/python tools/bench_report.py $(BENCH_ARGS)

bench-dispatch: $(STAMP)
	$(BIN)/python tools/bench_dispatch.py

fuzz: $(STAMP)
	$(BIN)/python tools/fuzz.py --seed $(or $(SEED),1414) --cases $(or $(CASES),1000)

clean:
	rm -rf $(VENV) .venv-checkov .suite .mypy_cache .ruff_cache .pytest_cache
