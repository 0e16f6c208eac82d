// Whole verification sessions back to back (camera, pre-check, capture, upload) for ?seconds=N,
// sampling the wasm memory and the JS heap every second. Also times init() and the first verdict.
import init, { IdvCapture } from '/pkg/idv_capture.js';

const params = new URL(location.href).searchParams;
const seconds = Number(params.get('seconds') ?? 60);
const out = { initMs: null, firstVerdictMs: null, sessions: 0, sessionIds: [], outcomes: {}, samples: [], errors: [] };
window.__soak = null;

const t0 = performance.now();
const wasm = await init();
out.initMs = performance.now() - t0;

// With --js-flags=--expose-gc (the soak driver passes it), collect first: the heap figure is
// then live objects, not garbage the collector has not reached yet.
const sample = () => (window.gc?.(), out.samples.push({
  t: (performance.now() - t0) / 1000,
  sessions: out.sessions,
  wasmBytes: wasm.memory.buffer.byteLength,
  jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
}));

async function session() {
  const res = await fetch('/demo/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mock_behavior: { recommendation: 'ALLOW', processing_time: '100ms' } }),
  });
  const s = await res.json();
  out.sessionIds.push(s.session_id);
  const capture = new IdvCapture({
    serverPath: s.server_path,
    startToken: s.start_token,
    consent: { granted: true, documentId: 'soak' },
    container: document.getElementById('camera'),
    onEvent: (e) => {
      if (e.type === 'frame_verdict' && out.firstVerdictMs === null) out.firstVerdictMs = performance.now() - t0;
      if (e.type === 'error') out.errors.push(e.code);
    },
  });
  const outcome = await capture.run();
  capture.free();
  document.getElementById('camera').replaceChildren();
  out.outcomes[outcome.status] = (out.outcomes[outcome.status] ?? 0) + 1;
  out.sessions += 1;
}

sample();
const timer = setInterval(sample, 1000);
const end = performance.now() + seconds * 1000;
try {
  do { await session(); } while (performance.now() < end);
} catch (e) {
  out.errors.push(String(e?.message ?? e));
}
clearInterval(timer);
sample();
document.getElementById('out').textContent = JSON.stringify(out, null, 2);
window.__soak = out;
