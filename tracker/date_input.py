"""GOV.UK's date input: a day, a month and a year in three boxes.

A person types a date the way they say it ("11", "12" or "Dec", "2026"); no date
picker, and no script. A single ISO value under the field's own name is read too
(``?due_before=2026-12-11`` in a link, or a program posting a form), so a link
the app writes keeps working. What cannot be a date is refused in the words the
Design System uses, naming the part to put right, and what was typed stays in the
boxes.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%B").casefold(),
        datetime.date(2000, number, 1).strftime("%b").casefold(),
    )
}
MONTHS["sept"] = 9


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return MONTHS.get(text.casefold().rstrip("."))


def read_date(value, what: str = "The date") -> datetime.date | None:
    """The date in a (day, month, year) triple or an ISO string; None when all empty.

    Raises ValidationError saying what is wrong, with ``params["parts"]`` naming
    the boxes to mark.
    """
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise _problem(f"{what} must be a real date", PARTS) from None
    parts = [str(part).strip() if part is not None else "" for part in (value or ())]
    parts += [""] * (3 - len(parts))
    day, month, year = parts[:3]
    if not (day or month or year):
        return None
    missing = [
        name for name, part in zip(PARTS, (day, month, year), strict=True) if not part
    ]
    if missing:
        raise _problem(f"{what} must include a {' and '.join(missing)}", missing)
    number = _month(month)
    bad = [
        name
        for name, ok in (
            ("day", day.isdigit()),
            ("month", number is not None),
            ("year", year.isdigit()),
        )
        if not ok
    ]
    if bad:
        raise _problem(f"{what} must be a real date", bad)
    if len(year) != 4:
        raise _problem("Year must include 4 numbers", ["year"])
    try:
        return datetime.date(int(year), number, int(day))
    except ValueError:
        out_of_range = ["month"] if not 1 <= number <= 12 else ["day"]
        raise _problem(f"{what} must be a real date", out_of_range) from None


def _problem(message: str, parts) -> ValidationError:
    return ValidationError(message, code="invalid", params={"parts": list(parts)})


class DateInput(forms.MultiWidget):
    template_name = "widgets/date_input.html"

    def __init__(self, attrs=None):
        box = "govuk-input govuk-date-input__input"
        widgets = {
            "day": forms.TextInput(
                attrs={"class": f"{box} govuk-input--width-2", "inputmode": "numeric"}
            ),
            "month": forms.TextInput(attrs={"class": f"{box} govuk-input--width-2"}),
            "year": forms.TextInput(
                attrs={"class": f"{box} govuk-input--width-4", "inputmode": "numeric"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        parts = date_parts(value)
        return [parts[part] or None for part in PARTS]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            return data.get(name)
        return parts

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            subwidget["label"] = part.capitalize()
            # id_deadline_day, not Django's id_deadline_0: what the error summary links to.
            if subwidget["attrs"].get("id"):
                subwidget["attrs"]["id"] = f"{attrs['id']}_{part}"
            if not subwidget["attrs"].get("aria-describedby"):
                subwidget["attrs"].pop("aria-describedby", None)
        return context

    def id_for_label(self, id_):
        # A label, or an error summary's link, goes to the first box.
        return f"{id_}_day" if id_ else id_


class DateField(forms.MultiValueField):
    """A date typed into a DateInput, or given as ISO; empty is None.

    Its three parts are fields only so that the boxes a problem is in are marked
    (crispy-forms-gds reads each part's ``widget.errors``); the date is read whole.
    """

    widget = DateInput
    default_error_messages = {"required": "Enter the date"}

    def __init__(self, **kwargs):
        # GOV.UK's hint: how to type it, after anything the form says of the date.
        kwargs["help_text"] = " ".join(
            filter(
                None, [str(kwargs.get("help_text") or ""), "For example, 27 3 2027."]
            )
        )
        parts = [forms.CharField(required=False) for _ in PARTS]
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def _mark(self, parts=(), message=""):
        for name, field in zip(PARTS, self.fields, strict=True):
            field.widget.errors = [message] if name in parts else []

    def clean(self, value):
        self._mark()
        what = self.label or "The date"
        try:
            day = read_date(value, what)
        except ValidationError as error:
            self._mark(error.params["parts"], error.message)
            raise ValidationError(error.message, code="invalid") from None
        if day is None and self.required:
            message = self.error_messages["required"]
            if message == self.default_error_messages["required"] and self.label:
                message = f"Enter the {self.label[0].lower()}{self.label[1:]}"
            self._mark(PARTS, message)
            raise ValidationError(message, code="required")
        self.validate(day)
        self.run_validators(day)
        return day

    def validate(self, value):
        pass  # required is checked in clean(), with the field's own words

    def compress(self, data_list):
        return read_date(data_list)

    def has_changed(self, initial, data):
        try:
            return read_date(data) != read_date(initial)
        except ValidationError:
            return True


def posted_date(post, name: str, what: str = "The date") -> str | None:
    """What a hand-written date input (widgets/_date_boxes.html) sent: "2024-06-12",
    "" when left empty, or None when the form held no such date. It is read as a
    DateInput reads its boxes (``name_day``, ``name_month``, ``name_year``, or a
    single ISO ``name``). Raises ValidationError, in the words of read_date(), for
    a date that cannot be.
    """
    widget = DateInput()
    if widget.value_omitted_from_data(post, {}, name):
        return None
    day = read_date(widget.value_from_datadict(post, {}, name), what)
    return day.isoformat() if day else ""


def date_parts(value) -> dict[str, str]:
    """A date (or an ISO string, or the boxes as typed) as the day, month and year
    its boxes show."""
    if isinstance(value, dict):
        return {part: str(value.get(part) or "") for part in PARTS}
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        return {part: "" for part in PARTS}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
