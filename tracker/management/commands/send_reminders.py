"""Run the reminder sweep now, without Celery: for cron, and to check what would go out."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.formats import weekday_date
from tracker.models import Action, Finding, ReminderPolicy, User
from tracker.reminders.delivery import deliver_digest
from tracker.reminders.kinds import kind_label
from tracker.reminders.outbox import run_sweep
from tracker.reminders.plan import preview
from tracker.reminders.working_days import is_working_day


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"“{value}” is not a date: use YYYY-MM-DD, e.g. 2017-05-02."
        ) from None


class Command(BaseCommand):
    help = (
        "Record the reminders due today (or on --date) and send each person's digest "
        "in this process. --dry-run prints what would go out and records nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=iso_date,
            help="The day to sweep, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; change nothing.",
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        day = date or timezone.localdate()
        if not is_working_day(day):
            self.stdout.write(
                f"{weekday_date(day)} is not a working day: no reminders go out."
            )
            return
        if dry_run:
            self.print_preview(day)
            return
        result = run_sweep(day)
        if result.skipped:
            raise CommandError(result.skipped)
        sent = failed = 0
        for recipient_id in result.recipients:
            try:
                delivery = deliver_digest(recipient_id, day)
            except (
                Exception
            ) as error:  # keep going: one bad address must not stop the rest
                failed += 1
                self.stderr.write(
                    f"Could not send the digest of user {recipient_id}: {error}"
                )
                continue
            sent += bool(delivery.sent)
        self.stdout.write(
            f"{weekday_date(day)}: {len(result.due)} reminders due, {result.recorded} new; "
            f"{plural(sent, 'digest')} sent, {failed} failed."
        )
        if failed:
            raise CommandError(
                f"{plural(failed, 'digest')} could not be sent; they are marked failed."
            )

    def print_preview(self, day: datetime.date) -> None:
        plan = preview(day)
        if not plan:
            self.stdout.write(
                f"Dry run for {weekday_date(day)}: nothing would be sent."
            )
            return
        policy = ReminderPolicy.load().as_policy()
        reminders = [reminder for entries in plan.values() for _, reminder in entries]
        people = User.objects.in_bulk(plan.keys())
        actions = Action.objects.select_related("finding").in_bulk(
            {r.action_id for r in reminders if r.action_id}
        )
        findings = Finding.objects.in_bulk(
            {r.finding_id for r in reminders if r.finding_id}
        )
        self.stdout.write(
            f"Dry run for {weekday_date(day)}: nothing is recorded or sent."
        )
        for recipient_id, entries in plan.items():
            self.stdout.write(
                f"\n{people[recipient_id].email}: {plural(len(entries), 'item')}"
            )
            for state, reminder in entries:
                if reminder.action_id:
                    action = actions[reminder.action_id]
                    about = action.title
                    if action.finding_id:
                        about += f" ({action.finding.reference})"
                    if action.deadline:
                        about += f", deadline {weekday_date(action.deadline)}"
                else:
                    about = (
                        f"closure request for {findings[reminder.finding_id].reference}"
                    )
                self.stdout.write(
                    f"  - {kind_label(reminder.kind, policy)}: {about} [{state}]"
                )
