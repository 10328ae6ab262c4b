"""The performance bench (issue 12): realistic data at a chosen size, then every list, queue,
count, inbox, case page and service of the issue timed for csd, liaison_hankou, handler_hankou,
head_hankou and leader, each beside the raw SQL it needs.

    .venv/bin/python -m bench run --cases 1000000 [--database-url URL] [--repeat 5] [--keep]

Without ``--database-url`` the database is a SQLite file in a temporary folder. With a
PostgreSQL URL (``postgresql+psycopg://postgres@127.0.0.1:5432/suqiu_bench``) the bench creates
that database (it refuses one that exists) and drops it at the end unless ``--keep``.
``python -m bench --help`` lists the subcommands (run, generate, measure) and their options.

Modules: ``shape`` (the data's proportions and lifecycle paths), ``world`` (units, staff, master
data), ``casegen`` and ``timeline`` (rows of a case and its history), ``load`` (bulk loading),
``database`` (creating and preparing the database), ``rawsql`` (the raw SQL twins), ``pages``
and ``services`` (the measurements), ``report`` (timing, memory, the table).
"""
