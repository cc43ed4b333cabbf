"""The national-scale benchmark: `python -m bench --sizes 1000,50000 --rounds 5 --json bench.json`.

`bench.pages` says what is measured and as whom, `bench.measure` measures one
database in one process, and `python -m bench` runs it per size and compares.
"""

# Names of the two reference rows every page is compared with.
ADMIN = "admin changelist"
RAW_SQL = "raw SQL: list rows"
# Rows on a page of the admin changelist (Django's default, ActionAdmin's too):
# an export is compared with it per row.
ADMIN_ROWS = 100


def vs_admin(row: dict, admin_ms: float) -> float:
    """A page's median over the admin changelist's; an export's per row it carries,
    over the changelist's per row it shows."""
    if row.get("rows"):
        return round((row["median_ms"] / row["rows"]) / (admin_ms / ADMIN_ROWS), 2)
    return round(row["median_ms"] / admin_ms, 2)
