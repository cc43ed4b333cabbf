from django.core.management.base import BaseCommand

from tracker.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from tracker.models import User


class Command(BaseCommand):
    help = "Load the West Mercia PEEL 2016 demo inspection and one demo user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when the database has no users yet (or only the demo's).",
        )

    def handle(self, *args, **options):
        demo_emails = [email for email, *_ in DEMO_USERS]
        if options["if_empty"] and User.objects.exclude(email__in=demo_emails).exists():
            self.stdout.write("The database holds real users: demo data not loaded.")
            return
        created = load_demo()
        if any(created.values()):
            self.stdout.write(
                f"Demo data loaded: {created['users']} users, {created['inspections']} inspection."
            )
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        self.stdout.write(f"Demo sign-ins, all with the password {DEMO_PASSWORD}:")
        for email, _first, _last, role, code in DEMO_USERS:
            self.stdout.write(
                f"  {email:<28} {role.label}{f' ({code})' if code else ''}"
            )
