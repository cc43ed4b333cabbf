import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.services import user_create

COLUMNS = ["email", "role", "force", "first_name", "last_name"]


class Command(BaseCommand):
    help = (
        "Add users from a CSV file with the columns email, role, force, first_name, last_name. "
        "Bad rows are reported by line number and left out; good rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        try:
            with open(options["path"], newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
                header = rows and list(rows[0].keys())
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['path']}") from None
        except UnicodeDecodeError:
            raise CommandError(
                "The file is not UTF-8 text: save it as CSV (UTF-8)."
            ) from None
        if not rows:
            raise CommandError("The file has no rows under its header.")
        missing = [column for column in ("email", "role") if column not in header]
        if missing:
            raise CommandError(
                f"The header lacks {', '.join(missing)}: expected the columns {', '.join(COLUMNS)}."
            )
        added, failed = 0, 0
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                # One transaction a row: a bad row leaves no half-made user behind.
                with transaction.atomic():
                    user_create(
                        email=row.get("email") or "",
                        role=row.get("role") or "",
                        force_slug=(row.get("force") or "").strip(),
                        first_name=row.get("first_name") or "",
                        last_name=row.get("last_name") or "",
                    )
                added += 1
            except ValidationError as error:
                failed += 1
                self.stderr.write(f"line {line}: {' '.join(error.messages)} (left out)")
        self.stdout.write(
            f"Added {added} user{'s' if added != 1 else ''}; {failed} row{'s' if failed != 1 else ''} left out."
        )
        if failed:
            raise SystemExit(1)
