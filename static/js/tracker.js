// The app's own script: small touches that the pages work without.
// A "Print" button (data-print) prints the page; without JavaScript it stays hidden
// and the browser's own print does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

// Mentions: in a text box marked data-mentions, typing "@" and the start of a name
// offers the force's people; choosing one types "@handle". Without JavaScript the
// same words typed by hand do the same.
(() => {
  const source = document.getElementById("mention-people");
  if (!source) return;
  const people = JSON.parse(source.textContent);
  let open = null; // {box, list, items, active, start}

  const close = () => {
    if (!open) return;
    open.list.remove();
    open.box.removeAttribute("aria-activedescendant");
    open = null;
  };

  const choose = (person) => {
    const { box, start } = open;
    const end = box.selectionStart;
    const text = `@${person.handle} `;
    box.setRangeText(text, start, end, "end");
    close();
    box.focus();
  };

  const highlight = (index) => {
    open.active = index;
    open.items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    open.box.setAttribute("aria-activedescendant", open.items[index].id);
  };

  const offer = (box) => {
    const before = box.value.slice(0, box.selectionStart);
    const match = before.match(/(^|[\s(])@([\w.'-]*)$/);
    close();
    if (!match) return;
    const typed = match[2].toLowerCase();
    const found = people
      .filter((p) => p.handle.startsWith(typed) || p.name.toLowerCase().includes(typed))
      .slice(0, 8);
    if (!found.length) return;
    const list = document.createElement("ul");
    list.className = "app-mentions";
    list.id = `${box.id}-mentions`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    const items = found.map((person, i) => {
      const item = document.createElement("li");
      item.id = `${list.id}-${i}`;
      item.setAttribute("role", "option");
      item.textContent = `${person.name} (@${person.handle})`;
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(person);
      });
      item.person = person;
      list.append(item);
      return item;
    });
    box.after(list);
    box.setAttribute("aria-controls", list.id);
    open = { box, list, items, active: 0, start: box.selectionStart - match[2].length - 1 };
    highlight(0);
  };

  document.querySelectorAll("textarea[data-mentions]").forEach((box) => {
    box.setAttribute("aria-autocomplete", "list");
    box.addEventListener("input", () => offer(box));
    box.addEventListener("blur", close);
    box.addEventListener("keydown", (event) => {
      if (!open || open.box !== box) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((open.active + step + open.items.length) % open.items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(open.items[open.active].person);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
  });
})();

// After a change in the import preview the page comes back at the item changed (the
// address ends "#item-…"); the focus goes there too, so a keyboard or screen reader
// user goes on from where they were. Without JavaScript the page still scrolls there.
(() => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id.startsWith("item-") ? document.getElementById(id) : null;
  if (target) target.focus();
})();
