// Starts the app: loads the wasm module (web.js, written by wasm-bindgen). A module file rather
// than an inline script, so the page runs under script-src 'self'.
import init from '../web.js';

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
