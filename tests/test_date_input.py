"""Dates typed as GOV.UK's date input: day, month and year boxes (issue 15).

What a person types is read the way they say it, a date that cannot be is refused
naming the box to put right, what was typed stays in the boxes, and a link or a
program that sends one ISO value still works.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from tracker.date_input import read_date
from tracker.forms import AssignForm, DeadlineChangeForm


@pytest.mark.parametrize(
    "typed, day",
    [
        (["11", "12", "2026"], datetime.date(2026, 12, 11)),
        ([" 1 ", "05", "2017"], datetime.date(2017, 5, 1)),
        (["11", "Dec", "2026"], datetime.date(2026, 12, 11)),
        (["11", "december", "2026"], datetime.date(2026, 12, 11)),
        (["30", "Sept", "2026"], datetime.date(2026, 9, 30)),
        (["29", "2", "2028"], datetime.date(2028, 2, 29)),
        ("2026-12-11", datetime.date(2026, 12, 11)),
        (["", "", ""], None),
        ("", None),
    ],
)
def test_what_a_person_types_is_read_as_they_say_it(typed, day):
    assert read_date(typed, "Deadline") == day


@pytest.mark.parametrize(
    "typed, message, parts",
    [
        (["11", "", "2026"], "Deadline must include a month", ["month"]),
        (["", "", "2026"], "Deadline must include a day and month", ["day", "month"]),
        (["31", "2", "2026"], "Deadline must be a real date", ["day"]),
        (["29", "2", "2027"], "Deadline must be a real date", ["day"]),
        (["1", "13", "2026"], "Deadline must be a real date", ["month"]),
        (["1", "Smarch", "2026"], "Deadline must be a real date", ["month"]),
        (["first", "5", "2026"], "Deadline must be a real date", ["day"]),
        (["1", "5", "26"], "Year must include 4 numbers", ["year"]),
        ("2017-13-45", "Deadline must be a real date", ["day", "month", "year"]),
    ],
)
def test_a_date_that_cannot_be_says_which_box_is_wrong(typed, message, parts):
    with pytest.raises(ValidationError) as raised:
        read_date(typed, "Deadline")
    assert raised.value.message == message
    assert raised.value.params["parts"] == parts


def render(form):
    return Template(
        '{% load crispy_forms_tags %}{% include "tracker/_error_summary.html" %}'
        "{{ form|crispy }}"
    ).render(Context({"form": form}))


def test_a_bad_box_is_marked_its_words_kept_and_the_summary_links_to_it(action):
    form = DeadlineChangeForm(
        {
            "new_deadline_day": "31",
            "new_deadline_month": "2",
            "new_deadline_year": "2031",
            "reason": "The partner's board meets later than planned this year.",
        }
    )
    assert not form.is_valid()
    assert form.errors["new_deadline"] == ["New deadline must be a real date"]
    html = render(form)
    # The summary's link goes to the box in error; only that box is marked.
    assert 'href="#id_new_deadline_day">New deadline must be a real date' in html
    assert html.count("govuk-input--error") == 1
    assert 'id="id_new_deadline_day"' in html
    day_box = html.split('id="id_new_deadline_day"')[0].rsplit("<input", 1)[1]
    assert "govuk-input--error" in day_box
    # What was typed is still there to correct.
    for name, value in [("day", "31"), ("month", "2"), ("year", "2031")]:
        box = html.split(f'name="new_deadline_{name}"')[1].split(">")[0]
        assert f'value="{value}"' in box
    # A fieldset names the three boxes, each with its own label.
    assert '<legend class="govuk-fieldset__legend' in html
    for label in ["Day", "Month", "Year"]:
        assert f">{label}</label>" in html


def test_an_empty_required_date_names_the_field_and_marks_every_box():
    form = DeadlineChangeForm({"reason": "x" * 30})
    assert not form.is_valid()
    assert form.errors["new_deadline"] == ["Enter the new deadline"]
    assert render(form).count("govuk-input--error") == 3


def test_a_date_is_saved_from_the_three_boxes_and_from_one_iso_value(action):
    boxes = AssignForm(
        {
            "deadline_day": "31",
            "deadline_month": "Jan",
            "deadline_year": "2031",
            "version": action.version,
        },
        action=action,
    )
    assert boxes.is_valid(), boxes.errors
    assert boxes.cleaned_data["deadline"] == datetime.date(2031, 1, 31)
    iso = AssignForm(
        {"deadline": "2031-01-31", "version": action.version}, action=action
    )
    assert iso.is_valid(), iso.errors
    assert iso.cleaned_data["deadline"] == datetime.date(2031, 1, 31)


def test_a_saved_date_shows_in_its_boxes(action):
    action.deadline = datetime.date(2030, 11, 12)
    form = AssignForm(
        initial={"deadline": action.deadline, "version": 1}, action=action
    )
    html = render(form)
    for name, value in [("day", "12"), ("month", "11"), ("year", "2030")]:
        box = html.split(f'name="deadline_{name}"')[1].split(">")[0]
        assert f'value="{value}"' in box


def test_a_page_with_a_bad_date_says_error_in_its_title(client, lead, action):
    client.force_login(lead)
    page = client.post(
        f"/actions/{action.pk}/assign/",
        {
            "deadline_day": "31",
            "deadline_month": "2",
            "deadline_year": "2031",
            "version": action.version,
        },
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "<title>Error: " in body
    assert "Deadline must be a real date" in body
    fresh = client.get(f"/actions/{action.pk}/assign/").content.decode()
    assert "<title>Error: " not in fresh
