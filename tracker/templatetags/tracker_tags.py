from django import template

from ..formats import long_date
from ..models import Rag, rag_for, rag_label

register = template.Library()

RAG_CLASSES = {
    Rag.RED: "text-bg-danger",
    Rag.AMBER: "text-bg-warning",
    Rag.GREEN: "text-bg-success",
    Rag.DONE_LATE: "text-bg-info",
    Rag.CLOSED: "text-bg-secondary",
}


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
    """1 May 2017: the one way a person reads a date."""
    return long_date(day) if day else ""


@register.filter
def quoted(text: str) -> str:
    """Each line of a plain-text email's quotation, after "> "."""
    return "\n".join(f"> {line}".rstrip() for line in str(text).splitlines())
