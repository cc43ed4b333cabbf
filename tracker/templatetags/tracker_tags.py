import datetime
import json

from django import forms, template
from django.contrib.messages import constants as message_levels
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils import timezone
from django_filters import FilterSet

from ..date_input import PARTS, DateField, date_parts
from ..formats import long_date, long_datetime, weekday_date
from ..models import Rag, rag_for, rag_label

register = template.Library()

RAG_CLASSES = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.DONE_LATE: "govuk-tag--purple",
    Rag.CLOSED: "govuk-tag--grey",
}

# The header's sections, by the first word of a page's URL name; a page of no
# section marks none.
NAV_SECTIONS = {
    "home": "home",
    "force": "force",
    "action": "actions",
    "actions": "actions",
    "step": "actions",
    "deadline": "actions",
    "evidence": "actions",
    "national": "national",
    "import": "import",
    "notification": "notifications",
    "notifications": "notifications",
}


@register.filter
def nav_section(url_name) -> str:
    """Which header section a page is in, from its URL name ("action-detail": actions)."""
    return NAV_SECTIONS.get(str(url_name or "").split("-")[0], "")


def _shows_errors(value) -> bool:
    if isinstance(value, FilterSet):
        value = value.form
    if isinstance(value, BaseFormSet):
        return value.is_bound and (
            bool(value.non_form_errors()) or any(form.errors for form in value.forms)
        )
    return isinstance(value, BaseForm) and value.is_bound and bool(value.errors)


@register.simple_tag(takes_context=True)
def page_errors(context) -> bool:
    """Whether the page tells of a problem: a form in it with errors, a list of
    `errors`, or an error message.

    The page's title then starts "Error: ", so a screen reader hears it first.
    Reading the messages here leaves them for the page to show.
    """
    for layer in context.dicts:
        if any(_shows_errors(value) for value in layer.values()):
            return True
    # Pages that gather their own problems (the import preview) list them as `errors`.
    errors = context.get("errors")
    if isinstance(errors, list) and errors:
        return True
    messages = context.get("messages") or ()
    return any(message.level >= message_levels.ERROR for message in messages)


@register.filter
def as_tree(actions):
    """Order a flat list of actions depth first, as (action, depth) pairs."""
    actions = list(actions)
    children = {}
    for action in actions:
        children.setdefault(action.parent_id, []).append(action)
    ids = {action.pk for action in actions}
    roots = [a for a in actions if a.parent_id is None or a.parent_id not in ids]
    ordered = []

    def walk(action, depth):
        ordered.append((action, depth))
        for child in children.get(action.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered


@register.inclusion_tag("tracker/_rag.html")
def rag_badge(action):
    """The rating in words and colour: colour is never the only signal."""
    # Lists annotate `rag` in the database (Action.objects.with_rag); else work it out.
    rag = getattr(action, "rag", None) or rag_for(action)
    return {
        "label": rag_label(rag, action.deadline, action.done_on),
        "css": RAG_CLASSES[rag],
    }


@register.simple_tag
def chart_label_x(chart, index, width=640):
    group_width = width / (len(chart.labels) or 1)
    return round(index * group_width + group_width * 0.1, 1)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def deadline_note(action) -> str:
    """The report's wording of a deadline, when it says more than the date itself."""
    wording = action.deadline_wording
    if not wording or not action.deadline:
        return wording
    day = action.deadline
    if wording.casefold() in {
        f"by {day.day} {day:%B %Y}".casefold(),
        f"{day.day} {day:%B %Y}".casefold(),
    }:
        return ""
    return wording


@register.filter
def field_label(form, name: str) -> str:
    """A form field's label by its name, for messages about the field."""
    return form.fields[name].label or name.replace("_", " ").capitalize()


@register.filter(name="long_date")
def long_date_filter(day) -> str:
    """1 May 2017: the one way a person reads a date; also of a date kept as
    ISO text (an import's data), or the text as it is if it is not one."""
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            return day
    if isinstance(day, datetime.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)  # the day it was in Europe/London
    return long_date(day) if day else ""


@register.filter(name="long_datetime")
def long_datetime_filter(moment) -> str:
    """1 May 2017 at 3:15pm, in Europe/London."""
    return long_datetime(moment) if moment else ""


@register.filter(name="weekday_date")
def weekday_date_filter(day) -> str:
    """Monday 1 May 2017."""
    return weekday_date(day) if day else ""


@register.filter
def quoted(text: str) -> str:
    """Each line of a plain-text email's quotation, after "> "."""
    return "\n".join(f"> {line}".rstrip() for line in str(text).splitlines())


@register.filter
def error_anchor(field) -> str:
    """Where an error summary's link for a field goes: its box, or its first box in error."""
    if isinstance(field.field, DateField):
        marked = [
            name
            for name, part in zip(PARTS, field.field.fields, strict=True)
            if getattr(part.widget, "errors", None)
        ]
        return f"{field.auto_id}_{(marked or ['day'])[0]}"
    return field.id_for_label or f"{field.auto_id}_0"


register.filter("date_parts", date_parts)


@register.filter
def character_limit(field) -> int | None:
    """A text box's limit, for GOV.UK's character count (it marks the box for the script)."""
    widget = field.field.widget
    limit = getattr(field.field, "max_length", None)
    if not limit or not isinstance(widget, forms.Textarea):
        return None
    classes = widget.attrs.get("class", "").split()
    if "govuk-js-character-count" not in classes:
        widget.attrs["class"] = " ".join([*classes, "govuk-js-character-count"])
        # crispy-forms-gds adds the count's id to this, and fails on a box without it.
        widget.attrs.setdefault("aria-describedby", "")
    return limit


@register.filter
def character_threshold(field) -> int | None:
    """Show the count only near a generous limit (75% of it), as GOV.UK advises."""
    limit = getattr(field.field, "max_length", None)
    return 75 if limit and limit >= 2000 else None


@register.filter
def pretty_json(value) -> str:
    """A stored JSON value as it reads best: indented, with its own characters."""
    return json.dumps(value, indent=2, ensure_ascii=False)
