"""Register pages: one finding and its status log, read as the finding's published timeline.

The log's dates are history: none of them, and nothing said in a log comment, is
ever a deadline. The finding's own words still set its deadlines.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.importer import ReportParseError, parse_report

REPORTS = Path(__file__).parent / "reports"


def read(name: str):
    return parse_report((REPORTS / name).read_bytes(), filename=name)


def log(finding) -> list[tuple[date, str | None, str]]:
    return [(entry.on, entry.status, entry.text) for entry in finding.timeline]


def every_deadline(report):
    def items(children):
        for child in children:
            yield from child.deadlines
            yield from items(child.children)

    for finding in report.findings:
        yield from finding.deadlines
        yield from items(finding.children)
        for recommendation in finding.recommendations:
            yield from recommendation.deadlines
            yield from items(recommendation.children)


def test_a_table_of_date_status_and_comment():
    report = read("register-table.html")
    assert (report.force_name, report.programme, report.published) == (
        "Wessex",
        "PEEL 2021/22",
        date(2022, 2, 14),
    )
    assert report.questions == [] and len(report.findings) == 1
    finding = report.findings[0]
    assert finding.kind == "recommendation"
    assert finding.text == (
        "By 31 March 2023, Wessex Police should make sure that its crime records are "
        "accurate and that every reported crime is recorded within 24 hours of the "
        "report."
    )
    assert [(d.due, d.wording) for d in every_deadline(report)] == [
        (date(2023, 3, 31), "By 31 March 2023")
    ]
    assert log(finding) == [
        (date(2022, 2, 14), "awaiting_review", "Recommendation published."),
        (
            date(2023, 3, 12),
            "being_progressed",
            "The force provided an update on its crime data integrity plan: it will "
            "finish its audit by 30 June 2023.",
        ),
        (
            date(2024, 2, 1),
            "complete",
            "Audit findings reviewed by HMICFRS. The recommendation is complete.",
        ),
    ]
    assert [entry.line for entry in finding.timeline] == [25, 26, 27]
    # The page's other fields, its nav and its footer are nobody's words.
    words = str(report.to_dict())
    assert "PEEL-2122-WSX-R1" not in words and "Back to top" not in words


def test_dated_lines_under_timeline_for_a_cause_of_concern_and_its_recommendations():
    report = read("register-dash-list.txt")
    assert (report.force_name, report.published) == ("Northshire", date(2022, 2, 14))
    (cause,) = report.findings
    assert cause.kind == "cause_of_concern"
    assert cause.text.startswith("Northshire Constabulary does not manage the risk")
    assert cause.text.endswith("we recommend that, within six months, the force:")
    assert cause.deadlines == []
    assert [(r.kind, r.text) for r in cause.recommendations] == [
        (
            "recommendation",
            "reviews the workload of its offender management officers; and",
        ),
        (
            "recommendation",
            "makes sure that every overdue visit is carried out and recorded.",
        ),
    ]
    # "within six months" of publication, given to each recommendation the cause makes.
    assert [(d.due, d.wording, d.line) for d in every_deadline(report)] == [
        (date(2022, 8, 14), "within six months", 7),
        (date(2022, 8, 14), "within six months", 7),
    ]
    assert log(cause) == [
        (date(2022, 2, 14), "awaiting_review", "Cause of concern published."),
        (
            date(2022, 9, 9),
            "being_progressed",
            "The force sent its action plan, which should clear the backlog within "
            "three months. Overdue visits have fallen from 212 to 40.",
        ),
        # the comment on the line under its date
        (
            date(2023, 4, 3),
            "being_progressed",
            "Revisit carried out; overdue visits now 6.",
        ),
        (
            date(2023, 11, 21),
            "complete",
            "Revisit letter published: the cause of concern is closed.",
        ),
    ]
    assert [r.timeline for r in cause.recommendations] == [[], []]
    assert "vetting" not in str(report.to_dict())  # the page's next section


def test_status_and_date_fields_under_updates_for_an_area_for_improvement():
    report = read("register-fields.txt")
    assert (report.force_name, report.programme, report.published) == (
        "Wessex",
        "PEEL 2018/19",
        date(2019, 5, 2),
    )
    (finding,) = report.findings
    assert finding.kind == "area_for_improvement"
    assert finding.text == (
        "The force should improve how it supervises investigations so that victims "
        "are kept informed of progress."
    )
    assert list(every_deadline(report)) == []
    assert log(finding) == [
        (
            date(2019, 5, 2),
            "awaiting_review",
            "Area for improvement published in the PEEL 2018/19 report.",
        ),
        (
            date(2020, 1, 17),
            "being_progressed",
            "The force has trained all sergeants in investigation supervision.",
        ),
        # a status the register's list does not have: a comment, with its words
        (
            date(2021, 6, 30),
            None,
            "Carried forward – Carried forward to the next PEEL inspection.",
        ),
        (
            date(2021, 10, 5),
            None,
            "The force sent further evidence of supervision reviews.",
        ),
    ]
    assert [entry.line for entry in finding.timeline] == [14, 18, 22, 26]


def test_a_definition_list_of_dates_with_the_status_under_each():
    report = read("register-definition-list.html")
    assert (report.force_name, report.programme, report.published) == (
        "Eastvale",
        "PEEL 2021/22",
        date(2022, 7, 5),
    )
    (finding,) = report.findings  # the related recommendations below are not its
    assert finding.kind == "recommendation"
    assert finding.text.startswith("The force should, by the end of June 2023, make")
    assert [(d.due, d.wording) for d in every_deadline(report)] == [
        (date(2023, 6, 30), "by the end of June 2023")
    ]
    assert log(finding) == [
        (date(2022, 7, 5), "awaiting_review", ""),
        (
            date(2023, 1, 18),
            "being_progressed",
            "The force introduced the THRIVE risk assessment in the control room; "
            "compliance is at 78%.",
        ),
        (
            date(2023, 6, 2),
            None,
            "Superseded – taken over by the 2023 missing children inspection.",
        ),
        (date(2023, 10, 20), None, "Evidence received"),
    ]
    assert "31 March 2024" not in str(report.to_dict())


def test_a_copied_table_with_the_status_first_and_a_line_after_it():
    report = read("register-status-first.txt")
    assert (report.force_name, report.published) == ("Southmoor", date(2024, 3, 4))
    (finding,) = report.findings
    assert finding.kind == "recommendation"
    assert finding.text == "Not later than 30 September 2024, the force should:"
    assert [child.text for child in finding.children] == [
        "review how it allocates domestic abuse investigations; and",
        "make sure that a supervisor reviews each one within 7 days of allocation.",
    ]
    assert [(d.due, d.wording) for d in every_deadline(report)] == [
        (date(2024, 9, 30), "Not later than 30 September 2024")
    ]
    assert log(finding) == [
        (date(2024, 3, 4), "awaiting_review", "Recommendation published."),
        (
            date(2024, 8, 1),
            "being_progressed",
            "The force reviewed 300 investigations; allocation now follows a "
            "written policy.",
        ),
        (
            date(2024, 12, 12),
            "being_progressed",
            "supervision reviews are now audited each month.",
        ),
    ]


def test_the_registers_own_markup_left_in_a_copied_page():
    report = read("register-shortcodes.txt")
    (finding,) = report.findings
    assert finding.kind == "recommendation"
    assert finding.text == "Within three months the force should make sure that:"
    assert len(finding.children) == 3
    # No publication date to count from: the deadline keeps its words and no date,
    # and the preview asks for the date (the log's dates are never one).
    assert [(d.wording, d.due) for d in every_deadline(report)] == [
        ("Within three months", None)
    ]
    assert any("“Within three months”" in warning for warning in report.warnings)
    # A status and a comment given the same day are two entries, as published.
    assert log(finding) == [
        (date(2017, 3, 14), "awaiting_review", ""),
        (date(2017, 3, 15), None, "New recommendation"),
        (date(2018, 2, 2), "being_progressed", ""),
        (
            date(2018, 2, 2),
            None,
            "Revisit planned for the spring. The HMICFRS team will update this entry"
            " once it has reported.",
        ),
        (date(2018, 5, 30), "complete", ""),
        (
            date(2018, 5, 30),
            None,
            "Closure authorised: the revisit found flags, risk assessments and"
            " supervisory reviews in place.",
        ),
    ]
    assert not any(
        "[" in text for text in [finding.text, *(e.text for e in finding.timeline)]
    )


def test_a_date_and_its_status_side_by_side_in_spans():
    report = read("register-inline-spans.html")
    assert (report.force_name, report.programme) == ("Westshire", "PEEL 2023")
    (finding,) = report.findings
    assert finding.kind == "area_for_improvement"
    assert finding.text == (
        "The force should improve the way it shares information with schools about"
        " children affected by domestic abuse."
    )
    assert log(finding) == [
        (date(2023, 10, 3), "awaiting_review", ""),
        (date(2023, 10, 4), None, "New area for improvement"),
        (date(2024, 6, 19), "being_progressed", ""),
        (
            date(2024, 6, 19),
            None,
            "The force has joined the Operation Encompass scheme; notifications reach"
            " schools before 9am.",
        ),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "register-table.html",
        "register-dash-list.txt",
        "register-fields.txt",
        "register-definition-list.html",
        "register-status-first.txt",
        "register-shortcodes.txt",
        "register-inline-spans.html",
    ],
)
def test_no_date_of_a_log_is_ever_a_deadline(name):
    report = read(name)
    (finding,) = report.findings
    log_lines = {entry.line for entry in finding.timeline}
    assert log_lines
    for deadline in every_deadline(report):
        assert deadline.line not in log_lines
        assert deadline.line < min(log_lines)


def page(log: str, *, heading: str = "Recommendation status history") -> str:
    return (
        "Recommendation\n\nThe force should review its vetting decisions.\n\n"
        f"From: PEEL 2021/22: An inspection of Wessex Police\n\n{heading}\n\n{log}\n"
    )


@pytest.mark.parametrize(
    "line, entry",
    [
        (
            "12 March 2023 – being-progressed – An update.",
            ("being_progressed", "An update."),
        ),
        (
            "12 March 2023: Being progressed. An update.",
            ("being_progressed", "An update."),
        ),
        ("12/03/2023 - complete", ("complete", "")),
        ("2023-03-12 – Awaiting review", ("awaiting_review", "")),
        ("12th March 2023 – completed – Closed.", ("complete", "Closed.")),
        (
            "12 March 2023 – Status changed from awaiting review to being progressed.",
            ("being_progressed", ""),
        ),
        (
            "Complete (12 March 2023): closure authorised.",
            ("complete", "closure authorised."),
        ),
        # no status word in the register's list: all of it is the comment
        (
            "12 March 2023 – closed – The force asked for closure.",
            (None, "closed – The force asked for closure."),
        ),
        (
            "12 March 2023 – Completed training for every sergeant.",
            (None, "Completed training for every sergeant."),
        ),
    ],
)
def test_entry_line_shapes(line, entry):
    (finding,) = parse_report(page(line)).findings
    assert [(e.on, e.status, e.text) for e in finding.timeline] == [
        (date(2023, 3, 12), *entry)
    ]


def test_an_entry_with_no_date_is_not_imported_and_says_so():
    report = parse_report(page("Status: complete\nComment: Closed."))
    assert report.findings[0].timeline == []
    assert any(
        "Line 9: an entry of the status log gives no date" in warning
        and "Closed." in warning
        for warning in report.warnings
    )


def test_a_day_that_cannot_exist_in_the_log_refuses_the_page_with_its_line():
    with pytest.raises(
        ReportParseError, match=r"31 April 2023 is not a real date"
    ) as error:
        parse_report(page("31 April 2023 – complete"))
    assert error.value.line == 9


def test_a_report_with_a_timeline_section_is_still_a_report():
    text = (
        "Wessex Police PEEL 2017\n\nPublished 1 March 2017\n\n"
        "How effective is the force at X?\n\nGood\n\nAreas for improvement\n\n"
        "• The force should improve its response by 1 May 2017.\n\nTimeline\n\n"
        "12 March 2017 – complete – The force told us.\n"
    )
    report = parse_report(text)
    assert len(report.questions) == 1
    (finding,) = report.questions[0].findings
    assert finding.timeline == []
    assert [d.due for d in finding.deadlines] == [date(2017, 5, 1)]


def test_updates_with_dated_lines_and_nothing_of_the_register_are_not_a_log():
    text = (
        "Areas for improvement\n\nThe force should improve its call handling.\n\n"
        "Updates\n\n12 March 2023 – we visited the control room.\n"
    )
    report = parse_report(text)
    assert [f.timeline for f in report.findings] == [[]]


def test_the_page_names_the_kind_or_else_it_is_a_recommendation():
    base = "The force should review its vetting decisions.\n\nUpdates\n\n12/03/2023 | complete | Closed.\n"
    assert parse_report(base).findings[0].kind == "recommendation"
    assert (
        parse_report("Cause of concern\n\n" + base).findings[0].kind
        == "cause_of_concern"
    )
    typed = "Recommendations register\n\nType: Area for improvement\n\n" + base
    assert parse_report(typed).findings[0].kind == "area_for_improvement"


def test_a_relative_deadline_without_a_publication_date_asks_for_it():
    report = parse_report(
        "Recommendation\n\nWithin three months, the force should review its vetting.\n\n"
        "Updates\n\n12/03/2023 | being-progressed | Update received.\n"
    )
    (deadline,) = report.findings[0].deadlines
    assert (deadline.wording, deadline.due) == ("Within three months", None)
    assert any("does not give" in warning for warning in report.warnings)


# Property: whatever the log says, its dates are history and come from the text ----

LOG_LINES = [
    "14/02/2022 | awaiting-review | Recommendation published.",
    "12 March 2023 – being-progressed – The force will finish by 1 June 2023.",
    "1st August 2024 – complete",
    "Status: complete",
    "Date: 01/02/2024",
    "Comment: Evidence reviewed; it should be done within three months.",
    "Being progressed (12 December 2024): audits monthly.",
    "5 July 2022",
    "Awaiting review",
    "Superseded – taken over.",
    "Date | Status | Comment",
    "by 31 March 2025",
]
_DATE_WRITTEN = {
    date(2022, 2, 14): "14/02/2022",
    date(2023, 3, 12): "12 March 2023",
    date(2024, 8, 1): "1st August 2024",
    date(2024, 2, 1): "01/02/2024",
    date(2024, 12, 12): "12 December 2024",
    date(2022, 7, 5): "5 July 2022",
}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["\n", "\n\n"]), st.sampled_from(LOG_LINES)),
        max_size=12,
    )
)
def test_a_log_gives_no_deadline_and_only_dates_it_writes(parts):
    text = page("".join(separator + line for separator, line in parts))
    report = parse_report(text)
    (finding,) = report.findings
    assert finding.deadlines == []
    lines = text.split("\n")
    for entry in finding.timeline:
        # on its line, or (a group of fields) on one of the lines after it
        assert _DATE_WRITTEN[entry.on] in "\n".join(lines[entry.line - 1 :])


def test_the_kind_written_before_the_text_is_the_kind_and_not_the_text():
    report = parse_report(
        "Register of recommendations\n\nArea for improvement: The force should improve"
        " how it records stop and search.\n\nStatus history\n\n"
        "12/03/2023 | being-progressed | Update received.\n"
    )
    (finding,) = report.findings
    assert finding.kind == "area_for_improvement"
    assert finding.text == "The force should improve how it records stop and search."


def test_a_letter_with_a_history_section_is_still_read_as_a_letter():
    text = (
        "Published on 3 May 2024\n\nWe made the following recommendations:\n\n"
        "• By 30 September 2024, the force should review its custody checks.\n\n"
        "History\n\n12 March 2023 – we first inspected custody.\n"
    )
    report = parse_report(text)
    assert [f.timeline for f in report.findings] == [[]]
    assert [d.due for d in report.findings[0].deadlines] == [date(2024, 9, 30)]


def test_a_table_of_findings_with_their_status_and_due_date_is_no_log():
    text = (
        "Wessex Police: revisit\n\nPublished 1 March 2024\n\nRecommendations\n\n"
        "The force should improve its call handling. | Being progressed | 31/12/2024\n"
    )
    report = parse_report(text)
    (finding,) = report.findings
    assert finding.timeline == []
    assert [d.due for d in finding.deadlines] == [date(2024, 12, 31)]
