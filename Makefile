# runner-suite — every target bootstraps .venv itself, so a fresh clone needs only python3.
#   make demo                     deploy the local twin, run the capacity profile, destroy (the quick start)
#   make test                     lint, type-check and the whole test suite (what CI runs)
#   make deploy / make destroy    provision / tear down the fleet (ENV=local: the twin)
#   make test-<profile>           run profiles/<profile>.yaml against the deployed fleet
#   make profiles                 list the profile catalogue

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUITE  := $(BIN)/suite
ENV    ?= local
PROFILES := $(sort $(basename $(notdir $(wildcard profiles/*.yaml))))

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint typecheck pytest deploy destroy status profiles clean $(addprefix test-,$(PROFILES))

help:
	@echo "make demo | test | deploy | destroy | status | profiles | clean"
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

pytest: $(STAMP)
	$(BIN)/pytest -q

deploy: $(STAMP)
	$(SUITE) deploy --env $(ENV)

destroy: $(STAMP)
	$(SUITE) destroy --env $(ENV)

status: $(STAMP)
	$(SUITE) status --env $(ENV)

profiles: $(STAMP)
	$(SUITE) profiles

$(addprefix test-,$(PROFILES)): test-%: $(STAMP)
	$(SUITE) run profiles/$*.yaml --env $(ENV)

clean:
	rm -rf $(VENV) .suite .mypy_cache .ruff_cache .pytest_cache
