"""Recording each paper made, so that the next one says what changed since."""

from ..models import Force, Inspection, Paper, Theme, User
from ..permissions import may_make_committee_pack, may_read_national
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
) -> Paper:
    """Note that `user` made a pack: for a force (or one of its inspections), or the national brief."""
    if kind == Paper.Kind.NATIONAL:
        if not may_read_national(user):
            deny("The national brief is for inspectors.")
    elif force is None or not may_make_committee_pack(user, force):
        deny("A force's packs are for its force lead and for inspectors.")
    return Paper.objects.create(
        kind=kind,
        format=format,
        force=force,
        inspection=inspection,
        theme=theme,
        period_start=period_start,
        period_end=period_end,
        made_by=user,
    )
