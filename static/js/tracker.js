// The app's own script: small touches that the pages work without.
// A "Print" button (data-print) prints the page; without JavaScript it stays hidden
// and the browser's own print does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
