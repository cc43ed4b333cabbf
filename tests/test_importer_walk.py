"""The one walk over a parsed report's data: order, places, and what it includes."""

from pathlib import Path

from tracker.importer import parse_report, walk

REPORTS = Path(__file__).resolve().parent / "reports"


def data(name: str) -> dict:
    return parse_report((REPORTS / name).read_bytes(), filename=name).to_dict()


def test_the_walk_goes_in_report_order_with_paths_and_levels():
    report = data("peel-2021-22-nested.html")
    places = [
        (place.role, place.path, place.level, place.question_order)
        for place in walk(report, items=True, questions=True)
    ]
    assert places == [
        ("question", "q1", 0, 1),
        ("question", "q2", 0, 2),
        ("finding", "q2.1", 1, 2),
        ("finding", "q2.2", 1, 2),
        ("item", "q2.2.c.1", 2, 2),
        ("item", "q2.2.c.2", 2, 2),
        ("question", "q3", 0, 3),
        ("finding", "q3.1", 1, 3),
        ("recommendation", "q3.1.r.1", 2, 3),
        ("recommendation", "q3.1.r.2", 2, 3),
        ("question", "q4", 0, 4),
        ("finding", "q4.1", 1, 4),
    ]


def test_a_recommendation_and_a_sub_item_name_what_they_are_under():
    report = data("peel-2021-22-nested.html")
    places = {place.path: place for place in walk(report, items=True)}
    cause = report["questions"][2]["findings"][0]
    assert places["q3.1.r.1"].parent is cause
    assert places["q3.1.r.1"].item is cause["recommendations"][0]
    assert places["q3.1.r.1"].is_recommendation and places["q3.1.r.1"].is_finding
    assert places["q2.2.c.1"].parent is report["questions"][1]["findings"][1]
    assert not places["q2.2.c.1"].is_finding
    assert places["q3.1"].parent is None


def test_findings_outside_any_question_come_last_at_the_top_level():
    report = data("accelerated-cause-of-concern.txt")
    assert [(p.path, p.level, p.question) for p in walk(report)] == [
        ("x.1", 0, None),
        ("x.1.r.1", 1, None),
        ("x.1.r.2", 1, None),
    ]


def test_by_default_the_walk_is_every_finding_and_can_leave_out_recommendations():
    report = data("peel-2018-19-integrated.txt")
    every = list(walk(report))
    top = list(walk(report, recommendations=False))
    assert all(place.is_finding for place in every)
    assert [place.item for place in top] == [
        place.item for place in every if not place.is_recommendation
    ]
    assert len(every) - len(top) == sum(
        len(place.item["recommendations"]) for place in top
    )
    assert len(top) < len(every)
