"""The national-scale benchmark: `python -m bench --sizes 1000,50000 --rounds 5 --json bench.json`.

`bench.pages` says what is measured and as whom, `bench.measure` measures one
database in one process, and `python -m bench` runs it per size and compares.
"""

# Names of the two reference rows every page is compared with.
ADMIN = "admin changelist"
RAW_SQL = "raw SQL: list rows"
