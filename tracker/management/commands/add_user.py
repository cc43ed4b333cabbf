import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.services import user_create


class Command(BaseCommand):
    help = "Add one user: add_user EMAIL --role force-staff|force-lead|inspector|admin [--force SLUG]"

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True)
        parser.add_argument(
            "--force", default="", help="The force's slug, e.g. west-mercia."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input; without it the user sets one by reset.",
        )

    def handle(self, *args, **options):
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password was given on standard input.")
        try:
            user = user_create(
                email=options["email"],
                role=options["role"],
                force_slug=options["force"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        where = f" of {user.force}" if user.force else ""
        self.stdout.write(f"Added {user.email}: {user.get_role_display()}{where}.")
