// The UI's second module, web_lazy_bg.wasm: the functions the first render and the first steps
// of a run do not call, and the read-only data only they can reach. scripts/build-web.sh splits
// them out of the UI module (binaryen's wasm-split, guided by a profile of the first render and
// first steps, scripts/profile-ui.mjs; the data by scripts/split_ui.py). In the UI module each of them is an
// import from "placeholder", named by its slot in the module's function table; the second
// module imports the UI module's memory, table and functions, and its element segments put the
// real functions into those slots when it is instantiated. It keeps no state of its own.
//
// It is fetched idly after the first render (prefetchLazy, from main.js). A placeholder called
// before that finishes (a click that reaches a view the first render did not draw, or a link
// that opens one) loads it synchronously, then makes the call it stands for.
import { fatal } from './notice.js';

const LAZY_URL = new URL('../web_lazy_bg.wasm', import.meta.url);
/** How long the idle prefetch waits for the browser to be idle, at most (ms). */
const PREFETCH_WITHIN_MS = 2000;

let uiExports = null; // () => the UI module's exports; set when the glue asks for placeholders
let linked = false; // the second module's functions are in the table
let prefetched = null; // the compiled second module, once the prefetch has it
let failed = null; // why loading it failed, once it has (said once; later calls fail at once)

/** Marks the page once the second module is in (<html data-lazy="linked">: the browser tests
 *  and a curious reader can see it). */
function markLinked() {
  linked = true;
  document.documentElement.dataset.lazy = 'linked';
}

function link(module) {
  if (linked) return;
  new WebAssembly.Instance(module, { primary: uiExports() });
  markLinked();
}

/** The module's bytes, fetched synchronously (a synchronous request cannot ask for an
 *  ArrayBuffer on a page, so it reads the bytes as x-user-defined text, one char per byte). */
function fetchSync() {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', LAZY_URL, false);
  xhr.overrideMimeType('text/plain; charset=x-user-defined');
  xhr.send();
  if (xhr.status !== 200) throw new Error(`HTTP ${xhr.status} for ${LAZY_URL}`);
  const text = xhr.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

function loadNow() {
  if (linked) return;
  if (failed) throw failed;
  try {
    link(prefetched ?? new WebAssembly.Module(fetchSync()));
  } catch (e) {
    failed = e;
    fatal(`The lab could not load the rest of its code (${e.message ?? e}). Check the ` +
      'connection and reload the page.');
    throw e;
  }
}

/** The "placeholder" imports of the UI module (the glue, patched by scripts/build-web.sh, asks
 *  for them): each loads the second module if it is not yet in, then calls the function that
 *  has taken the placeholder's slot. */
export function lazyPlaceholders(exportsGetter) {
  uiExports = exportsGetter;
  return new Proxy({}, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      const slot = Number(name);
      return (...args) => {
        loadNow();
        return uiExports().table.get(slot)(...args);
      };
    },
  });
}

/** Fetches, compiles and links the second module when the browser is next idle (a no-op when
 *  the UI was built as one module). */
export function prefetchLazy() {
  if (!uiExports || linked) return;
  const start = async () => {
    try {
      const module = await WebAssembly.compileStreaming(fetch(LAZY_URL));
      prefetched = module;
      if (!linked) {
        await WebAssembly.instantiate(module, { primary: uiExports() });
        if (!linked) markLinked();
      }
    } catch (e) {
      // Not fatal yet: a placeholder retries synchronously and reports a failure then.
      console.warn('the lab could not prefetch the rest of its code', e);
    }
  };
  if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: PREFETCH_WITHIN_MS });
  else setTimeout(start, 0);
}
