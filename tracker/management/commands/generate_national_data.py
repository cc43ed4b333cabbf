"""Fill the database with a national data set, for benchmarks and for trying the app at scale."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.generator import GENERATED_DOMAIN, GeneratorError, generate, other_data


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Generate a national data set: the 43 forces' people (a force lead and nine staff "
        "each, twelve inspectors, an administrator), PEEL inspections from 2014 on with "
        "their graded questions, findings of every kind with shared themes, action trees "
        "with owners, deadlines around today, about eight progress updates each, evidence "
        "links, sign-offs and closure requests. The same --seed and day give the same data. "
        "Rows are bulk-inserted: no change history is recorded for them, and the people "
        f"(addresses under {GENERATED_DOMAIN}) have no usable password. Refuses a database "
        "holding data it did not make."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--actions", type=int, required=True, help="How many actions, e.g. 50000."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (default 1)."
        )
        parser.add_argument(
            "--today",
            type=iso_date,
            help="The day deadlines are spread around (default: today).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Replace generated data already in the database.",
        )
        parser.add_argument(
            "--force-reset",
            action="store_true",
            help="Delete EVERYTHING first, real people, inspections and actions included.",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before --force-reset deletes everything.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per INSERT."
        )

    def handle(
        self,
        *args,
        actions,
        seed,
        today,
        reset,
        force_reset,
        interactive,
        batch_size,
        **options,
    ):
        if force_reset and interactive and other_data():
            name = connection.settings_dict["NAME"]
            answer = input(
                f"This deletes every user, inspection, finding and action in “{name}” "
                f"({', '.join(other_data())} not made by the generator). Type the database name to go on: "
            )
            if answer.strip() != name:
                raise CommandError("Nothing was changed.")
        try:
            counts = generate(
                actions,
                seed=seed,
                today=today,
                reset=reset,
                force_reset=force_reset,
                batch_size=batch_size,
                progress=self.stdout.write,
            )
        except GeneratorError as error:
            raise CommandError(str(error)) from None
        seconds = counts.pop("seconds")
        summary = ", ".join(f"{count:,} {what}" for what, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {seconds} s: {summary}."))
