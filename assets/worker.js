// The page's Web Worker: loads the same wasm module as the page and runs exhaustive checks off
// the main thread, so the page never freezes. Protocol (JSON strings both ways): web/src/jobs.rs.
// The page cancels a job by terminating this worker and starting a fresh one.
import init, { worker_handle } from '../web.js';

const ready = init();

function jobOf(request) {
  try {
    return JSON.parse(request).job ?? 0;
  } catch (_) {
    return 0;
  }
}

self.onmessage = async (event) => {
  const request = event.data;
  try {
    await ready;
  } catch (err) {
    self.postMessage(JSON.stringify({
      kind: 'failed', job: jobOf(request),
      error: `the worker could not load the WebAssembly module: ${err}`,
    }));
    return;
  }
  try {
    worker_handle(request, (json) => self.postMessage(json));
  } catch (err) {
    self.postMessage(JSON.stringify({
      kind: 'failed', job: jobOf(request),
      error: `the check stopped with an internal error: ${err}`,
    }));
  }
};
