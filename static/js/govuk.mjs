// GOV.UK Frontend's components (the menu on a phone, the error summary taking focus,
// character counts) where the browser runs modules; every page works without them.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
// Parts of a page htmx puts in afterwards get the same behaviour.
document.body.addEventListener("htmx:load", (event) => initAll({ scope: event.detail.elt }));
