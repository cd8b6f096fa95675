# Shortcuts for ./dev, which does the work (make is not on every fresh machine; sh is).
.PHONY: run test lint ci sdk
run:
	./dev run
test:
	./dev test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
ci:
	bash .ci/run
sdk:
	.venv/bin/python scripts/sdk_generate.py
