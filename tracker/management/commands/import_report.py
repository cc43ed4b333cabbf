import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.importer import ReportParseError, parse_report, walk
from tracker.importing import (
    ReportImportError,
    find_force,
    plan_import,
    plan_national_import,
    save_import,
    save_national_import,
)
from tracker.models import Finding, Grade

GRADES = dict(Grade.choices)
KINDS = dict(Finding.Kind.choices)


def describe(data: dict) -> list[str]:
    """The parsed report as an indented tree, with grades and deadlines."""
    lines = [
        f"{data.get('force_name') or 'Force not named'} · {data.get('programme') or 'programme not named'}"
        f"{' · ' + data['pillar'] if data.get('pillar') else ''}"
        f" · last updated {data.get('last_updated') or 'not stated'}"
        f" · overall grade: {GRADES.get(data.get('overall_grade'), 'Not stated')}"
    ]

    def deadlines(item):
        return "".join(
            f" [due {d['due']}: {d['wording']}{' → ' + d['deliverable'] if d.get('deliverable') else ''}]"
            for d in item.get("deadlines", [])
        )

    for place in walk(data, items=True, questions=True):
        item, indent = place.item, "    " * place.level
        if place.is_question:
            lines.append(
                f"Q{item['order']}. {item['text']} — {GRADES.get(item['grade'], item['grade'])}"
            )
        elif place.is_finding:
            to = item.get("addressees")
            lines.append(
                f"{indent}{KINDS[item['kind']]}: {item['text'][:90]}{deadlines(item)}"
                + (f" (to {', '.join(to)})" if to else "")
            )
        else:
            lines.append(f"{indent}- {item['text'][:90]}{deadlines(item)}")
    lines.extend(f"Warning: {warning}" for warning in data.get("warnings", []))
    return lines


class Command(BaseCommand):
    help = "Import a published inspection report (text, HTML or PDF): print what was found, then save it."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--force",
            default="",
            help='The force, e.g. "West Mercia"; defaults to the one the report names.',
        )
        parser.add_argument(
            "--national",
            default="",
            metavar="TITLE",
            help="Save a report for all forces under this title: a copy of each "
            "finding for each force or national body it is addressed to.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what was found; save nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the parsed structure as JSON."
        )
        parser.add_argument(
            "--source", default="", help="Where the report was published (a URL)."
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            report = parse_report(raw, filename=path.name)
        except ReportParseError as error:
            raise CommandError(f"{path.name}: {error}") from None
        data = report.to_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self._summary(data)
        if options["dry_run"]:
            return
        if options["national"]:
            self._save_national(data, raw, options)
            return
        force = find_force(options["force"] or data.get("force_name"))
        if force is None:
            named = options["force"] or data.get("force_name")
            raise CommandError(
                f"No force called “{named}”: give --force with a force's name or slug."
                if named
                else 'The report does not name its force: give --force, e.g. --force "West Mercia".'
            )
        try:
            plan = plan_import(data, force, raw)
            if plan.already_imported:
                self.stdout.write(
                    f"Already imported as “{plan.already_imported}”: nothing changed."
                )
                return
            if plan.is_revision:
                self.stdout.write(
                    f"A revision of “{plan.previous}”: {len(plan.new)} new, {len(plan.changed)} changed, "
                    f"{len(plan.unchanged)} unchanged, {len(plan.gone)} gone."
                )
            inspection = save_import(plan, None, source_reference=options["source"])
        except ReportImportError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            self.style.SUCCESS(
                f"Saved “{inspection}” ({inspection.get_absolute_url()})."
            )
        )

    def _save_national(self, data, raw, options):
        data["title"] = options["national"]
        try:
            plan = plan_national_import(data, raw)
            if plan.already_imported:
                self.stdout.write("Already imported: nothing changed.")
                return
            nationals = save_national_import(
                plan, None, source_reference=options["source"]
            )
        except ReportImportError as error:
            raise CommandError(error.message) from None
        copies = Finding.objects.filter(national__in=nationals).count()
        self.stderr.write(
            self.style.SUCCESS(
                f"Saved “{data['title']}”: {len(nationals)} national findings, "
                f"{copies} copies for their addressees."
            )
        )

    def _summary(self, data):
        questions = data.get("questions", [])
        counts = {kind: 0 for kind in KINDS}
        for place in walk(data):
            counts[place.item["kind"]] += 1
        self.stdout.write(
            f"{len(questions)} questions; "
            + ", ".join(
                f"{n} {Finding.KIND_NAMES[k][n != 1]}" for k, n in counts.items()
            )
        )
        for line in describe(data):
            self.stdout.write(line)
