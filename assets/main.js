// Starts the app: loads the wasm module (web.js, written by wasm-bindgen). A module file rather
// than an inline script, so the page runs under script-src 'self'.
import init from '../web.js';
import { prefetchLazy } from './lazy.js';
import { fatal } from './notice.js';

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

init().then(() => prefetchLazy()).catch((e) => {
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
