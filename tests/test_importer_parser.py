"""The report parser: what it reads from PEEL reports, and what it refuses."""

from __future__ import annotations

import calendar
import functools
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pdf_support import report_pdf
from tracker.importer import ReportParseError, parse_report
from tracker.importer.dates import due_from_publication, find_deadlines
from tracker.importer.html import html_to_text

REPORTS = Path(__file__).parent / "reports"


def read_report(name: str):
    return parse_report((REPORTS / name).read_bytes(), filename=name)


def all_findings(report):
    """Every finding, cause-of-concern recommendations included, in reading order."""

    def walk(findings):
        for finding in findings:
            yield finding
            yield from walk(finding.recommendations)

    yield from walk(report.findings)
    for question in report.questions:
        yield from walk(question.findings)


def all_deadlines(report):
    def from_items(items):
        for item in items:
            yield from item.deadlines
            yield from from_items(item.children)

    for finding in all_findings(report):
        yield from finding.deadlines
        yield from from_items(finding.children)


def all_text(value):
    """Every string in a report's to_dict() output."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_text(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_text(item)


def one_question_report(body: str, published: str = "Published 1 March 2017") -> str:
    """A small report whose `body` starts on line 7, under its only question."""
    return (
        f"Wessex Police PEEL 2017\n\n{published}\n\n"
        f"How effective is the force at X?\n\n{body}\n"
    )


# The West Mercia 2016 sample --------------------------------------------------------


@pytest.fixture(scope="module")
def west_mercia():
    return read_report("west-mercia-peel-2016-effectiveness.txt")


def test_sample_metadata(west_mercia):
    assert west_mercia.force_name == "West Mercia"
    assert west_mercia.programme == "PEEL 2016"
    assert west_mercia.year == 2016
    assert west_mercia.pillar == "Effectiveness"
    assert west_mercia.last_updated == date(2017, 3, 2)
    assert west_mercia.published is None
    assert west_mercia.overall_grade == "good"
    assert west_mercia.warnings == []


def test_sample_questions_and_grades(west_mercia):
    questions = west_mercia.questions
    assert [q.order for q in questions] == [1, 2, 3, 4, 5, 6]
    assert questions[0].text == (
        "How effective is the force at keeping people safe and reducing crime?"
    )
    assert questions[5].text == "How effective are the force’s specialist capabilities?"
    assert [q.is_overall for q in questions] == [True] + [False] * 5
    assert [q.grade for q in questions] == [
        "good",
        "requires_improvement",
        "not_stated",
        "not_stated",
        "requires_improvement",
        "not_stated",
    ]
    sources = [q.grade_source for q in questions]
    assert sources == ["prose", "line", None, None, "line", None]
    assert [q.line for q in questions] == [6, 27, 43, 57, 80, 100]


def test_sample_findings(west_mercia):
    findings = [[f.kind for f in q.findings] for q in west_mercia.questions]
    afi = "area_for_improvement"
    assert findings == [[], [afi, afi], [], [afi], [afi, afi], []]
    first = west_mercia.questions[1].findings[0]
    assert first.text.startswith("The force should work with local people")
    assert first.text.endswith("such as migrant communities or elderly people.")
    assert (first.order, first.line, first.children, first.deadlines) == (1, 39, [], [])


def test_sample_dated_finding_keeps_its_structure(west_mercia):
    (finding,) = west_mercia.questions[3].findings
    assert finding.line == 72
    assert finding.text.startswith("The force should take immediate steps to")
    assert finding.text.endswith("an action plan that sets out how it will:")
    assert [child.text for child in finding.children] == [
        "undertake a comprehensive analysis of the use of this outcome across the "
        "force area to understand fully why the force is an outlier, and produce an "
        "accompanying report for scrutiny by HMIC by 1 June 2017;",
        "review the extent to which the force’s use of this outcome category is "
        "appropriate; and",
        "take steps to reduce the force’s reliance on this outcome category and "
        "improve outcomes for victims.",
    ]
    assert [child.line for child in finding.children] == [73, 74, 75]
    trailing = finding.trailing_text
    assert trailing.startswith("This action plan and subsequent report will be")
    assert trailing.endswith("pursuing justice on behalf of victims.")


def test_sample_has_exactly_two_deadlines_each_on_its_own_deliverable(west_mercia):
    (finding,) = west_mercia.questions[3].findings
    (plan,) = finding.deadlines
    assert (plan.due, plan.wording, plan.deliverable, plan.line) == (
        date(2017, 5, 1),
        "by 1 May 2017",
        "action plan",
        72,
    )
    (report,) = finding.children[0].deadlines
    assert (report.due, report.wording, report.deliverable, report.line) == (
        date(2017, 6, 1),
        "by 1 June 2017",
        "accompanying report for scrutiny by HMIC",
        73,
    )
    assert not (plan.relative or plan.immediate or report.relative or report.immediate)
    assert len(list(all_deadlines(west_mercia))) == 2


def test_sample_to_dict_is_json_with_iso_dates(west_mercia):
    data = json.loads(json.dumps(west_mercia.to_dict()))
    assert data["last_updated"] == "2017-03-02"
    finding = data["questions"][3]["findings"][0]
    assert finding["deadlines"][0]["due"] == "2017-05-01"
    assert finding["children"][0]["deadlines"][0]["due"] == "2017-06-01"


# Deadlines --------------------------------------------------------------------------

PUBLISHED = date(2017, 3, 2)


@pytest.mark.parametrize(
    ("sentence", "due", "wording"),
    [
        ("The force should act by 1 May 2017.", date(2017, 5, 1), "by 1 May 2017"),
        ("By 1st June 2017, it should act.", date(2017, 6, 1), "By 1st June 2017"),
        (
            "It should act by the 3rd of July 2017.",
            date(2017, 7, 3),
            "by the 3rd of July 2017",
        ),
        ("It should act by May 1, 2017.", date(2017, 5, 1), "by May 1, 2017"),
        (
            "The force should, not later than 31 March 2015, publish a plan.",
            date(2015, 3, 31),
            "not later than 31 March 2015",
        ),
        (
            "The force should report no later than 30 Sept 2018.",
            date(2018, 9, 30),
            "no later than 30 Sept 2018",
        ),
        (
            "The force should train staff by the end of March 2018.",
            date(2018, 3, 31),
            "by the end of March 2018",
        ),
        (
            "The force should train staff by the end of February 2020.",
            date(2020, 2, 29),
            "by the end of February 2020",
        ),
        ("It should act by the end of 2019.", date(2019, 12, 31), "by the end of 2019"),
        ("The force should act by 01/05/2017.", date(2017, 5, 1), "by 01/05/2017"),
        ("The force should act by 1.5.2017.", date(2017, 5, 1), "by 1.5.2017"),
        ("The force should act by 1-5-17.", date(2017, 5, 1), "by 1-5-17"),
        ("The force should act by 2019-03-31.", date(2019, 3, 31), "by 2019-03-31"),
    ],
)
def test_absolute_deadlines(sentence, due, wording):
    (deadline,) = find_deadlines(sentence, published=PUBLISHED, line=7)
    assert (deadline.due, deadline.wording, deadline.line) == (due, wording, 7)
    assert not deadline.relative and not deadline.immediate


@pytest.mark.parametrize(
    ("sentence", "due", "wording"),
    [
        ("Within three months, it must act.", date(2017, 6, 2), "Within three months"),
        ("The force should act within 6 months.", date(2017, 9, 2), "within 6 months"),
        ("The force should act within 28 days.", date(2017, 3, 30), "within 28 days"),
        ("It should act within four weeks.", date(2017, 3, 30), "within four weeks"),
        ("The force should act within a year.", date(2018, 3, 2), "within a year"),
        (
            "The force must act within three months of the publication of this report.",
            date(2017, 6, 2),
            "within three months",
        ),
    ],
)
def test_relative_deadlines_count_from_publication(sentence, due, wording):
    (deadline,) = find_deadlines(sentence, published=PUBLISHED, line=3)
    assert (deadline.due, deadline.wording, deadline.relative) == (due, wording, True)


@pytest.mark.parametrize(
    "sentence, due, month_only",
    [
        (
            "By September 2014, the force should review its policy.",
            date(2014, 9, 30),
            True,
        ),
        ("The force should publish it by February 2024.", date(2024, 2, 29), True),
        (
            "The force should publish it by September 30, 2014.",
            date(2014, 9, 30),
            False,
        ),
        (
            "The force should publish it by the end of June 2015.",
            date(2015, 6, 30),
            False,
        ),
    ],
)
def test_a_month_with_no_day_is_due_at_its_end_and_says_so(sentence, due, month_only):
    (deadline,) = find_deadlines(sentence, published=None)
    assert (deadline.due, deadline.month_only) == (due, month_only)
    assert deadline.to_dict()["month_only"] is month_only


@pytest.mark.parametrize(
    "sentence",
    [
        "In September 2014, the force reviewed its policy.",
        "Since March 2015 the force should have had a plan.",
        "The force launched it during September 2014.",
    ],
)
def test_a_month_in_the_narrative_is_not_a_deadline(sentence):
    assert find_deadlines(sentence, published=None) == []


def test_months_are_clamped_to_the_end_of_a_shorter_month():
    (deadline,) = find_deadlines(
        "The force should act within one month.", published=date(2019, 1, 31)
    )
    assert deadline.due == date(2019, 2, 28)


def test_relative_deadline_without_a_publication_date_keeps_its_words_and_no_date():
    warnings: list[str] = []
    sentence = "The force should act within three months."
    (deadline,) = find_deadlines(sentence, published=None, line=4, warnings=warnings)
    assert (deadline.due, deadline.wording, deadline.relative) == (
        None,
        "within three months",
        True,
    )
    assert warnings == [
        "Line 4: “within three months” counts from the publication date, which the "
        "report does not give: enter the publication date below and its date is "
        "counted from it."
    ]


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        ("The force should immediately review its policy.", "immediately"),
        ("With immediate effect, the force should stop.", "With immediate effect"),
    ],
)
def test_immediately_without_a_publication_date_keeps_its_words_and_no_date(
    sentence, wording
):
    (deadline,) = find_deadlines(sentence, published=None, warnings=[])
    assert (deadline.due, deadline.wording, deadline.immediate) == (None, wording, True)


@pytest.mark.parametrize(
    ("wording", "due"),
    [
        ("within three months", date(2024, 9, 12)),
        ("Within 28 days", date(2024, 7, 10)),
        ("within the next six weeks", date(2024, 7, 24)),
        ("immediately", date(2024, 6, 12)),
        ("With immediate effect", date(2024, 6, 12)),
        ("by 30 September 2024", None),
        ("as soon as possible", None),
    ],
)
def test_due_from_publication_counts_the_words_from_the_date_given(wording, due):
    assert due_from_publication(wording, date(2024, 6, 12)) == due


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        ("The force should immediately review its custody procedures.", "immediately"),
        ("The force must, immediately, stop this practice.", "immediately"),
        ("Immediately, the force should stop this practice.", "Immediately"),
        ("The force should, with immediate effect, stop it.", "with immediate effect"),
    ],
)
def test_immediately_as_the_timing_of_a_required_act(sentence, wording):
    (deadline,) = find_deadlines(sentence, published=PUBLISHED)
    assert (deadline.due, deadline.wording) == (PUBLISHED, wording)
    assert deadline.immediate


@pytest.mark.parametrize(
    "sentence",
    [
        "The force should take immediate steps to understand the reasons.",
        "The force should take immediate action to fill vacancies.",
        "Officers put immediate measures in place.",
        "Officers should attend immediately after a call is graded.",
        "The policy was withdrawn with immediate effect.",
        "This inspection examined the attacks in Paris in November 2015.",
        "Since HMIC last examined this area in 2015, the force has improved.",
        "The report may prompt additional inspection re-visits during 2017.",
        "The force should make sure victims are contacted within 28 days of reporting.",
        "Most cases were finalised within six months.",
        "The force should answer calls within ten seconds.",
    ],
)
def test_not_deadlines(sentence):
    assert find_deadlines(sentence, published=PUBLISHED) == []


@pytest.mark.parametrize(
    ("sentence", "deliverable"),
    [
        (
            "It is recommended that by 1 May 2017 the force should produce and submit "
            "to HMIC an action plan that sets out how it will:",
            "action plan",
        ),
        (
            "undertake a comprehensive analysis of the use of this outcome, and "
            "produce an accompanying report for scrutiny by HMIC by 1 June 2017;",
            "accompanying report for scrutiny by HMIC",
        ),
        ("By 1 June 2017, the force should review its data.", "review its data"),
        (
            "Within four weeks the force must provide the inspectorate with a plan.",
            "plan",
        ),
    ],
)
def test_deliverable_is_what_the_sentence_says_is_due(sentence, deliverable):
    (deadline,) = find_deadlines(sentence, published=PUBLISHED)
    assert deadline.deliverable == deliverable


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("• It should act by 31 April 2017.", "31 April 2017 is not a real date"),
        ("• It should act by 29 February 2017.", "29 February 2017 is not a real date"),
        (
            "• The force should act by 31/04/2017.",
            "31/04/2017 is not a real date (dates are read day first)",
        ),
    ],
)
def test_impossible_deadline_is_an_error_with_its_line(body, message):
    text = one_question_report(f"Areas for improvement\n\n{body}")
    with pytest.raises(ReportParseError) as raised:
        parse_report(text)
    assert raised.value.message == message
    assert raised.value.line == 9
    assert str(raised.value) == f"line 9: {message}"


# Headings and grades ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Areas for improvement", "area_for_improvement"),
        ("Area for improvement", "area_for_improvement"),
        ("AREAS FOR IMPROVEMENT:", "area_for_improvement"),
        ("Recommendations", "recommendation"),
        ("Recommendation", "recommendation"),
        ("Causes of concern", "cause_of_concern"),
        ("Cause of concern", "cause_of_concern"),
        ("Accelerated cause of concern", "cause_of_concern"),
    ],
)
def test_findings_heading_forms(heading, kind):
    report = parse_report(one_question_report(f"{heading}\n\nThe force should act."))
    (finding,) = report.questions[0].findings
    assert (finding.kind, finding.line) == (kind, 9)
    assert finding.text == "The force should act."


def test_findings_heading_with_the_finding_on_the_same_line():
    report = parse_report(one_question_report("Area for improvement: It should act."))
    (finding,) = report.questions[0].findings
    assert (finding.kind, finding.text) == ("area_for_improvement", "It should act.")


def test_findings_section_ends_at_the_next_heading():
    report = parse_report(
        one_question_report(
            "Areas for improvement\n\nThe force should act.\n\n"
            "The force should also plan.\n\n"
            "Main findings\n\nThe force should be commended for its work."
        )
    )
    texts = [f.text for f in report.questions[0].findings]
    assert texts == ["The force should act.", "The force should also plan."]


@pytest.mark.parametrize(
    ("line", "grade"),
    [
        ("Outstanding", "outstanding"),
        ("Good", "good"),
        ("Adequate", "adequate"),
        ("Requires improvement", "requires_improvement"),
        ("requires improvement", "requires_improvement"),
        ("Inadequate", "inadequate"),
        ("Grade: Requires improvement", "requires_improvement"),
        ("Not graded", "not_graded"),
    ],
)
def test_grade_line_under_a_question(line, grade):
    report = parse_report(one_question_report(f"{line}\n\nSome narrative."))
    question = report.questions[0]
    assert (question.grade, question.grade_source) == (grade, "line")


@pytest.mark.parametrize(
    ("sentence", "grade"),
    [
        ("Kent Police is good at keeping people safe.", "good"),
        ("The force is outstanding at preventing crime.", "outstanding"),
        ("Overall, Wessex Constabulary is inadequate at this.", "inadequate"),
        ("Dunmoor Police is adequate at investigating crime.", "adequate"),
        ("Wessex Police requires improvement at this.", "requires_improvement"),
        (
            "The manner in which West Mercia Police prevents crime, tackles "
            "anti-social behaviour and keeps people safe requires improvement.",
            "requires_improvement",
        ),
    ],
)
def test_grade_stated_in_prose(sentence, grade):
    report = parse_report(one_question_report(sentence))
    question = report.questions[0]
    assert (question.grade, question.grade_source) == (grade, "prose")


@pytest.mark.parametrize(
    "sentence",
    [
        "The force has a good understanding of vulnerability.",
        "West Mercia Police has good arrangements in place.",
        "This improves on last year, when we judged the force to require improvement.",
        "The force's approach to crime prevention requires improvement.",
        "The standard of crime investigation is also good.",
        "The force is not good at answering calls.",
    ],
)
def test_praise_or_criticism_is_not_a_grade(sentence):
    question = parse_report(one_question_report(sentence)).questions[0]
    assert (question.grade, question.grade_source) == ("not_stated", None)


def test_a_grade_line_far_from_the_question_is_not_its_grade():
    report = parse_report(one_question_report("Some narrative.\n\nGood"))
    assert report.questions[0].grade == "not_stated"


# Lists ------------------------------------------------------------------------------


def test_nested_bullets_by_indent_with_trailing_text():
    body = (
        "Areas for improvement\n\n"
        "- The force should act:\n"
        "    - first step;\n"
        "        * detail of the first step;\n"
        "    - second step.\n"
        "\n"
        "    We will check this in 2018.\n"
        "- The force should also plan.\n"
    )
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [f.text for f in findings] == [
        "The force should act:",
        "The force should also plan.",
    ]
    first = findings[0]
    assert [c.text for c in first.children] == ["first step;", "second step."]
    assert [c.text for c in first.children[0].children] == ["detail of the first step;"]
    assert first.trailing_text == "We will check this in 2018."
    assert [f.order for f in findings] == [1, 2]


def test_hard_wrapped_bullet_is_one_finding():
    body = (
        "Areas for improvement\n\n"
        "• The force should work with local people and partner organisations to\n"
        "  improve its understanding of local communities.\n"
        "• The force should evaluate its work.\n"
    )
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [f.text for f in findings] == [
        "The force should work with local people and partner organisations to improve "
        "its understanding of local communities.",
        "The force should evaluate its work.",
    ]
    assert [f.line for f in findings] == [9, 11]


@pytest.mark.parametrize(
    "line",
    [
        "• The force should review its policy. • The force should train its staff. •",
        "Areas for improvement: • The force should review its policy. • The force should "
        "train its staff.",
        "• The force should review its policy. ● The force should train its staff.",
    ],
)
def test_bullets_run_into_one_line_are_one_finding_each(line):
    """A page copied from a PDF or a web page often runs its bullets into one line."""
    body = f"Areas for improvement\n\n{line}\n"
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [(f.text, f.kind, f.line) for f in findings] == [
        ("The force should review its policy.", "area_for_improvement", 9),
        ("The force should train its staff.", "area_for_improvement", 9),
    ]


def test_a_bullet_in_the_middle_of_a_sentence_is_not_a_run_in_list():
    body = "Areas for improvement\n\n• The force should check the A • B split rates.\n"
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [f.text for f in findings] == [
        "The force should check the A • B split rates."
    ]


LETTER = """Wessex Police: cause of concern revisit

Published 3 April 2023

Dear Chief Constable,

In our 2022 PEEL inspection we identified two causes of concern:

The force does not answer emergency calls quickly enough.

We made the following recommendations:

• By 30 September 2023, the force should review how it handles emergency calls.
• The force should train its call handlers.

One area for improvement remained from that inspection.

• The force should improve how it records crime.

We will return in the autumn. We made three visits in 2022.

Yours sincerely,

A. Inspector
"""


def test_a_letter_names_its_findings_in_lead_in_sentences_not_headings():
    report = parse_report(LETTER, filename="letter.txt")
    cause, afi = report.findings
    assert (cause.kind, cause.text, cause.line) == (
        "cause_of_concern",
        "The force does not answer emergency calls quickly enough.",
        9,
    )
    assert [(r.kind, r.text, r.line) for r in cause.recommendations] == [
        (
            "recommendation",
            "By 30 September 2023, the force should review how it handles emergency calls.",
            13,
        ),
        ("recommendation", "The force should train its call handlers.", 14),
    ]
    assert [d.due for d in cause.recommendations[0].deadlines] == [date(2023, 9, 30)]
    assert (afi.kind, afi.text, afi.line) == (
        "area_for_improvement",
        "The force should improve how it records crime.",
        18,
    )


def test_a_lead_in_sentence_gives_its_deadline_to_each_finding_it_introduces():
    body = (
        "By 30 September 2017, the force should act on the following recommendations:\n\n"
        "• review its missing persons policy;\n"
        "• train its call handlers.\n"
    )
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [(f.kind, f.text) for f in findings] == [
        ("recommendation", "review its missing persons policy;"),
        ("recommendation", "train its call handlers."),
    ]
    assert [[d.due for d in f.deadlines] for f in findings] == [[date(2017, 9, 30)]] * 2


@pytest.mark.parametrize(
    "sentence",
    [
        "To address this cause of concern, we recommend that the force:",
        "The force has made progress against these areas for improvement.",
        "Two of the recommendations are complete.",
    ],
)
def test_prose_about_findings_opens_no_findings(sentence):
    body = f"The force has a plan.\n\n{sentence}\n\nIt is working well.\n"
    report = parse_report(one_question_report(body))
    assert list(all_findings(report)) == []


def test_numbered_lists_nest_by_numbering_style():
    report = read_report("peel-numbered-lists.txt")
    assert report.pillar == "Efficiency"
    assert report.overall_grade == "good"
    first, second, third = report.questions[1].findings
    assert [f.kind for f in (first, second, third)] == ["recommendation"] * 3
    assert first.text == "Not later than 31 March 2018, the force should:"
    assert [c.text for c in first.children] == [
        "review its demand analysis;",
        "publish a demand profile, setting out:",
    ]
    assert [c.text for c in first.children[1].children] == [
        "call volumes by hour;",
        "hidden demand.",
    ]
    assert [(d.due, d.wording) for d in first.deadlines] == [
        (date(2018, 3, 31), "Not later than 31 March 2018")
    ]
    (now,) = second.deadlines
    assert (now.due, now.immediate, now.deliverable) == (
        None,  # no publication date ("Last updated" is not one): the preview asks
        True,
        "stop the practice of closing calls without contact",
    )
    assert [(d.due, d.wording) for d in third.deadlines] == [
        (date(2018, 9, 1), "no later than 1st September 2018")
    ]
    afis = report.questions[2].findings
    assert [[d.due for d in f.deadlines] for f in afis] == [[date(2018, 6, 30)], [], []]


def test_lead_in_gives_its_deadline_to_each_item():
    body = (
        "Recommendations\n\n"
        "Within six months, the force should:\n\n"
        "• review its missing persons policy;\n"
        "• train its call handlers.\n"
    )
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert [f.text for f in findings] == [
        "review its missing persons policy;",
        "train its call handlers.",
    ]
    deadlines = [[(d.due, d.wording, d.line) for d in f.deadlines] for f in findings]
    assert deadlines == [[(date(2017, 9, 1), "Within six months", 9)]] * 2
    assert [f.deadlines[0].deliverable for f in findings] == [
        "review its missing persons policy",
        "train its call handlers",
    ]


def test_bullets_nested_under_a_cause_of_concern_are_its_recommendations():
    body = (
        "Cause of concern\n\n"
        "• The force is not managing risk. To address this, we recommend that it:\n"
        "    o within three months, review its approach;\n"
        "    o by 1 May 2019 publish a plan.\n"
    )
    (cause,) = parse_report(one_question_report(body)).questions[0].findings
    assert cause.children == []
    assert [r.text for r in cause.recommendations] == [
        "within three months, review its approach;",
        "by 1 May 2019 publish a plan.",
    ]
    assert [[d.due for d in r.deadlines] for r in cause.recommendations] == [
        [date(2017, 6, 1)],
        [date(2019, 5, 1)],
    ]


def test_sub_items_that_lost_their_bullets():
    body = (
        "Areas for improvement\n\n"
        "By 1 May 2017 the force should submit an action plan setting out how it "
        "will:\n\n"
        "undertake an analysis and produce a report by 1 June 2017;\n\n"
        "review its use of this outcome.\n\n"
        "The force should also evaluate its work.\n"
    )
    findings = parse_report(one_question_report(body)).questions[0].findings
    assert len(findings) == 2
    first = findings[0]
    plan = [(d.due, d.deliverable) for d in first.deadlines]
    assert plan == [(date(2017, 5, 1), "action plan")]
    assert [c.text for c in first.children] == [
        "undertake an analysis and produce a report by 1 June 2017;",
        "review its use of this outcome.",
    ]
    assert [(d.due, d.deliverable) for d in first.children[0].deadlines] == [
        (date(2017, 6, 1), "report")
    ]
    assert findings[1].text == "The force should also evaluate its work."


def test_lettered_list_reads_i_after_h_as_a_letter():
    items = "\n".join(
        f"{letter}. The force should act on point {letter}." for letter in "abcdefghij"
    )
    report = parse_report(one_question_report(f"Recommendations\n\n{items}"))
    assert len(report.questions[0].findings) == 10


def test_a_finding_stated_twice_is_read_once_where_its_question_is():
    body = (
        "Summary\n\nAreas for improvement\n\n"
        "• The force should improve its supervision of investigations.\n\n"
        "How effective is the force at investigating crime?\n\nRequires improvement\n\n"
        "Areas for improvement\n\n"
        "• The force should improve its supervision of investigations.\n"
        "• The force should improve how it keeps victims informed.\n"
    )
    report = parse_report(body)
    assert report.findings == []
    (question,) = report.questions
    assert [(f.order, f.text) for f in question.findings] == [
        (1, "The force should improve its supervision of investigations."),
        (2, "The force should improve how it keeps victims informed."),
    ]
    assert report.warnings == [
        "Line 5: the same area for improvement is stated again; it was read once."
    ]


def test_a_lead_in_that_introduces_the_recommendations_is_not_the_causes_text():
    report = parse_report(
        "Published: 1 March 2024\n\nCause of concern\n\n"
        "The force is not protecting children well enough.\n\n"
        "To address this cause of concern, we recommend that, within six months, "
        "the force:\n\n• reviews its cases; and\n• trains its staff.\n"
    )
    (cause,) = report.findings
    assert cause.text == "The force is not protecting children well enough."
    assert [(r.text, [d.due for d in r.deadlines]) for r in cause.recommendations] == [
        ("reviews its cases; and", [date(2024, 9, 1)]),
        ("trains its staff.", [date(2024, 9, 1)]),
    ]


@pytest.mark.parametrize(
    ("sentence", "due", "wording"),
    [
        (
            "By the end of the 2025/26 financial year, the service should act.",
            date(2026, 3, 31),
            "By the end of the 2025/26 financial year",
        ),
        (
            "The force should act by the end of the financial year.",
            None,
            "by the end of the financial year",
        ),
    ],
)
def test_a_financial_year_ends_on_31_march_and_one_with_no_year_has_no_date(
    sentence, due, wording
):
    warnings: list[str] = []
    (deadline,) = find_deadlines(
        sentence, published=date(2024, 6, 1), warnings=warnings
    )
    assert (deadline.due, deadline.wording) == (due, wording)
    assert bool(warnings) == (due is None)


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        (
            "Before 31 March 2025, forces should act.",
            [(date(2025, 3, 31), "Before 31 March 2025")],
        ),
        (
            "Forces should act on or before 31 March 2025.",
            [(date(2025, 3, 31), "on or before 31 March 2025")],
        ),
        ("Before 31 March 2019, the force used paper records.", []),
    ],
)
def test_before_a_date_is_a_deadline_only_in_a_sentence_that_asks(sentence, found):
    deadlines = find_deadlines(sentence, published=None)
    assert [(d.due, d.wording) for d in deadlines] == found


# Other report shapes ----------------------------------------------------------------


def test_integrated_2018_report_with_causes_of_concern_and_recommendations():
    report = read_report("peel-2018-19-integrated.txt")
    assert (report.force_name, report.programme, report.year) == (
        "Wessex",
        "PEEL 2018/19",
        2018,
    )
    assert report.published == date(2018, 9, 27)
    assert report.pillar is None  # one report for all three pillars
    assert report.overall_grade is None
    assert not any(q.is_overall for q in report.questions)
    assert [q.grade for q in report.questions] == [
        "requires_improvement",
        "inadequate",
        "good",
        "outstanding",
    ]

    (cause,) = report.questions[1].findings
    assert cause.kind == "cause_of_concern"
    assert cause.text == (
        "The force is not consistently identifying vulnerable people at the first "
        "point of contact, so too many of them do not get the help they need.\n\n"
        "This puts victims at risk of further harm."
    )
    assert [r.kind for r in cause.recommendations] == ["recommendation"] * 3
    assert [r.order for r in cause.recommendations] == [1, 2, 3]
    dated = [[(d.due, d.relative) for d in r.deadlines] for r in cause.recommendations]
    assert dated == [[(date(2019, 3, 31), False)], [(date(2019, 3, 27), True)], []]
    assert cause.recommendations[0].deadlines[0].deliverable == (
        "revised risk assessment process for call handlers"
    )

    (second_cause,) = report.questions[3].findings
    assert second_cause.text.endswith("we recommend that the force:")
    assert [r.text for r in second_cause.recommendations] == [
        "within three months, review its recording of use of force;",
        "by the end of 2019, publish its use of force data.",
    ]
    assert [r.deadlines[0].due for r in second_cause.recommendations] == [
        date(2018, 12, 27),
        date(2019, 12, 31),
    ]


def test_2021_report_with_five_point_grades_and_a_table():
    report = read_report("peel-2021-22-five-grades.txt")
    assert (report.force_name, report.programme, report.year) == (
        "Mercia Vale",
        "PEEL 2021/22",
        2021,
    )
    assert report.published == date(2022, 6, 14)
    assert [(q.grade, q.grade_source) for q in report.questions] == [
        ("adequate", "line"),
        ("requires_improvement", "line"),
        ("adequate", "prose"),
        ("not_stated", None),
    ]
    first_afis = report.questions[0].findings
    assert [f.text for f in first_afis] == [
        "The force should make sure its neighbourhood officers have enough time for "
        "problem-solving by the end of March 2023.",
        "The force should evaluate its crime prevention work.",
    ]
    assert first_afis[0].deadlines[0].due == date(2023, 3, 31)
    table = report.questions[2].findings
    assert [f.kind for f in table] == ["recommendation", "recommendation"]
    assert [f.text for f in table] == [
        "The force should review how it manages registered sex offenders",
        "The force should publish its missing children policy",
    ]
    assert [(d.due, d.wording, d.relative) for f in table for d in f.deadlines] == [
        (date(2022, 12, 31), "31/12/2022", False),
        (date(2022, 9, 14), "Within 3 months", True),
    ]


def test_findings_outside_any_question():
    report = read_report("accelerated-cause-of-concern.txt")
    assert report.questions == []
    (cause,) = report.findings
    assert cause.kind == "cause_of_concern"
    recommendations = cause.recommendations
    assert [(d.due, d.deliverable) for r in recommendations for d in r.deadlines] == [
        (date(2020, 3, 31), "action plan to reduce the backlog of home visits"),
        (date(2020, 3, 4), "make sure every overdue visit has been risk assessed"),
    ]


# HTML -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_report():
    return read_report("peel-2021-22-nested.html")


def test_html_report_structure(html_report):
    assert html_report.force_name == "Dunmoor"
    assert html_report.programme == "PEEL 2021/22"
    assert html_report.published == date(2022, 5, 3)  # "3&nbsp;May&nbsp;2022"
    assert [q.grade for q in html_report.questions] == [
        "good",
        "requires_improvement",
        "inadequate",
        "adequate",
    ]
    first, second = html_report.questions[1].findings
    assert first.text == (
        "The force should make sure it answers emergency calls within ten seconds"
    )
    assert [c.text for c in second.children] == [
        "sets out its call handling targets by hour;",
        "explains how it will recruit call handlers by 31 December 2022.",
    ]
    assert second.trailing_text == "We will check the force’s progress in 2023."
    assert [(d.due, d.deliverable) for d in second.deadlines] == [
        (date(2022, 9, 30), "improvement plan")
    ]
    assert [d.due for d in second.children[1].deadlines] == [date(2022, 12, 31)]


def test_html_cause_of_concern_recommendations_and_table(html_report):
    (cause,) = html_report.questions[2].findings
    deadlines = [d for r in cause.recommendations for d in r.deadlines]
    assert [(d.due, d.relative, d.immediate) for d in deadlines] == [
        (date(2022, 8, 3), True, False),
        (date(2022, 5, 3), False, True),
    ]
    (table_row,) = html_report.questions[3].findings
    assert table_row.text == "The force should publish its wellbeing strategy"
    assert [d.due for d in table_row.deadlines] == [date(2022, 12, 31)]


def test_html_scripts_are_removed_with_a_warning(html_report):
    assert html_report.warnings == ["Scripts were removed from the HTML."]
    texts = list(all_text(html_report.to_dict()))
    assert not any("injected" in text or "everything" in text for text in texts)


def test_html_never_returns_markup_and_unescapes_entities(html_report):
    texts = list(all_text(html_report.to_dict()))
    assert not any(re.search(r"<[a-z/!]|&[a-z#]+;", text) for text in texts)
    prose = html_to_text((REPORTS / "peel-2021-22-nested.html").read_text())
    assert "recording crime & other data" in prose
    assert "Callers to the force’s control room wait too long" in prose


def test_html_nav_and_footer_lists_are_not_findings(html_report):
    texts = {finding.text for finding in all_findings(html_report)}
    assert not texts & {"Privacy", "Cookies", "Home"}


def without_lines(value):
    """to_dict() output without line numbers, which differ between text and HTML."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [without_lines(item) for item in value]
    return value


def test_html_page_reads_like_its_text(west_mercia):
    page = read_report("west-mercia-peel-2016-effectiveness.html")
    assert page.warnings == ["Scripts were removed from the HTML."]
    page_data, text_data = page.to_dict(), west_mercia.to_dict()
    del page_data["warnings"], text_data["warnings"]
    assert without_lines(page_data) == without_lines(text_data)


def test_minimal_html_fragment():
    report = parse_report(
        "<h2>How good is the force at investigating crime?</h2><p>Good</p>"
        "<h3>Area for improvement</h3><p>The force should &amp; must act.</p>"
    )
    (finding,) = report.questions[0].findings
    assert finding.text == "The force should & must act."


# Truncated pages --------------------------------------------------------------------


def test_truncated_html_yields_what_it_holds_with_a_warning():
    report = read_report("truncated-page.html")
    texts = [f.text for f in report.questions[0].findings]
    assert texts[:3] == [
        "The force should evaluate its neighbourhood problem-solving work.",
        "The force should improve its understanding of local communities by 1 March "
        "2017.",
        "The force should review how it sha",
    ]
    assert report.warnings == [
        "The page seems to be cut off (it ends inside a tag, list or table); only the "
        "part that is there was read."
    ]


def test_truncated_text_warns_about_the_last_line():
    body = "Areas for improvement\n\n• The force should evaluate and share its"
    report = parse_report(one_question_report(body))
    (finding,) = report.questions[0].findings
    assert finding.text == "The force should evaluate and share its"
    assert report.warnings == [
        "Line 9: the text stops mid-sentence, so the page may be cut off; only the "
        "part that is there was read."
    ]


def test_a_findings_heading_with_nothing_under_it_is_reported():
    report = parse_report(one_question_report("Areas for improvement"))
    assert report.warnings == [
        "Line 7: nothing was found under the heading “Areas for improvement”."
    ]


def binary(description: str | None = None) -> str:
    kind = f" ({description})" if description else ""
    return f"This looks like a binary file{kind}, not a report's text or HTML."


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "The file is empty."),
        (b"", "The file is empty."),
        (" \n\t\n", "The file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", binary("PNG image")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", binary("JPEG image")),
        (b"GIF89a\x01\x00", binary("GIF image")),
        (
            b"%PDF-1.7\n%\xe2\xe3",
            "This PDF could not be read: it seems damaged or cut off. Download it "
            "again, or paste the report's text.",
        ),
        (b"PK\x03\x04\x14\x00", binary("ZIP archive, such as a Word or Excel file")),
        (b"text\x00with a NUL", binary()),
        (b"x" * (5 * 1024 * 1024 + 1), "The file is larger than 5 MB."),
        ("é" * (3 * 1024 * 1024), "The file is larger than 5 MB."),
        (
            b"How effective is the force\x81\x8d?",
            "The file's characters could not be read: it is neither UTF-8 nor "
            "Windows-1252 text.",
        ),
        (
            "Just some prose about policing.\n\nNothing else.",
            "No inspection questions or findings were found: is this the text or HTML "
            "of a PEEL report?",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason(source, message):
    with pytest.raises(ReportParseError) as raised:
        parse_report(source)
    assert raised.value.message == message
    assert raised.value.line is None
    assert str(raised.value) == message


def test_publication_date_followed_by_other_words():
    text = one_question_report("Good", published="Published 12 March 2019 by HMICFRS")
    report = parse_report(text)
    assert report.published == date(2019, 3, 12)


def test_windows_1252_text_is_decoded():
    body = "Good\n\nArea for improvement\n\nThe force’s plan should – improve."
    text = one_question_report(body)
    report = parse_report(text.encode("cp1252"))
    assert report.questions[0].grade == "good"
    assert report.questions[0].findings[0].text == "The force’s plan should – improve."


def test_utf16_with_a_byte_order_mark_is_decoded():
    report = parse_report(one_question_report("Good").encode("utf-16"))
    assert report.questions[0].grade == "good"


# Properties -------------------------------------------------------------------------

FRAGMENTS = [
    "Wessex Police PEEL 2017",
    "Published 31 January 2019",
    "Last updated 02/03/2017",
    "How effective is the force at keeping people safe and reducing crime?",
    "How good is the force at investigating crime?",
    "Questions for Effectiveness",
    "Good",
    "Grade: Requires improvement",
    "Areas for improvement",
    "Cause of concern",
    "Recommendations",
    "To address this cause of concern, we recommend that the force:",
    "The force should produce an action plan by 1 May 2017.",
    "By 1st June 2017, the force should submit a report",
    "by the end of March 2018",
    "the force should act by the end of 2019;",
    "not later than 31 March 2015",
    "The force should act within three months.",
    "within 28 days the force must review it",
    "The force should act within four weeks of publication.",
    "The force should immediately stop this.",
    "with immediate effect, the force should",
    "The force should take immediate steps.",
    "by 01/05/2017",
    "by 1.5.2017",
    "by 2019-02-28",
    "Recommendation | Due by",
    "Review the policy | 31/12/2022",
    "Wessex Police is good at keeping people safe.",
    # a register page's log and fields: history, never a deadline
    "Recommendation status history",
    "Timeline",
    "12/03/2023 | being-progressed | The force will act by 1 June 2023.",
    "9th February 2017 – complete – Closed.",
    "[on]1st May 2017 [status]awaiting-review[/status][/on][on]2nd May 2017 [comment]",
    "Status: complete",
    "Date: 01/02/2024",
    "Date published: 14 February 2022",
    "From: PEEL 2021/22: An inspection of Wessex Police",
]
SEPARATORS = ["\n", "\n\n", " ", "\n  • ", "\n    • ", "\n1. ", "\n(a) ", "\t", " | "]
# (months, days) after publication, for each relative wording in FRAGMENTS
RELATIVE_STEPS = {
    "three months": (3, 0),
    "28 days": (0, 28),
    "four weeks": (0, 28),
    "3 months": (3, 0),
}
MONTHS = {"sept": 9}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number

report_body = st.lists(
    st.tuples(
        st.sampled_from(SEPARATORS),
        st.one_of(
            st.sampled_from(FRAGMENTS),
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters="<")),
        ),
    ),
    max_size=30,
).map(lambda parts: "".join(separator + part for separator, part in parts))

# Most examples open a question and a findings section, so that deadlines are read.
OPENINGS = [
    "",
    "How good is the force at X?\n\nAreas for improvement\n\n",
    "Recommendations\n",
]
report_like_text = st.sampled_from(OPENINGS).flatmap(
    lambda opening: report_body.map(lambda body: opening + body)
)
# The same for a PDF drawn from the text: only characters its core fonts have
# (Windows-1252), and no tab, which a PDF has no glyph for.
pdf_report_body = st.lists(
    st.tuples(
        st.sampled_from([s for s in SEPARATORS if s != "\t"]),
        st.one_of(
            st.sampled_from(FRAGMENTS),
            st.text(
                st.characters(
                    codec="cp1252",
                    exclude_categories=["Cs", "Cc"],
                    exclude_characters="\xad",  # a soft hyphen is a place to break
                ),
                max_size=40,
            ),
        ),
    ),
    max_size=30,
).map(lambda parts: "".join(separator + part for separator, part in parts))
pdf_report_like_text = st.sampled_from(OPENINGS).flatmap(
    lambda opening: pdf_report_body.map(lambda body: opening + body)
)


def expected_due(wording: str, reference: date | None, immediate: bool) -> date | None:
    """An independent reading of a deadline's wording, to check the parser's date."""
    text = " ".join(wording.lower().split())
    if reference is None and (immediate or text.startswith("within")):
        return None  # counted from a publication date the text does not give
    if immediate:
        return reference
    relative = re.search(r"within (.+)$", text)
    if relative:
        months, days = RELATIVE_STEPS[relative.group(1)]
        year, month = divmod(reference.month - 1 + months, 12)
        year += reference.year
        last_day = calendar.monthrange(year, month + 1)[1]
        due = date(year, month + 1, min(reference.day, last_day))
        return due + timedelta(days=days)
    end_of = re.search(r"end of (?:([a-z]+) )?(\d{4})$", text)
    if end_of:
        year = int(end_of.group(2))
        month = MONTHS[end_of.group(1)] if end_of.group(1) else 12
        return date(year, month, calendar.monthrange(year, month)[1])
    iso = re.search(r"(\d{4})-(\d{2})-(\d{2})$", text)
    if iso:
        return date(*(int(part) for part in iso.groups()))
    numeric = re.search(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$", text)
    if numeric:
        day, month, year = (int(part) for part in numeric.groups())
        return date(year + 2000 if year < 100 else year, month, day)
    day_month_year = r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?,? (\d{4})"
    written = re.search(day_month_year, text)
    day, month, year = written.groups()
    return date(int(year), MONTHS[month], int(day))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_text_only_ever_raises_report_parse_error(text):
    try:
        parse_report(text)
    except ReportParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_ever_raise_report_parse_error(data):
    try:
        parse_report(data)
    except ReportParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(report_like_text)
def test_every_deadline_is_worded_verbatim_and_dated_consistently(text):
    try:
        report = parse_report(text)
    except ReportParseError:
        return
    normalised_source = " ".join(text.split())
    lines = re.split(r"\r\n|\r|\n", text)
    reference = report.published  # "Last updated" is no publication date
    for deadline in all_deadlines(report):
        assert deadline.wording in normalised_source
        if deadline.earlier:  # counted from an earlier report the text recalls
            continue
        expected = expected_due(deadline.wording, reference, deadline.immediate)
        assert deadline.due == expected
        assert deadline.wording.split()[0] in lines[deadline.line - 1]


@settings(max_examples=25, deadline=None)
@given(pdf_report_like_text)
def test_a_pdf_drawn_from_text_never_crashes_and_never_gives_a_date_not_in_it(text):
    try:
        report = parse_report(report_pdf(text, height=120), filename="report.pdf")
    except ReportParseError:
        return
    # A PDF wraps its lines where the page ends, so the words are compared
    # without the spaces between them.
    source = "".join(text.split())
    reference = report.published  # "Last updated" is no publication date
    for deadline in all_deadlines(report):
        assert "".join(deadline.wording.split()) in source
        expected = expected_due(deadline.wording, reference, deadline.immediate)
        assert deadline.due == expected


@functools.cache
def small_report_pdf() -> bytes:
    body = "Good\n\nAreas for improvement\n\n  • The force should act by 1 May 2017."
    return report_pdf(one_question_report(body), height=120)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=20),
    st.floats(0.05, 1),
)
def test_a_damaged_pdf_only_ever_raises_report_parse_error(changes, kept):
    data = bytearray(small_report_pdf())
    for place, byte in changes:
        data[int(place * (len(data) - 1))] = byte
    try:
        parse_report(bytes(data[: max(1, int(len(data) * kept))]))
    except ReportParseError:
        pass
