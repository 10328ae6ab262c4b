PY := .venv/bin/python

.PHONY: lint test translations compile

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

test:
	$(PY) -m pytest

translations:
	.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ --no-location -o messages.pot .
	.venv/bin/pybabel update -i messages.pot -d app/translations -l zh --no-fuzzy-matching
	rm messages.pot

compile:
	.venv/bin/pybabel compile -d app/translations -l zh
