# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811
"""Event notifications: who is told of each move, never the actor, never another force,
once per event and person; the pages that list them; the email each becomes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.reminders_support import mail_server, text_body  # noqa: F401 (fixture)
from tracker import services
from tracker.models import (
    Action,
    Finding,
    Force,
    Notification,
    NotificationPreference,
    Role,
)
from tracker.notifications import events
from tracker.notifications.delivery import deliver_notifications, thread_id
from tracker.notifications.kinds import Kind
from tracker.notifications.mentions import mentioned_people
from tracker.reminders.delivery import deliver_digest
from tracker.reminders.outbox import run_sweep
from tracker.sending import SendFailed
from tracker.services import WorkflowError

pytestmark = pytest.mark.django_db


def told(kind=None) -> set[tuple[str, str]]:
    """(recipient email, kind) of every notification recorded."""
    rows = Notification.objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("recipient__email", "kind"))


@pytest.fixture
def contact(force):
    inspector = make_user("contact@hmicfrs.test", Role.INSPECTOR)
    Force.objects.filter(pk=force.pk).update(inspector_contact=inspector)
    force.refresh_from_db()
    return inspector


@pytest.fixture
def done_action(action, owner):
    services.action_record_progress(owner, action, text="Drafted.")
    services.action_mark_done(owner, action, "All done.")
    action.refresh_from_db()
    return action


def test_a_new_owner_and_contributor_are_told_and_the_lead_who_assigned_is_not(
    finding, lead, owner, contributor
):
    services.action_create(
        lead,
        finding=finding,
        title="Train the call handlers",
        owner=owner,
        contributors=[contributor],
    )
    assert told() == {
        (owner.email, Kind.ASSIGNED_OWNER),
        (contributor.email, Kind.ASSIGNED_CONTRIBUTOR),
    }
    notice = Notification.objects.get(recipient=owner)
    assert notice.actor == lead
    assert "made you the owner of “Train the call handlers”" in notice.summary
    assert finding.reference in notice.summary


def test_reassigning_tells_the_new_owner_and_the_people_taken_off(
    action, lead, owner, contributor, colleague
):
    Notification.objects.all().delete()
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )
    assert told() == {
        (colleague.email, Kind.ASSIGNED_OWNER),
        (owner.email, Kind.UNASSIGNED),
        (contributor.email, Kind.UNASSIGNED),
    }


def test_an_assignment_that_changes_no_one_tells_no_one(action, lead, contributor):
    Notification.objects.all().delete()
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=action.owner,
        contributors=[contributor],
        deadline=datetime.date(2031, 1, 1),
    )
    assert told() == set()


def test_marked_done_tells_the_force_leads_only(action, owner, lead, other_lead, force):
    second_lead = make_user("lead2@westmercia.test", Role.FORCE_LEAD, force)
    Notification.objects.all().delete()
    services.action_record_progress(owner, action, text="Drafted.")
    services.action_mark_done(owner, action, "All done.")
    assert told() == {
        (lead.email, Kind.MARKED_DONE),
        (second_lead.email, Kind.MARKED_DONE),
    }


def test_a_lead_marking_their_own_work_done_is_not_told_of_it(finding, lead, force):
    action = services.action_create(lead, finding=finding, title="Mine", owner=lead)
    services.action_record_progress(lead, action, text="Drafted.")
    services.action_mark_done(lead, action)
    assert told(Kind.MARKED_DONE) == set()


def test_returned_work_tells_owner_and_contributors_with_the_comment(
    done_action, lead, owner, contributor
):
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "The plan has no dates in it.")
    assert told() == {(owner.email, Kind.RETURNED), (contributor.email, Kind.RETURNED)}
    assert set(Notification.objects.values_list("text", flat=True)) == {
        "The plan has no dates in it."
    }


def test_signed_off_and_withdrawn_tell_the_workers(
    done_action, lead, owner, contributor, finding
):
    Notification.objects.all().delete()
    services.action_sign_off(lead, done_action)
    assert told() == {
        (owner.email, Kind.SIGNED_OFF),
        (contributor.email, Kind.SIGNED_OFF),
    }
    other = services.action_create(lead, finding=finding, title="Spare", owner=owner)
    Notification.objects.all().delete()
    services.action_withdraw(lead, other, "Covered by the training plan.")
    assert told() == {(owner.email, Kind.WITHDRAWN)}


def test_closure_requested_goes_to_the_force_contact_not_every_inspector(
    done_action, lead, contact, inspector, finding
):
    services.action_sign_off(lead, done_action)
    Notification.objects.all().delete()
    services.finding_request_closure(lead, finding, "Everything is delivered.")
    assert told() == {(contact.email, Kind.CLOSURE_REQUESTED)}


def test_closure_requested_goes_to_every_inspector_when_the_force_has_no_contact(
    done_action, lead, inspector, finding
):
    second = make_user("second@hmicfrs.test", Role.INSPECTOR)
    services.action_sign_off(lead, done_action)
    Notification.objects.all().delete()
    services.finding_request_closure(lead, finding, "Everything is delivered.")
    assert told() == {
        (inspector.email, Kind.CLOSURE_REQUESTED),
        (second.email, Kind.CLOSURE_REQUESTED),
    }


def test_a_closure_decision_tells_the_leads_and_the_owners_with_the_comment(
    done_action, lead, owner, contributor, contact, finding, other_lead
):
    services.action_sign_off(lead, done_action)
    services.finding_request_closure(lead, finding, "Everything is delivered.")
    Notification.objects.all().delete()
    services.finding_decline_closure(contact, finding, "The audit is not attached.")
    assert told() == {
        (lead.email, Kind.CLOSURE_DECLINED),
        (owner.email, Kind.CLOSURE_DECLINED),
    }
    assert Notification.objects.filter(text="The audit is not attached.").count() == 2


def test_deadline_requests_go_to_the_contact_and_decisions_to_the_requester(
    action, lead, contact
):
    Action.objects.filter(pk=action.pk).update(
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE
    )
    action.refresh_from_db()
    Notification.objects.all().delete()
    change = services.deadline_change_request(
        lead,
        action,
        new_deadline=datetime.date(2031, 5, 1),
        reason="The new system arrives in the spring of 2031.",
    )
    assert told() == {(contact.email, Kind.DEADLINE_REQUESTED)}
    services.deadline_change_decide(contact, change, approve=True)
    assert told(Kind.DEADLINE_DECIDED) == {(lead.email, Kind.DEADLINE_DECIDED)}
    assert (
        "approved your deadline change"
        in Notification.objects.get(kind=Kind.DEADLINE_DECIDED).summary
    )


def test_a_mention_tells_people_who_can_see_the_work_and_nobody_elsewhere(
    action, owner, colleague, outsider, inspector
):
    Notification.objects.all().delete()
    services.action_record_progress(
        owner,
        action,
        text="@colleague can you check the figures? cc @outsider and @inspector",
    )
    # The outsider is of another force: the same handle names no one here.
    assert told() == {
        (colleague.email, Kind.MENTIONED),
        (inspector.email, Kind.MENTIONED),
    }


def test_mentions_are_read_from_plain_text():
    class P:
        def __init__(self, pk, email):
            self.pk, self.email = pk, email

    jane, jane_too, bob = (
        P(1, "jane.smith@kent.police.uk"),
        P(2, "jane.smith@essex.police.uk"),
        P(3, "Bob@kent.police.uk"),
    )
    people = [jane, jane_too, bob]
    assert mentioned_people("thanks @bob, and @BOB again", people) == [bob]
    # Two people share the handle: only the whole address names one.
    assert mentioned_people("@jane.smith please", people) == []
    assert mentioned_people("@jane.smith@essex.police.uk please", people) == [jane_too]
    # An email address in the text is not a mention.
    assert mentioned_people("write to bob@kent.police.uk.", people) == []
    assert mentioned_people("see @bob.", people) == [bob]


def test_each_event_is_recorded_once_however_often_it_is_told(done_action, lead):
    update = services.action_return(lead, done_action, "Needs dates.")
    before = Notification.objects.count()
    events.action_updated(lead, update)
    events.action_updated(lead, update)
    assert Notification.objects.count() == before


def test_a_persons_choice_decides_the_email_and_the_app_still_shows_it(
    done_action, lead, owner, contributor
):
    services.notification_preferences_update(
        owner, {Kind.RETURNED: NotificationPreference.Delivery.APP_ONLY}
    )
    services.notification_preferences_update(
        contributor, {Kind.RETURNED: NotificationPreference.Delivery.DIGEST}
    )
    services.action_return(lead, done_action, "Needs dates.")
    statuses = dict(
        Notification.objects.filter(kind=Kind.RETURNED).values_list(
            "recipient__email", "status"
        )
    )
    assert statuses == {
        owner.email: Notification.Status.APP_ONLY,
        contributor.email: Notification.Status.PENDING,
    }
    assert Notification.objects.get(recipient=contributor).in_digest
    with pytest.raises(WorkflowError):
        services.notification_preferences_update(owner, {Kind.RETURNED: "weekly"})


def test_a_person_who_left_is_not_told(done_action, lead, owner, contributor):
    contributor.is_active = False
    contributor.save()
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "Needs dates.")
    assert told() == {(owner.email, Kind.RETURNED)}


def test_an_imported_inspection_tells_the_force_leads(lead, other_lead, inspector):
    from tests.test_importing import import_sample

    _, inspection = import_sample(inspector)
    assert told() == {(lead.email, Kind.INSPECTION_IMPORTED)}
    notice = Notification.objects.get()
    assert notice.inspection == inspection
    assert f"with {inspection.findings.count()} findings" in notice.summary


# The pages -------------------------------------------------------------------------


def test_the_list_shows_unread_first_and_opening_one_marks_it_read(
    client, done_action, lead, owner
):
    services.action_return(lead, done_action, "Needs dates.")
    client.force_login(owner)
    response = client.get(reverse("tracker:notifications"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "returned “Publish the community engagement plan”" in page
    assert 'id="unread-count">2<' in page  # made owner, returned
    returned = Notification.objects.get(recipient=owner, kind=Kind.RETURNED)
    opened = client.post(reverse("tracker:notification-open", args=[returned.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == done_action.get_absolute_url()
    returned.refresh_from_db()
    assert returned.read_at is not None
    page = client.get(reverse("tracker:notifications")).content.decode()
    assert 'id="unread-count">1<' in page
    # The unread one comes before the read one.
    assert page.index("made you the owner") < page.index("returned “Publish")


def test_mark_one_and_mark_all_read(client, done_action, lead, owner):
    services.action_return(lead, done_action, "Needs dates.")
    client.force_login(owner)
    first = Notification.objects.filter(recipient=owner).first()
    response = client.post(
        reverse("tracker:notification-read", args=[first.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("tracker:notifications")
    assert (
        Notification.objects.filter(recipient=owner, read_at__isnull=True).count() == 1
    )
    client.post(reverse("tracker:notifications-read-all"))
    assert not Notification.objects.filter(
        recipient=owner, read_at__isnull=True
    ).exists()


def test_nobody_opens_or_marks_another_persons_notification(
    client, done_action, lead, owner, outsider, contributor
):
    services.action_return(lead, done_action, "Needs dates.")
    mine = Notification.objects.filter(recipient=owner).first()
    for person in (outsider, contributor):
        client.force_login(person)
        assert (
            client.post(
                reverse("tracker:notification-open", args=[mine.pk])
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("tracker:notification-read", args=[mine.pk])
            ).status_code
            == 404
        )
        client.post(reverse("tracker:notifications-read-all"))
    mine.refresh_from_db()
    assert mine.read_at is None
    client.force_login(outsider)
    assert (
        "Needs dates"
        not in client.get(reverse("tracker:notifications")).content.decode()
    )


def test_a_person_moved_to_another_force_no_longer_sees_the_old_forces_notifications(
    client, action, owner, other_force
):
    assert Notification.objects.filter(recipient=owner).exists()
    owner.force = other_force
    owner.save()
    client.force_login(owner)
    page = client.get(reverse("tracker:notifications")).content.decode()
    assert "Publish the community engagement plan" not in page
    assert 'id="unread-count"' not in page


def test_the_choices_page_saves_each_kind(client, owner):
    client.force_login(owner)
    url = reverse("tracker:notification-preferences")
    assert client.get(url).status_code == 200
    choices = {kind.value: "at_once" for kind in Kind}
    choices[Kind.MENTIONED.value] = "app_only"
    choices[Kind.RETURNED.value] = "digest"
    response = client.post(url, choices)
    assert response.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=owner).values_list(
            "kind", "delivery"
        )
    ) == {"mentioned": "app_only", "returned": "digest"}
    for bad_choice in ("by pigeon", "weekly"):
        bad = client.post(url, {**choices, Kind.RETURNED.value: bad_choice})
        assert bad.status_code == 400
        assert "Select a valid choice" in bad.content.decode()


# The email -------------------------------------------------------------------------


def test_the_email_reads_on_its_own_and_threads_with_its_action(
    mail_server,
    settings,
    done_action,
    lead,
    owner,
    contributor,  # noqa: F811
):
    settings.SITE_URL = "https://tracker.example.org"
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "The plan has no dates in it.")
    delivery = deliver_notifications(owner.pk)
    assert (delivery.claimed, delivery.sent) == (1, 1)
    [message] = mail_server.to(owner.email)
    assert message["Subject"] == (
        "Returned to you: Publish the community engagement plan"
        f" ({done_action.finding.reference}), West Mercia"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["In-Reply-To"] == thread_id(done_action)
    assert message["References"] == thread_id(done_action)
    assert message["Message-ID"].startswith("<notification.")
    assert message["List-Unsubscribe"] == (
        "<https://tracker.example.org/notifications/choices/>"
    )
    body = text_body(message)
    assert "> The plan has no dates in it." in body
    assert f"https://tracker.example.org{done_action.get_absolute_url()}" in body
    assert message.get_body(preferencelist=("html",)) is not None
    # Sent once: a second run finds nothing to claim.
    assert deliver_notifications(owner.pk).claimed == 0
    assert len(mail_server.to(owner.email)) == 1
    assert Notification.objects.get(recipient=owner).status == Notification.Status.SENT


def test_an_email_overtaken_by_a_later_move_is_not_sent(
    mail_server,
    action,
    lead,
    owner,
    colleague,  # noqa: F811
):
    Notification.objects.all().delete()
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[],
        deadline=action.deadline,
    )
    action.refresh_from_db()
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=owner,
        contributors=[],
        deadline=action.deadline,
    )
    delivery = deliver_notifications(colleague.pk)
    assert (delivery.sent, delivery.cancelled) == (1, 1)  # taken off: still true
    kinds = dict(
        Notification.objects.filter(recipient=colleague).values_list("kind", "status")
    )
    assert kinds == {
        Kind.ASSIGNED_OWNER: Notification.Status.CANCELLED,
        Kind.UNASSIGNED: Notification.Status.SENT,
    }
    assert mail_server.to(colleague.email)[0]["Subject"].startswith(
        "Taken off an action: Publish the community engagement plan"
    )


def test_a_refusing_mail_server_leaves_the_notification_waiting(
    settings, done_action, lead, owner
):
    from tests.reminders_support import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "Needs dates.")
    with pytest.raises(SendFailed):
        deliver_notifications(owner.pk, retry_in=60)
    notice = Notification.objects.get(recipient=owner)
    assert notice.status == Notification.Status.PENDING
    assert "ConnectionRefusedError" in notice.last_error
    # Held for the task's retry: nobody else sends it meanwhile.
    assert notice.retry_at > timezone.now()
    assert deliver_notifications(owner.pk).claimed == 0
    Notification.objects.update(retry_at=timezone.now())
    with pytest.raises(SendFailed):
        deliver_notifications(owner.pk, retry_in=None)  # the last retry
    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    # Nothing reached the server, so it may be tried again automatically.
    assert not notice.maybe_delivered


def test_a_finding_notification_links_to_the_finding(
    done_action, lead, contact, finding
):
    services.action_sign_off(lead, done_action)
    services.finding_request_closure(lead, finding, "Delivered.")
    notice = Notification.objects.get(kind=Kind.CLOSURE_REQUESTED)
    assert notice.get_absolute_url() == finding.get_absolute_url()
    assert notice.finding.status == Finding.Status.CLOSURE_REQUESTED


# In the digest ------------------------------------------------------------------------


def test_a_notification_chosen_for_the_digest_goes_with_it_and_not_on_its_own(
    mail_server, done_action, lead, owner, contributor
):
    services.notification_preferences_update(
        owner, {Kind.RETURNED: NotificationPreference.Delivery.DIGEST}
    )
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "The plan has no dates in it.")
    mine = Notification.objects.get(recipient=owner)
    assert (mine.status, mine.in_digest) == (Notification.Status.PENDING, True)
    # Not sent on its own, nor queued by the catch-up as if it were.
    assert deliver_notifications(owner.pk).claimed == 0
    assert deliver_notifications(contributor.pk).sent == 1
    today = timezone.localdate()
    result = run_sweep(today)
    assert owner.pk in result.recipients
    deliver_digest(owner.pk, today)
    [digest] = mail_server.to(owner.email)
    assert digest["Subject"] == "1 update · PEEL action tracker"
    body = " ".join(text_body(digest).split())
    assert "WHAT HAPPENED - lead@westmercia.test returned “Publish the" in body
    assert "“The plan has no dates in it.”" in body
    assert done_action.get_absolute_url() in body
    mine.refresh_from_db()
    assert mine.status == Notification.Status.SENT
    # The next digest does not carry it again.
    assert run_sweep(today).recipients == []


def test_a_digest_notification_no_longer_true_is_cancelled_not_sent(
    mail_server, done_action, lead, owner
):
    services.notification_preferences_update(
        owner, {Kind.RETURNED: NotificationPreference.Delivery.DIGEST}
    )
    Notification.objects.all().delete()
    services.action_return(lead, done_action, "Needs dates.")
    done_action.refresh_from_db()
    services.action_mark_done(owner, done_action, "Dates added.")
    deliver_digest(owner.pk, timezone.localdate())
    assert mail_server.to(owner.email) == []
    mine = Notification.objects.get(recipient=owner, kind=Kind.RETURNED)
    assert mine.status == Notification.Status.CANCELLED
    assert mine.cancel_reason == "The action has moved on since it was returned."
