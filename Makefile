.PHONY: run test lint format bench
# The README's two commands.
run:
	@scripts/run.sh

test:
	@scripts/test.sh

# Conveniences for developers.
lint:
	@scripts/setup.sh dev && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@scripts/setup.sh dev && .venv/bin/ruff format . && .venv/bin/ruff check --fix .
