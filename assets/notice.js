// A notice at the top of the page that the lab has stopped (the panic hook's look:
// web/src/app.rs show_panic). Shared by main.js and lazy.js.
export function fatal(text) {
  const div = document.createElement('div');
  div.className = 'fatal';
  div.setAttribute('role', 'alert');
  div.textContent = text;
  document.body.prepend(div);
}
