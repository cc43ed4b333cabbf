"""The inspector's changes to a parsed report's structure, on the data the preview keeps."""

from pathlib import Path

import pytest

from tracker.import_edits import (
    NO_PARENT,
    OUTSIDE,
    EditError,
    add_finding,
    delete,
    merge,
    move,
    path_of,
    settle,
    split,
)
from tracker.importer import parse_report, walk

REPORTS = Path(__file__).resolve().parent / "reports"
SAMPLE = REPORTS / "west-mercia-peel-2016-effectiveness.txt"
DATED_AFI = "q4.1"  # the action plan by 1 May 2017, with three sub-steps
CAUSE_REPORT = "peel-2021-22-nested.html"  # q3.1 is a cause with two recommendations


def sample() -> dict:
    return parse_report(SAMPLE.read_bytes()).to_dict()


def nested() -> dict:
    raw = (REPORTS / CAUSE_REPORT).read_bytes()
    return parse_report(raw, filename=CAUSE_REPORT).to_dict()


def outline(data: dict) -> list[tuple]:
    """Each finding and sub-step as (path, kind, first words, order)."""
    return [
        (p.path, p.item.get("kind"), " ".join(p.item["text"].split()[:3]))
        for p in walk(data, items=True)
    ]


def orders_follow_paths(data: dict) -> bool:
    return all(
        int(place.path.rsplit(".", 1)[1]) == place.item["order"]
        for place in walk(data, items=True)
    )


def item(data: dict, path: str) -> dict:
    return next(p.item for p in walk(data, items=True) if p.path == path)


# Adding ---------------------------------------------------------------------------


def test_a_missed_finding_goes_at_the_end_of_its_question_with_its_deadline():
    data = sample()
    done = add_finding(
        data,
        text="  The force should   publish its plan. ",
        kind="area_for_improvement",
        question="3",
        due="2017-09-30",
        wording="by 30 September 2017",
    )
    assert path_of(data, done.focus) == "q3.1"
    added = item(data, "q3.1")
    assert added["text"] == "The force should publish its plan."
    assert added["line"] is None  # not read from the source
    assert [(d["due"], d["wording"]) for d in added["deadlines"]] == [
        ("2017-09-30", "by 30 September 2017")
    ]
    assert "at the end of question 3" in done.message
    assert orders_follow_paths(data)


def test_a_missed_recommendation_goes_under_its_cause_of_concern():
    data = nested()
    done = add_finding(
        data,
        text="The force should act now.",
        kind="recommendation",
        question="",  # the cause decides the question
        parent="q3.1",
    )
    assert path_of(data, done.focus) == "q3.1.r.3"
    place = next(p for p in walk(data) if p.path == "q3.1.r.3")
    assert place.question_order == 3 and place.parent is item(data, "q3.1")


def test_a_missed_finding_outside_any_question():
    data = sample()
    done = add_finding(data, text="Act.", kind="cause_of_concern", question=OUTSIDE)
    assert path_of(data, done.focus) == "x.1"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text": "   "}, "cannot be empty"),
        ({"text": "a\x00b"}, "NUL character"),
        ({"kind": "opinion"}, "Choose the kind"),
        ({"question": "9"}, "no question “9”"),
        ({"kind": "recommendation", "parent": "q2.1"}, "is not one"),
        ({"kind": "recommendation", "parent": "q7.1"}, "no finding q7.1"),
        ({"due": "2017-02-30"}, "“2017-02-30” is not a date"),
        ({"due": "soon"}, "“soon” is not a date"),
        ({"wording": "within six months"}, "Give the date “within six months” means"),
        ({"kind": ""}, "Choose the kind"),
        ({"question": ""}, "Choose the question it answers"),
    ],
)
def test_adding_refuses_bad_input_and_changes_nothing(fields, message):
    data = sample()
    before = outline(data)
    with pytest.raises(EditError, match=message):
        add_finding(
            data,
            **{
                "text": "The force should act.",
                "kind": "area_for_improvement",
                "question": "2",
                **fields,
            },
        )
    assert outline(data) == before


def test_only_a_recommendation_is_added_under_a_cause():
    data = nested()
    with pytest.raises(EditError, match="Only a recommendation"):
        add_finding(
            data, text="Act.", kind="area_for_improvement", question="3", parent="q3.1"
        )


# Deleting -------------------------------------------------------------------------


def test_deleting_a_finding_takes_its_sub_steps_and_says_so():
    data = sample()
    done = delete(data, DATED_AFI)
    assert "Removed the area for improvement “The force should take immediate" in (
        done.message
    )
    assert "(line 72) with its 3 sub-steps and 2 deadlines" in done.message
    assert not [p for p in walk(data, items=True) if p.path.startswith("q4.")]
    assert path_of(data, done.focus) == "q4"  # its question stays in view


def test_deleting_a_sub_step_renumbers_the_others():
    data = sample()
    done = delete(data, "q4.1.c.2")
    assert [p.item["text"][:4] for p in walk(data, items=True) if ".c." in p.path] == [
        "unde",
        "take",
    ]
    assert orders_follow_paths(data)
    assert path_of(data, done.focus) == "q4.1.c.1"


def test_deleting_a_cause_takes_its_recommendations():
    data = nested()
    done = delete(data, "q3.1")
    assert "with its 2 recommendations" in done.message
    assert not [p for p in walk(data) if p.path.startswith("q3.")]


def test_deleting_what_is_not_there_is_refused():
    with pytest.raises(EditError, match="no item q4.9"):
        delete(sample(), "q4.9")


# Splitting ------------------------------------------------------------------------


def test_splitting_a_finding_sends_each_deadline_with_its_words():
    data = sample()
    text = item(data, DATED_AFI)["text"]
    cut = text.index("West Mercia Police is one of")
    done = split(data, DATED_AFI, text[:cut] + "\r\n\r\n" + text[cut:])
    first, second = item(data, "q4.1"), item(data, "q4.2")
    assert first["text"].endswith("on behalf of victims.")
    assert second["text"].startswith("West Mercia Police is one of")
    assert (first["deadlines"], [d["wording"] for d in second["deadlines"]]) == (
        [],
        ["by 1 May 2017"],
    )
    # Its sub-steps and closing paragraph follow the last part, as in the report.
    assert (len(first["children"]), len(second["children"])) == (0, 3)
    assert first["trailing_text"] is None and second["trailing_text"]
    assert first["kind"] == second["kind"] == "area_for_improvement"
    assert first["line"] == second["line"] == 72
    assert path_of(data, done.focus) == "q4.1"
    assert "1 deadline to part 2" in done.message
    assert orders_follow_paths(data)


def test_splitting_a_sub_step():
    data = sample()
    done = split(
        data,
        "q4.1.c.1",
        "undertake a comprehensive analysis of the use of this outcome;\n"
        "\n"
        "produce an accompanying report for scrutiny by HMIC by 1 June 2017;",
    )
    steps = [p.item for p in walk(data, items=True) if ".c." in p.path]
    assert [s["text"][:7] for s in steps] == [
        "underta",
        "produce",
        "review ",
        "take st",
    ]
    assert [d["wording"] for d in steps[1]["deadlines"]] == ["by 1 June 2017"]
    assert steps[0]["deadlines"] == []
    assert path_of(data, done.focus) == "q4.1.c.1"


@pytest.mark.parametrize(
    "text, message",
    [
        ("One sentence. Another sentence.", "put an empty line"),
        ("\n\nAll of it after the line.", "Both sides"),
    ],
)
def test_a_split_needs_an_empty_line_between_two_parts(text, message):
    data = sample()
    before = outline(data)
    with pytest.raises(EditError, match=message):
        split(data, "q2.1", text)
    assert outline(data) == before


# Merging --------------------------------------------------------------------------


def test_merging_joins_the_texts_and_keeps_deadlines_and_sub_steps():
    data = sample()
    text = item(data, DATED_AFI)["text"]
    cut = text.index("West Mercia Police is one of")
    split(data, DATED_AFI, text[:cut] + "\n\n" + text[cut:])
    done = merge(data, "q4.2")
    merged = item(data, DATED_AFI)
    assert merged["text"] == text
    assert [d["wording"] for d in merged["deadlines"]] == ["by 1 May 2017"]
    assert len(merged["children"]) == 3 and merged["trailing_text"]
    assert path_of(data, done.focus) == "q4.1"
    assert [p.path for p in walk(data)] == [
        "q2.1",
        "q2.2",
        "q4.1",
        "q5.1",
        "q5.2",
    ]


def test_a_first_sub_step_merges_into_its_finding():
    data = sample()
    done = merge(data, "q4.1.c.1")
    finding = item(data, DATED_AFI)
    assert finding["text"].endswith(
        "how it will: undertake a comprehensive analysis"
        " of the use of this outcome across the force area"
        " to understand fully why the force is an outlier,"
        " and produce an accompanying report for scrutiny"
        " by HMIC by 1 June 2017;"
    )
    assert [d["wording"] for d in finding["deadlines"]] == [
        "by 1 May 2017",
        "by 1 June 2017",
    ]
    assert len(finding["children"]) == 2
    assert path_of(data, done.focus) == DATED_AFI


def test_the_first_finding_of_a_question_has_nothing_to_merge_into():
    with pytest.raises(EditError, match="first finding in question 2"):
        merge(sample(), "q2.1")


def test_a_cause_merged_into_an_area_for_improvement_leaves_its_recommendations():
    data = nested()
    data["questions"][2]["findings"].insert(
        0, {**item(data, "q2.1"), "recommendations": [], "children": []}
    )
    settle(data)
    done = merge(data, "q3.2")  # the cause, into the area for improvement before it
    assert "recommendations stay recommendations" in done.message
    assert [
        (p.path, p.item["kind"]) for p in walk(data) if p.path.startswith("q3")
    ] == [
        ("q3.1", "area_for_improvement"),
        ("q3.2", "recommendation"),
        ("q3.3", "recommendation"),
    ]


# Moving and kinds -----------------------------------------------------------------


def test_a_finding_moves_to_another_question_in_report_order():
    data = sample()
    done = move(data, "q2.2", question="5", parent=NO_PARENT)
    assert path_of(data, done.focus) == "q5.1"  # line 40 comes before line 96
    assert "Moved the area for improvement “The force should evaluate" in done.message
    assert "to question 5" in done.message
    assert [p.path for p in walk(data)] == ["q2.1", "q4.1", "q5.1", "q5.2", "q5.3"]
    assert orders_follow_paths(data)


def test_a_recommendation_moves_under_a_cause_and_into_its_question():
    data = nested()
    move_me = item(data, "q2.1")
    move_me["kind"] = "recommendation"
    done = move(data, "q2.1", question="2", parent="q3.1")
    place = next(p for p in walk(data) if p.item is move_me)
    assert place.is_recommendation and place.question_order == 3
    assert path_of(data, done.focus) == place.path
    assert "in question 3" in done.message


def test_a_recommendation_leaves_its_cause_for_none_or_for_a_new_question():
    data = nested()
    first = item(data, "q3.1.r.1")
    move(data, "q3.1.r.1", question="3", parent=NO_PARENT)
    place = next(p for p in walk(data) if p.item is first)
    assert (place.path, place.parent) == ("q3.2", None)
    second = item(data, "q3.1.r.1")
    move(data, "q3.1.r.1", question="1", parent="q3.1")  # only the question changed
    place = next(p for p in walk(data) if p.item is second)
    assert (place.question_order, place.parent) == (1, None)


@pytest.mark.parametrize(
    "path, question, parent, message",
    [
        ("q2.1", "2", "q3.1", "Only a recommendation"),
        ("q3.1.r.1", "3", "q2.1", "is not one"),
        ("q2.1", "8", NO_PARENT, "no question “8”"),
        ("q2.2.c.1", "3", NO_PARENT, "A sub-step moves with its finding"),
    ],
)
def test_a_move_refuses_bad_places(path, question, parent, message):
    data = nested()
    before = outline(data)
    with pytest.raises(EditError, match=message):
        move(data, path, question=question, parent=parent)
    assert outline(data) == before


def test_a_cause_that_becomes_another_kind_says_what_happens_to_its_recommendations():
    data = nested()
    item(data, "q3.1")["kind"] = "area_for_improvement"
    notes = settle(data)
    assert notes == [
        f"The area for improvement “{' '.join(item(data, 'q3.1')['text'].split()[:8])}…”"
        f" (line {item(data, 'q3.1')['line']}) is now an area for improvement: its 2"
        " recommendations stay recommendations, each on its own after it in question 3."
    ]
    assert [
        (p.path, p.item["kind"]) for p in walk(data) if p.path.startswith("q3")
    ] == [
        ("q3.1", "area_for_improvement"),
        ("q3.2", "recommendation"),
        ("q3.3", "recommendation"),
    ]


def test_a_recommendation_that_becomes_another_kind_follows_its_cause():
    data = nested()
    item(data, "q3.1.r.2")["kind"] = "area_for_improvement"
    [note] = settle(data)
    assert "no longer sits under the cause of concern" in note
    assert [
        (p.path, p.item["kind"]) for p in walk(data) if p.path.startswith("q3")
    ] == [
        ("q3.1", "cause_of_concern"),
        ("q3.1.r.1", "recommendation"),
        ("q3.2", "area_for_improvement"),
    ]
