"""Whom a finding is addressed to, as the parser reads it from the finding's words."""

from datetime import date
from pathlib import Path

import pytest

from tracker.importer import parse_report
from tracker.importer.addressees import (
    ALL_FIRE_SERVICES,
    ALL_FORCES,
    COLLEGE,
    HOME_OFFICE,
    NPCC,
    THE_FORCE,
    THE_SERVICE,
    read_addressees,
)

REPORTS = Path(__file__).parent / "reports"


@pytest.mark.parametrize(
    ("sentence", "addressees", "words"),
    [
        (
            "By 31 March 2024, all chief constables should make sure that vetting "
            "decisions are recorded.",
            [ALL_FORCES],
            "all chief constables",
        ),
        (
            "By 31 March 2024, chief constables should review their policies.",
            [ALL_FORCES],
            "chief constables",
        ),
        ("All forces should train their staff.", [ALL_FORCES], "All forces"),
        ("Every force should publish its plan.", [ALL_FORCES], "Every force"),
        ("The force should improve its call handling.", [THE_FORCE], "The force"),
        ("Kent Police should review its custody.", ["Kent Police"], "Kent Police"),
        (
            "Avon and Somerset Constabulary should review its custody.",
            ["Avon and Somerset Constabulary"],
            "Avon and Somerset Constabulary",
        ),
        (
            "The College of Policing and the National Police Chiefs' Council should "
            "publish joint guidance.",
            [COLLEGE, NPCC],
            "The College of Policing and the National Police Chiefs' Council",
        ),
        (
            "By 31 October 2024, the NPCC, working with the Home Office, should "
            "develop a national system.",
            [NPCC, HOME_OFFICE],
            "the NPCC, working with the Home Office",
        ),
        (
            "The Home Office should amend the regulations.",
            [HOME_OFFICE],
            "The Home Office",
        ),
        (
            "The National Police Chiefs’ Council (NPCC) should lead the work.",
            [NPCC],
            "The National Police Chiefs’ Council (NPCC)",
        ),
        (
            "Chief constables, working with the College of Policing, should agree a "
            "standard.",
            [ALL_FORCES, COLLEGE],
            "Chief constables, working with the College of Policing",
        ),
        (
            "We recommend that, within six months, the College of Policing should "
            "revise its guidance.",
            [COLLEGE],
            "the College of Policing",
        ),
        (
            "The service should make sure its staff are trained.",
            [THE_SERVICE],
            "The service",
        ),
        (
            "The fire and rescue service should review its risk plan.",
            [THE_SERVICE],
            "The fire and rescue service",
        ),
        (
            "All fire and rescue services should adopt the national standard.",
            [ALL_FIRE_SERVICES],
            "All fire and rescue services",
        ),
        (
            "By 30 September 2024, chief constables should:",
            [ALL_FORCES],
            "chief constables",
        ),
    ],
)
def test_the_subject_before_should_names_the_addressees(sentence, addressees, words):
    assert read_addressees(sentence) == (addressees, words)


@pytest.mark.parametrize(
    "sentence",
    [
        # no subject at all: a sub-step under a lead-in
        "review their vetting decisions.",
        # a subject that is no organisation
        "Staff should be trained in the new procedure.",
        # a subject only partly known is not read at all
        "The force and its partners should agree a plan.",
        # no instruction
        "The force has improved its call handling since 2019.",
        # a force's name run into other words (a title line joined to a finding)
        "Wessex Police PEEL 2017\tThe force should produce an action plan.",
        "\x005 should produce an action plan.",
    ],
)
def test_nothing_is_guessed(sentence):
    assert read_addressees(sentence) == ([], "")


def test_a_lead_in_gives_its_addressees_and_deadline_to_each_bullet():
    report = parse_report(
        b"Recommendations\n\n"
        b"By 30 September 2024, chief constables should:\n\n"
        b"    \xe2\x80\xa2 review every vetting clearance granted in 2020;\n"
        b"    \xe2\x80\xa2 the College of Policing should publish its guidance.\n"
    )
    first, second = report.findings
    assert (first.addressees, first.addressed_as) == ([ALL_FORCES], "chief constables")
    assert first.deadlines[0].due == date(2024, 9, 30)
    # a bullet that names its own addressee keeps it
    assert second.addressees == [COLLEGE]


def test_a_report_about_one_force_is_not_national():
    report = parse_report(
        (REPORTS / "accelerated-cause-of-concern.txt").read_bytes(),
        filename="accelerated-cause-of-concern.txt",
    )
    assert not report.national
    recommendations = report.findings[0].recommendations
    assert [r.addressees for r in recommendations] == [[THE_FORCE], [THE_FORCE]]


def test_a_national_thematic_report_reads_each_findings_addressees():
    report = parse_report(
        (REPORTS / "national-vetting-thematic.txt").read_bytes(),
        filename="national-vetting-thematic.txt",
    )
    assert report.national and report.force_name is None
    assert report.published == date(2023, 11, 2)
    assert [(f.kind, f.addressees) for f in report.findings] == [
        ("recommendation", [ALL_FORCES]),
        # "Recommendation 2": "By 30 September 2024, chief constables should:" and
        # its three bullets, one recommendation with its sub-steps
        ("recommendation", [ALL_FORCES]),
        ("recommendation", [COLLEGE, NPCC]),
        ("recommendation", [NPCC, HOME_OFFICE]),
        ("recommendation", [HOME_OFFICE]),
        ("area_for_improvement", [ALL_FORCES]),
        ("area_for_improvement", [ALL_FORCES]),
    ]
    assert len(report.findings[1].children) == 3
    assert [f.deadlines[0].due if f.deadlines else None for f in report.findings] == [
        date(2024, 3, 31),
        date(2024, 9, 30),
        date(2024, 3, 31),
        date(2024, 10, 31),
        None,
        None,
        None,
    ]
    # the words as published, kept beside the names
    assert report.findings[3].addressed_as == "the NPCC, working with the Home Office"
    assert report.to_dict()["findings"][0]["addressees"] == [ALL_FORCES]
