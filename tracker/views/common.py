"""What the page modules share: the methods a page with its own form answers, and how a
service's refusal lands on that form."""

from django.views.decorators.http import require_http_methods

# A page that shows its form (GET, HEAD) and takes it back (POST); anything else is 405.
page_with_form = require_http_methods(["GET", "HEAD", "POST"])


def refuse_on_form(form, error) -> None:
    """A service's refusal (a WorkflowError) on the field it is about, or on the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
