// Browser helpers the wasm module imports (web/src/browser.rs): copying text and exporting the
// timeline as PNG. Plain DOM APIs, nothing inline, so they work under the page's strict CSP
// (the PNG goes through blob: URLs, which img-src allows). Nothing here runs at import time: the
// Web Worker imports web.js, and so this file, too.

/** Copies `text`; if the Clipboard API is missing or refused, selects the text of the element
 *  `fallbackId` (an <input> or <textarea>) and tries the old copy command. Resolves with
 *  'copied' or 'selected' (the text is selected for Ctrl+C). */
export async function copyText(text, fallbackId) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch (_) { /* refused (permissions, iframe): fall back */ }
  const el = document.getElementById(fallbackId);
  if (el && typeof el.select === 'function') {
    el.focus();
    el.select();
    try {
      if (document.execCommand('copy')) return 'copied';
    } catch (_) { /* not supported */ }
  }
  return 'selected';
}

/** Draws an SVG document onto a canvas at `scale` (lowered if the bitmap would be too large
 *  for the browser) and downloads it as a PNG named `fileName`. Resolves with "W×H". */
export function exportPng(svgText, scale, fileName) {
  return new Promise((resolve, reject) => {
    const svgUrl = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml;charset=utf-8' }));
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(svgUrl);
      const w = img.naturalWidth || 1;
      const h = img.naturalHeight || 1;
      const max = 16384;
      const s = Math.max(0.25, Math.min(scale, max / w, max / h, Math.sqrt(120e6 / (w * h))));
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(w * s);
      canvas.height = Math.round(h * s);
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        reject(new Error('this browser has no 2D canvas'));
        return;
      }
      ctx.scale(s, s);
      ctx.drawImage(img, 0, 0, w, h);
      canvas.toBlob((png) => {
        if (!png) {
          reject(new Error('the browser could not encode the PNG'));
          return;
        }
        const a = document.createElement('a');
        a.href = URL.createObjectURL(png);
        a.download = fileName;
        a.hidden = true;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
        resolve(`${canvas.width}×${canvas.height}`);
      }, 'image/png');
    };
    img.onerror = () => {
      URL.revokeObjectURL(svgUrl);
      reject(new Error('the browser could not draw the timeline'));
    };
    img.src = svgUrl;
  });
}

/** A same-origin BroadcastChannel named `name` (the presenter window and the projected one), or
 *  null where the browser has none. Messages are link queries (`?…`): others are dropped, and so
 *  is anything longer than `max` characters. */
export function openChannel(name, max, onQuery) {
  if (typeof BroadcastChannel !== 'function') return null;
  const ch = new BroadcastChannel(name);
  ch.onmessage = (e) => {
    if (typeof e.data === 'string' && e.data.startsWith('?') && e.data.length <= max) onQuery(e.data);
  };
  return ch;
}

/** Sends `query` on a channel from openChannel (nothing if it is null). */
export function postQuery(ch, query) {
  if (ch) ch.postMessage(query);
}

/** Closes a channel from openChannel. */
export function closeChannel(ch) {
  if (ch) ch.close();
}

/** Fits the page's timeline (web/src/components/timeline.rs) to the visible width of `view`, its
 *  scrolling box: the drawing (and its sticky heads) becomes as wide as the box, never narrower
 *  than its lanes plus `minNotes` px, never wider than its content; each state-change and
 *  violation text to the right of the lanes (or across them) is cut with "…" where it would pass
 *  the right edge, its whole text kept in a <title> (a tooltip). Idempotent: the whole text is
 *  remembered in data-full, the content width in data-content-width. Exports are drawn from the
 *  core's own SVG string, not from this DOM, so they stay sized to their content. */
export function fitTimeline(view, minNotes) {
  const svg = view.querySelector('svg.avic-timeline:not(.avic-timeline-heads)');
  if (!svg) return;
  const NS = 'http://www.w3.org/2000/svg';
  if (!svg.dataset.contentWidth) svg.dataset.contentWidth = svg.getAttribute('width');
  const content = Number(svg.dataset.contentWidth);
  const texts = [...svg.querySelectorAll('text.chg, text.bad')].filter((t) => !t.closest('g.step'));
  const notesX = Math.min(...texts.filter((t) => t.classList.contains('chg')).map((t) => Number(t.getAttribute('x'))));
  const floor = Number.isFinite(notesX) ? notesX + minNotes : 0;
  const width = Math.round(Math.min(content, Math.max(view.clientWidth, floor)));
  for (const s of [svg, view.querySelector('svg.avic-timeline-heads')]) {
    if (!s) continue;
    const h = s.getAttribute('height');
    s.setAttribute('width', width);
    s.setAttribute('viewBox', `0 0 ${width} ${h}`);
    const bg = s.querySelector('rect.bg');
    if (bg) bg.setAttribute('width', width);
  }
  for (const t of texts) {
    if (t.dataset.full === undefined) {
      const title = t.querySelector('title');
      let full = t.textContent;
      if (title) {
        let prefix = '';
        for (const n of t.childNodes) {
          if (n === title) break;
          prefix += n.textContent;
        }
        full = prefix + title.textContent;
      }
      t.dataset.full = full;
    }
    const full = t.dataset.full;
    const room = width - Number(t.getAttribute('x')) - 8;
    t.textContent = full;
    if (t.getComputedTextLength() <= room) continue;
    const ell = t.getSubStringLength(0, 1);
    let lo = 0;
    let hi = full.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (t.getSubStringLength(0, mid) + ell <= room) lo = mid; else hi = mid - 1;
    }
    let n = lo;
    if (n > 0 && /[\uD800-\uDBFF]/.test(full[n - 1])) n -= 1;
    const title = document.createElementNS(NS, 'title');
    title.textContent = full;
    t.textContent = '';
    t.append(title, `${full.slice(0, n)}…`);
    while (n > 0 && t.getComputedTextLength() > room) {
      n -= 1;
      t.lastChild.textContent = `${full.slice(0, n)}…`;
    }
  }
}
