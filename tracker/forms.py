import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.functional import lazy

from . import evidence
from .date_input import DateField
from .models import (
    WEBHOOK_KINDS,
    Action,
    ApiToken,
    Finding,
    Force,
    Grade,
    Inspection,
    NotificationPreference,
    Paper,
    Question,
    ReminderPreference,
    Theme,
    User,
)
from .notifications.kinds import EVENT_NAMES
from .notifications.kinds import LABELS as NOTIFICATION_LABELS
from .selectors import force_people

STALE_PAGE = "This page is out of date: reload it and make your change again."


class ActionPageForm(forms.Form):
    """A form of the action page: it carries the action's version the page showed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, error_messages={"invalid": STALE_PAGE}
    )

    def clean(self):
        cleaned = super().clean()
        # Said about the page, not about a field nobody sees.
        if cleaned.get("version") is None and "version" not in self.errors:
            raise ValidationError(STALE_PAGE)
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


# The largest key a 64-bit id column holds. A larger number names no row, and
# SQLite cannot even be asked about it (OverflowError), so it is refused unasked.
MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """Whether a submitted value can be a row's id: a whole number from 1 to MAX_ID."""
    text = str(value).strip()
    return (
        text.isascii()
        and text.isdigit()
        and len(text) <= 19
        and 0 < int(text) <= MAX_ID
    )


class IdChoiceMixin:
    """For a choice of row: a value no id can be is an invalid choice, asked of no database."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not hasattr(value, "pk")
            and not is_id(value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    pass


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; a value no id can be is refused before any query."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            if not is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class ProgressUpdateForm(ActionPageForm):
    text = forms.CharField(
        label="What has been done",
        widget=forms.Textarea(attrs={"rows": 4, "data-mentions": ""}),
        help_text="To tell someone, type @ and the start of their email address (for example @jane.smith): they are notified.",
        max_length=10000,
    )
    percent_complete = forms.IntegerField(
        label="Percent complete",
        min_value=0,
        max_value=100,
        required=False,
        help_text="Leave empty to keep the current figure.",
    )
    files = MultipleFileField(
        label="Evidence files",
        required=False,
        help_text=lazy(evidence.files_help_text, str)(),
    )
    links = forms.CharField(
        label="Evidence links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=lazy(evidence.links_help_text, str)(),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        try:
            evidence.check_evidence_files(files)
        except ValidationError as error:
            raise ValidationError(
                [
                    *error.messages,
                    "Your text and links are kept below: choose the files again and "
                    "resubmit.",
                ]
            ) from None
        return files

    def clean_links(self):
        return evidence.check_links(self.cleaned_data["links"].splitlines())


class CommentForm(forms.Form):
    """The words that go with a workflow move; required where the move needs a reason."""

    text = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )

    def __init__(self, *args, label="Comment", required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].required = required


class ActionMoveForm(ActionPageForm, CommentForm):
    """A workflow move on an action: one made from a page older than the action is refused."""


class AssignForm(forms.Form):
    owner = IdChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Not assigned"
    )
    contributors = IdMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = DateField(label="Deadline", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        people = force_people(action.force_id)
        self.fields["owner"].queryset = people
        self.fields["contributors"].queryset = people
        if action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE:
            self.fields["deadline"].disabled = True
            self.fields[
                "deadline"
            ].help_text = "Set by the inspectorate: ask for a deadline change on the action's page."

    @classmethod
    def against(cls, data, chosen: dict, seen, current: Action) -> "AssignForm":
        """The person's form again, after someone else saved first.

        What the person left as their page showed it takes the current value, so
        saving again does not undo the other change unawares; what they changed
        stays theirs. `seen` is the history record of the version their page showed.
        """
        data = data.copy()
        data["version"] = current.version
        if seen is not None:
            owner = chosen["owner"]
            if (owner.pk if owner else None) == seen.owner_id:
                data["owner"] = current.owner_id or ""
            if chosen["deadline"] == seen.deadline:
                data["deadline"] = (
                    current.deadline.isoformat() if current.deadline else ""
                )
            seen_contributors = set(seen.contributors.values_list("user_id", flat=True))
            if {person.pk for person in chosen["contributors"]} == seen_contributors:
                data.setlist(
                    "contributors",
                    [
                        str(pk)
                        for pk in current.contributors.values_list("pk", flat=True)
                    ],
                )
        return cls(data, action=current)


class DeadlineChangeForm(forms.Form):
    new_deadline = DateField(label="New deadline")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="At least 20 characters: what the delay is, and why the new date will hold.",
    )


class SupersedeForm(forms.Form):
    reference = forms.CharField(
        label="Reference of the later finding",
        max_length=40,
        help_text="For example WMP-2018-PEEL-AFI-2.",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding = finding

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        later = Finding.objects.filter(
            reference=reference, force_id=self.finding.force_id
        ).first()
        if later is None:
            raise ValidationError(
                f"No finding about {self.finding.force} has the reference {reference}."
            )
        return later


REPORT_MAX_BYTES = 5 * 1024 * 1024


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label="Report file",
        required=False,
        help_text=(
            "The report as published in PDF, its page saved as HTML, or its text "
            "saved as a .txt file; up to 5 MB."
        ),
    )
    text = forms.CharField(
        label="Or paste the report's text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    force = forms.ModelChoiceField(
        queryset=Force.objects.all(),
        required=False,
        empty_label="The force the report names",
        help_text="Needed only when the report does not name its force.",
    )
    source_reference = forms.CharField(
        label="Where it was published",
        required=False,
        max_length=500,
        help_text="The report's web address, for the record.",
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload and text:
            raise ValidationError("Upload a file or paste text, not both.")
        if not upload and not text:
            raise ValidationError("Upload the report's file or paste its text.")
        if upload and upload.size > REPORT_MAX_BYTES:
            raise ValidationError(
                f"“{upload.name}” is larger than 5 MB: is it the report's page?"
            )
        if len(text.encode("utf-8")) > REPORT_MAX_BYTES:
            raise ValidationError("The pasted text is larger than 5 MB.")
        return cleaned


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["digest", "weekly_on", "paused_until"]
        labels = {"digest": "How often", "weekly_on": "Day of the weekly digest"}
        help_texts = {
            "weekly_on": "For the weekly digest. On a bank holiday it comes the next working day.",
        }
        widgets = {
            "digest": forms.RadioSelect,
        }
        field_classes = {"paused_until": DateField}

    def clean_paused_until(self):
        paused_until = self.cleaned_data["paused_until"]
        if paused_until and paused_until < timezone.localdate():
            raise ValidationError(
                "That date has passed. Leave it empty if you are not on leave."
            )
        return paused_until


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, saying what is true here: the email may be in any case."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": (
            "Your email address and password didn’t match, or the account is "
            "inactive. Check the password: the email may be in any letter case, "
            "the password must be exact."
        ),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also sends to people who have never set a password.

    Django skips accounts with an unusable password, which it takes to mean they
    sign in some other way; here it means a person added without one, whose only
    way in is this link. Inactive accounts still get nothing.
    """

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True)


class ActionPlanForm(forms.Form):
    """A new action or sub-step of a finding's plan, with whoever does it and by when."""

    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000
    )
    deliverable = forms.CharField(
        max_length=300,
        required=False,
        help_text="What it produces: a document, a process, a trained team.",
    )
    owner = IdChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Not assigned"
    )
    contributors = IdMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = DateField(
        label="Deadline", required=False, help_text="Set by the force."
    )

    def __init__(self, *args, force_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        people = force_people(force_id)
        self.fields["owner"].queryset = people
        self.fields["contributors"].queryset = people


class ActionEditForm(ActionPageForm):
    """What an action says: its title, description and deliverable."""

    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000
    )
    deliverable = forms.CharField(
        max_length=300,
        required=False,
        help_text="What it produces: a document, a process, a trained team.",
    )


# Findings by hand (an inspector's forms) ----------------------------------------------


class FindingForm(forms.Form):
    """A finding the importer missed: under which question, of which kind, its words."""

    question = IdChoiceField(
        queryset=Question.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose one of this inspection's questions.",
            "invalid_choice": "Choose one of this inspection's questions.",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of finding",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the kind of finding."},
    )
    parent = IdChoiceField(
        label="Under the cause of concern",
        queryset=Finding.objects.none(),
        required=False,
        empty_label="None",
        help_text="For a recommendation that answers a cause of concern.",
        error_messages={
            "invalid_choice": "Choose a cause of concern of this inspection, or none."
        },
    )
    reference = forms.CharField(
        max_length=40,
        help_text="Unique to this finding, for example WMP-2016-EFF-AFI-4.",
    )
    text = forms.CharField(
        label="Text of the finding",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text="In the report's words.",
        error_messages={"required": "The text of the finding cannot be empty."},
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = Question.objects.filter(
            inspection=inspection
        )
        self.fields["parent"].queryset = Finding.objects.filter(
            inspection=inspection, kind=Finding.Kind.CAUSE_OF_CONCERN
        ).order_by("order", "pk")
        self.fields["parent"].label_from_instance = lambda f: (
            f"{f.reference}: {f.text[:80]}"
        )


class SeenForm(forms.Form):
    """A page's form that carries when its finding, question or inspection last
    changed, as the page showed it (`seen`), so a stale page saves nothing."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_seen(self):
        try:
            return datetime.datetime.fromisoformat(self.cleaned_data["seen"])
        except ValueError:
            raise ValidationError(STALE_PAGE) from None


class FindingEditForm(SeenForm):
    """A finding's reference, kind, question, cause of concern and words."""

    reference = forms.CharField(
        max_length=40,
        error_messages={"required": "A finding needs a reference."},
        help_text="A finding of another kind takes a reference of that kind.",
    )
    kind = forms.ChoiceField(
        label="Kind of finding",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the kind of finding."},
    )
    question = IdChoiceField(
        queryset=Question.objects.none(),
        empty_label=None,
        help_text="Moving a cause of concern moves its recommendations with it.",
        error_messages={
            "required": "Choose one of this inspection's questions.",
            "invalid_choice": "Choose one of this inspection's questions.",
        },
    )
    parent = IdChoiceField(
        label="Under the cause of concern",
        queryset=Finding.objects.none(),
        required=False,
        empty_label="None",
        help_text="Only for a recommendation; it then answers that cause's question.",
        error_messages={
            "invalid_choice": "Choose a cause of concern of this inspection, or none."
        },
    )
    text = forms.CharField(
        label="Text of the finding",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        error_messages={"required": "The text of the finding cannot be empty."},
    )
    field_order = ["reference", "kind", "question", "parent", "text", "seen"]

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = Question.objects.filter(
            inspection_id=finding.inspection_id
        )
        if finding.question_id is None:
            # An imported finding the report gave no question: it may stay so.
            self.fields["question"].required = False
            self.fields["question"].empty_label = "Not under a question"
        self.fields["parent"].queryset = (
            Finding.objects.filter(
                inspection_id=finding.inspection_id,
                kind=Finding.Kind.CAUSE_OF_CONCERN,
            )
            .exclude(pk=finding.pk)
            .order_by("order", "pk")
        )
        self.fields["parent"].label_from_instance = lambda f: (
            f"{f.reference}: {f.text[:80]}"
        )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="The question",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "The question cannot be empty."},
    )
    grade = forms.ChoiceField(
        choices=Grade.choices,
        initial=Grade.NOT_STATED,
        error_messages={"invalid_choice": "Choose a grade from the list."},
    )


class QuestionEditForm(QuestionForm, SeenForm):
    """A question's words and grade, onto the question as the page showed it."""


class InspectionDetailsForm(forms.Form):
    """What an inspection is: its programme, title, date, grade and where it was published."""

    programme = forms.CharField(
        max_length=60,
        help_text="For example PEEL 2016, or PEEL 2021/22.",
        error_messages={"required": "The programme cannot be empty."},
    )
    pillar = forms.CharField(
        max_length=60,
        required=False,
        help_text="For example Effectiveness; empty for an integrated report.",
    )
    title = forms.CharField(
        max_length=300,
        help_text="As the report gives it.",
        error_messages={"required": "The title cannot be empty."},
    )
    published_on = DateField(
        label="Published on",
        required=False,
        help_text="The publication or last-updated date; empty if the report does not say.",
    )
    overall_grade = forms.ChoiceField(
        choices=Grade.choices,
        initial=Grade.NOT_STATED,
        error_messages={"invalid_choice": "Choose a grade from the list."},
    )
    source_reference = forms.CharField(
        label="Where it was published",
        required=False,
        max_length=500,
        help_text="Its web address, or how the report cites itself, for the record.",
    )


class InspectionForm(InspectionDetailsForm):
    """An inspection typed in by hand, for a report the importer cannot read."""

    force = IdChoiceField(
        queryset=Force.objects.all(),
        empty_label="Choose the force",
        error_messages={
            "required": "Choose the force the report is about.",
            "invalid_choice": "Choose the force from the list.",
        },
    )
    questions = forms.CharField(
        label="Its questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=50000,
        help_text="One a line, in the report's order; more can be added later.",
    )
    # Shown only once the form has warned of a likely duplicate (`warn_of_duplicates`).
    add_anyway = forms.BooleanField(
        label="Add it anyway",
        required=False,
        widget=forms.HiddenInput,
        help_text="It is another report, not the one already there.",
    )
    field_order = ["force", *InspectionDetailsForm.base_fields, "questions"]

    def clean_questions(self):
        return [line.strip() for line in self.cleaned_data["questions"].splitlines()]

    def warn_of_duplicates(self) -> None:
        """Offer the "Add it anyway" box, unticked: the person decides, having seen the warning."""
        field = self.fields["add_anyway"]
        field.widget = forms.CheckboxInput()
        self.data = self.data.copy()
        self.data.pop(self.add_prefix("add_anyway"), None)


class InspectionEditForm(InspectionDetailsForm, SeenForm):
    """An inspection's details, onto the inspection as the page showed it (not its force)."""


class PickedActionsField(forms.Field):
    """The actions ticked on the list, each as "id:version" (the version the list showed)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        picked = []
        for item in value or []:
            pk, _, version = str(item).partition(":")
            if not (is_id(pk) and is_id(version)):
                raise ValidationError(
                    "The ticked actions could not be read: reload the list and tick them again."
                )
            picked.append((int(pk), int(version)))
        return picked

    def validate(self, value):
        super().validate(value)
        if not value:
            raise ValidationError("Tick at least one action.")


class BulkForm(forms.Form):
    """What a force lead does to the actions ticked on the list."""

    selected = PickedActionsField(required=False)
    do = forms.ChoiceField(
        label="What to do",
        choices=[
            ("assign", "Give them the owner or deadline below"),
            ("sign-off", "Sign them off (each must be done and awaiting sign-off)"),
        ],
        widget=forms.RadioSelect,
        initial="assign",
    )
    owner = IdChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Keep each action's owner",
    )
    deadline = DateField(
        label="Deadline",
        required=False,
        help_text="Empty keeps each action's deadline. A deadline the inspectorate set is not changed here.",
    )

    def __init__(self, *args, force_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = force_people(force_id)

    def clean(self):
        cleaned = super().clean()
        cleaned["set_owner"] = cleaned.get("owner") is not None
        cleaned["set_deadline"] = cleaned.get("deadline") is not None
        if (
            cleaned.get("do") == "assign"
            and not (cleaned["set_owner"] or cleaned["set_deadline"])
            and not self.errors
        ):
            raise ValidationError("Choose an owner or a deadline to give them.")
        return cleaned


class NotificationPreferencesForm(forms.Form):
    """For each kind of notification: by email at once, in the daily digest, or not by email."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, (label, audience) in NOTIFICATION_LABELS.items():
            self.fields[kind.value] = forms.ChoiceField(
                label=label,
                widget=forms.RadioSelect,
                help_text=f"Sent to {audience}.",
                choices=[
                    choice
                    for choice in NotificationPreference.Delivery.choices
                    if choice[0] in NotificationPreference.OFFERED
                ],
                initial=current.get(
                    kind.value, NotificationPreference.Delivery.AT_ONCE
                ),
            )
        # GOV.UK radios: a bold question for each kind, its three choices small below it.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(
                Field.radios(name, legend_size=Size.SMALL, small=True)
                for name in self.fields
            )
        )


MARKING_RE = r"^[A-Za-z0-9][A-Za-z0-9 :/()\-]*$"


def marking_field() -> forms.CharField:
    return forms.CharField(
        label="Protective marking",
        max_length=60,
        help_text="Printed in the header and footer of every page, for example OFFICIAL or OFFICIAL-SENSITIVE.",
        validators=[
            RegexValidator(
                MARKING_RE,
                "The marking may hold only letters, numbers, spaces, hyphens, colons,"
                " slashes and brackets, for example OFFICIAL-SENSITIVE",
            )
        ],
        error_messages={
            "required": "Enter the marking for the header and footer, for example OFFICIAL",
            "max_length": "The marking must be 60 characters or fewer",
        },
    )


class PaperForm(forms.Form):
    """A pack's period, its marking and the file it comes as."""

    FORMATS = [
        (Paper.Format.PDF, "PDF, to print or attach"),
        (Paper.Format.DOCX, "Word (.docx), to write the committee's paper in"),
        (Paper.Format.XLSX, "Excel (.xlsx), the pack's tables to sort and filter"),
    ]

    start = DateField(
        label="Start of the period",
        help_text="The pack reports what changed from this day: closed work, newly overdue work, new findings.",
    )
    end = DateField(label="End of the period", help_text="Today or a day before it.")
    marking = marking_field()
    format = forms.ChoiceField(
        label="Make it as", choices=FORMATS, widget=forms.RadioSelect
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if end and end > timezone.localdate():
            self.add_error("end", "The end of the period must be today or in the past")
        elif start and end and end < start:
            self.add_error(
                "end", "The end of the period must be the same as or after its start"
            )
        return data


class NationalBriefForm(forms.Form):
    theme = forms.ModelChoiceField(
        label="Compare the forces on one theme",
        queryset=Theme.objects.all(),
        required=False,
        empty_label="No theme",
        to_field_name="slug",
        help_text="Each force's findings on it and their progress, and the forces with none.",
    )
    marking = marking_field()
    format = forms.ChoiceField(
        label="Make it as",
        choices=[
            (Paper.Format.PDF, "PDF, to print or attach"),
            (Paper.Format.DOCX, "Word (.docx), to write a briefing in"),
            (Paper.Format.XLSX, "Excel (.xlsx), the figures to sort and filter"),
        ],
        widget=forms.RadioSelect,
    )


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, when it stops working."""

    name = forms.CharField(
        label="What is it for?",
        max_length=100,
        help_text="For example “Risk register sync”. Only you see it.",
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        widget=forms.RadioSelect,
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
    )
    expires_on = DateField(
        label="When does it stop working?",
        help_text="Within a year. For example, 27 3 2027.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(
            days=90
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("name"),
            Field.radios("scope", legend_size=Size.SMALL, small=True),
            Field("expires_on"),
        )


class WebhookForm(forms.Form):
    """A webhook: what it is for, where events go, which events."""

    name = forms.CharField(
        label="What is it for?",
        max_length=100,
        help_text="For example “Risk register”.",
        error_messages={"required": "Enter what the webhook is for."},
    )
    url = forms.CharField(
        label="Address to post events to",
        max_length=500,
        help_text="The receiving system's https address, for example "
        "https://register.example.police.uk/hooks/peel.",
        widget=forms.TextInput(
            attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={"required": "Enter the address to post events to."},
    )
    kinds = forms.MultipleChoiceField(
        label="Which events?",
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(kind), EVENT_NAMES[kind]) for kind in WEBHOOK_KINDS],
        error_messages={"required": "Choose at least one kind of event."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "kinds" not in self.initial:
            self.initial["kinds"] = [str(kind) for kind in WEBHOOK_KINDS]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("url"),
            Field.checkboxes("kinds", legend_size=Size.SMALL, small=True),
        )
