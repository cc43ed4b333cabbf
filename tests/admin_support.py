"""Admin pages as a browser uses them: load a change form, post back what it rendered."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The values a browser would post for the first form with `form_id`, as rendered."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.fields.append((name, attrs.get("value", default)))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, form_id: str) -> dict:
    assert response.status_code == 200, response.status_code
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def change_url(obj) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def load(admin_client, obj) -> dict:
    return form_data(admin_client.get(change_url(obj)), f"{obj._meta.model_name}_form")


def errors_of(response) -> str:
    """The form's error messages, as the page shows them."""
    assert response.status_code == 200, "the admin accepted the save"
    page = response.content.decode()
    return " ".join(
        part.split("</ul>")[0] for part in page.split('class="errorlist')[1:]
    )
