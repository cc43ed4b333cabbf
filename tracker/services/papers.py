"""Recording each paper made, so that the next one says what changed since."""

from ..models import Force, Inspection, Paper, Theme, User
from ..permissions import is_force_lead_of, may_make_committee_pack, may_read_national
from .common import deny


def paper_record(
    user: User,
    *,
    kind: str,
    format: str,
    period_start,
    period_end,
    force: Force | None = None,
    inspection: Inspection | None = None,
    theme: Theme | None = None,
    marking: str = "OFFICIAL",
) -> Paper:
    """Note that `user` made a pack: for a force (or one of its inspections), or the national brief.

    The marking a force lead chooses becomes the force's own, which the next pack
    offers; an inspector's marks their pack only.
    """
    if kind == Paper.Kind.NATIONAL:
        if not may_read_national(user):
            deny("The national brief is for inspectors.")
    elif force is None or not may_make_committee_pack(user, force):
        deny("A force's packs are for its force lead and for inspectors.")
    elif inspection is not None and inspection.force_id != force.pk:
        deny("An inspection pack is of one of the force's own inspections.")
    if force is not None and is_force_lead_of(user, force.pk):
        if marking != force.protective_marking:
            force.protective_marking = marking
            force.save(update_fields=["protective_marking"])
    return Paper.objects.create(
        kind=kind,
        marking=marking,
        format=format,
        force=force,
        inspection=inspection,
        theme=theme,
        period_start=period_start,
        period_end=period_end,
        made_by=user,
    )
