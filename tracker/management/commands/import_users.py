import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.emails import link_lifetime, send_welcomes, set_password_url
from tracker.services import user_create

COLUMNS = ["email", "role", "force", "first_name", "last_name"]


class Command(BaseCommand):
    help = (
        "Add users from a CSV file with the columns email, role, force, first_name, last_name. "
        "Bad rows are reported by line number and left out; good rows are kept, and "
        "each person added is emailed a link to set their password."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="Print each person's set-your-password link instead of emailing it "
            "(for installations without mail).",
        )

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
        added, failed = [], 0
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                # One transaction a row: a bad row leaves no half-made user behind.
                with transaction.atomic():
                    user = user_create(
                        email=row.get("email") or "",
                        role=row.get("role") or "",
                        force_slug=(row.get("force") or "").strip(),
                        first_name=row.get("first_name") or "",
                        last_name=row.get("last_name") or "",
                    )
                added.append(user)
            except ValidationError as error:
                failed += 1
                self.stderr.write(f"line {line}: {' '.join(error.messages)} (left out)")
        self.stdout.write(
            f"Added {len(added)} user{'s' if len(added) != 1 else ''}; {failed} row{'s' if failed != 1 else ''} left out."
        )
        unsent = self.welcome(added, print_link=options["print_link"])
        if failed or unsent:
            raise SystemExit(1)

    def welcome(self, users: list, *, print_link: bool) -> int:
        """Send (or print) each person's link; how many could not be sent."""
        if not users:
            return 0
        if print_link:
            self.stdout.write(
                f"Give each their link to set a password (each works once, within "
                f"{link_lifetime()}):"
            )
            for user in users:
                self.stdout.write(f"{user.email} {set_password_url(user)}")
            return 0
        failed = send_welcomes(users)
        for user, reason in failed.items():
            self.stderr.write(
                f"{user.email}: added, but the welcome email could not be sent "
                f"({reason}). Send it again with `manage.py add_user {user.email} "
                f"--resend`, or print the link with `manage.py add_user {user.email} "
                "--resend --print-link`."
            )
        sent = len(users) - len(failed)
        if failed:
            self.stdout.write(
                f"Welcome emails sent: {sent}; not sent: {len(failed)} (the accounts are kept)."
            )
        else:
            self.stdout.write(f"Welcome emails sent: {sent}.")
        return len(failed)
