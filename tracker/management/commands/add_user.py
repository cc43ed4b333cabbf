import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.emails import link_lifetime, send_welcomes, set_password_url
from tracker.models import User
from tracker.services import user_create


class Command(BaseCommand):
    help = (
        "Add one user: add_user EMAIL --role force-staff|force-lead|inspector|admin "
        "[--force SLUG]. Without a password they are emailed a link to set one; "
        "add_user EMAIL --resend sends a fresh link to someone who has not used theirs."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role")
        parser.add_argument(
            "--force", default="", help="The force's slug, e.g. west-mercia."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input; without it the user is "
            "emailed a link to set one.",
        )
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="Print the set-your-password link instead of emailing it "
            "(for installations without mail).",
        )
        parser.add_argument(
            "--resend",
            action="store_true",
            help="Welcome again an existing user who has not set a password yet.",
        )

    def handle(self, *args, **options):
        if options["resend"]:
            user = self.not_yet_signed_in(options["email"])
        else:
            user = self.add(options)
            if user.has_usable_password():
                return
        self.welcome(user, print_link=options["print_link"])

    def add(self, options) -> User:
        if not options["role"]:
            raise CommandError(
                "Give the person's role: --role force-staff|force-lead|inspector|admin."
            )
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
        return user

    def not_yet_signed_in(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No one has the email {email}.")
        if not user.is_active:
            raise CommandError(
                f"The account of {user.email} is inactive: activate it in the admin first."
            )
        if user.has_usable_password():
            raise CommandError(
                f"{user.email} has already set a password: if they have forgotten it, "
                "they reset it from the sign-in page."
            )
        return user

    def welcome(self, user: User, *, print_link: bool) -> None:
        if print_link:
            self.stdout.write(
                f"Give {user.email} this link to set their password "
                f"(it works once, within {link_lifetime()}):\n{set_password_url(user)}"
            )
            return
        failed = send_welcomes([user])
        if failed:
            raise CommandError(
                f"The welcome email to {user.email} could not be sent ({failed[user]}). "
                f"The account is kept: send the email again with "
                f"`manage.py add_user {user.email} --resend`, or print the link to "
                f"pass on yourself with `manage.py add_user {user.email} --resend "
                "--print-link`."
            )
        self.stdout.write(
            f"Welcome email sent to {user.email}: its link sets their password, "
            f"once, within {link_lifetime()}."
        )
