"""A force officer updates an action and marks it done with the keyboard alone (issue 15).

At every step the element with the focus must look focused: its outline, ring or
colours differ from the same element unfocused. After a bad submission the focus is
on the error summary, and its link takes the focus to the box to put right.
"""

import pytest
from playwright.sync_api import expect

from tests.browser_support import Person, shows
from tracker.models import Action

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# How the focused element looks, and how it looks once the focus has gone from it.
LOOKS = """(el) => {
  const look = () => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
            s.backgroundColor, s.color, s.textDecorationThickness, s.borderColor].join(" | ");
  };
  const focused = look();
  const hadTabindex = el.hasAttribute("tabindex");
  el.blur();
  const unfocused = look();
  if (!hadTabindex && el.tabIndex < 0) el.setAttribute("tabindex", "-1");
  el.focus();
  return {focused, unfocused, tag: el.tagName, text: (el.innerText || el.value || el.name || "").slice(0, 60)};
}"""


def focused_look(page):
    return page.evaluate_handle("document.activeElement").evaluate(LOOKS)


def assert_focus_visible(page, where):
    look = focused_look(page)
    assert look["tag"] != "BODY", f"{where}: nothing has the focus"
    assert look["focused"] != look["unfocused"], (
        f"{where}: the focus on {look['tag']} “{look['text']}” cannot be seen "
        f"({look['focused']})"
    )
    return look


def tab_to(page, matches, where, limit=80):
    """Press Tab until the focused element matches, checking each stop is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page, where)
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return {matches}; }})()"
        ):
            return
    raise AssertionError(f"{where}: Tab never reached {matches}")


def is_link(text):
    return f'el.tagName === "A" && el.textContent.includes({text!r})'


def is_button(text):
    return f'el.tagName === "BUTTON" && el.textContent.trim() === {text!r}'


def is_box(label):
    return f"el.labels && el.labels.length && el.labels[0].textContent.trim().startsWith({label!r})"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_officer_updates_and_marks_done_with_the_keyboard(
    browser, live_server, static_files, scenario, width
):
    action = scenario["action"]
    officer = Person(browser, live_server.url, "officer@westmercia.test", {})
    page = officer.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")

    # The skip link comes first, and shows when it has the focus.
    page.keyboard.press("Tab")
    look = assert_focus_visible(page, "skip link")
    assert "Skip to main content" in look["text"]

    tab_to(page, is_link("Publish the engagement plan"), "home")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(action.get_absolute_url())

    # Sent with nothing in it, the update is refused and the focus is on the summary.
    tab_to(page, is_button("Save update"), "action page")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_focus_visible(page, "error summary")

    # Its link takes the focus to the box to fill in.
    tab_to(
        page,
        'el.closest(".govuk-error-summary") && el.tagName === "A"',
        "error summary",
    )
    page.keyboard.press("Enter")
    box = page.get_by_label("What has been done")
    expect(box).to_be_focused()
    assert_focus_visible(page, "progress box")
    page.keyboard.type("Plan drafted with the community panel.")
    tab_to(page, is_box("Percent complete"), "update form")
    page.keyboard.type("90")
    tab_to(page, is_button("Save update"), "update form")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shows(page, "Your progress update was saved.")

    # Marking it done: the optional words, then the button.
    tab_to(page, is_box("What was delivered"), "workflow")
    page.keyboard.type("Plan published on the website.")
    tab_to(page, is_button("Mark done"), "workflow")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shows(page, "awaits the force lead")
    action = Action.objects.get(pk=action.pk)
    assert action.status == Action.Status.DONE
    # The update typed in is kept as typed, before the move to done made it 100%.
    assert action.updates.filter(
        text="Plan drafted with the community panel.", percent_complete=90
    ).exists()
