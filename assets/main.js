// Starts the app: loads the wasm module (web.js, written by wasm-bindgen). A module file rather
// than an inline script, so the page runs under script-src 'self'.
import init from '../web.js';

// A notice at the top of the page (the panic hook's look: web/src/app.rs show_panic).
function fatal(text) {
  const div = document.createElement('div');
  div.className = 'fatal';
  div.setAttribute('role', 'alert');
  div.textContent = text;
  document.body.prepend(div);
}

// The release module aborts on a panic without a word (scripts/build-web.sh): the trap reaches
// the page as an uncaught WebAssembly.RuntimeError. Say so once, as the panic hook would.
let stopped = false;
function onTrap(e) {
  if (stopped || !(e instanceof WebAssembly.RuntimeError)) return;
  stopped = true;
  fatal('The lab hit an internal error and stopped (' + e.message + '). Reload the page to start ' +
    'again; if it happens again, please report it with the page\'s address.');
}
window.addEventListener('error', (ev) => onTrap(ev.error));
window.addEventListener('unhandledrejection', (ev) => onTrap(ev.reason));

init().catch((e) => {
  console.error('failed to start the app', e);
  const app = document.getElementById('app');
  app.textContent = '';
  const p = document.createElement('p');
  p.className = 'fatal';
  p.setAttribute('role', 'alert');
  p.textContent = 'The AVIC race lab could not start: ' + e +
    '. It needs a browser with WebAssembly (any current Chrome, Firefox, Safari or Edge).';
  app.append(p);
});
