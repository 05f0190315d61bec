// The page's Web Worker: loads the checker module (web-worker/: web_worker.js, web_worker_bg.wasm),
// which the page itself never loads, and runs exhaustive checks off the main thread, so the page
// never freezes. Protocol (JSON strings both ways): web-protocol/src/lib.rs.
// The page cancels a job by terminating this worker and starting a fresh one.
import init, { worker_handle } from '../web_worker.js';

const ready = init();

// Requests are {"<kind>": {"job": N, ...}} (web-protocol/src/lib.rs).
function jobOf(request) {
  try {
    return Object.values(JSON.parse(request))[0]?.job ?? 0;
  } catch (_) {
    return 0;
  }
}

const failed = (request, error) => JSON.stringify({ failed: { job: jobOf(request), error } });

self.onmessage = async (event) => {
  const request = event.data;
  try {
    await ready;
  } catch (err) {
    self.postMessage(failed(request, `the worker could not load the WebAssembly module: ${err}`));
    return;
  }
  try {
    worker_handle(request, (json) => self.postMessage(json));
  } catch (err) {
    self.postMessage(failed(request, `the check stopped with an internal error: ${err}`));
  }
};
