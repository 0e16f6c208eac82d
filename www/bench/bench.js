// Times Analyzer.analyze in this browser on the frames `make bench` generated (served at /bench-frames/).
import init, { Analyzer } from '/pkg/idv_capture.js';

const params = new URL(location.href).searchParams;
const sizes = JSON.parse(params.get('sizes') ?? '[[640,480],[1280,720],[1920,1080]]');
const runs = Number(params.get('n') ?? 200);
const warmup = 20;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function time(fn) {
  const t = [];
  for (let i = 0; i < warmup; i++) fn();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { median: quantile(t, 0.5), p95: quantile(t, 0.95) };
}

async function main() {
  const t0 = performance.now();
  await init();
  const initMs = performance.now() - t0;
  const results = [];
  for (const [w, h] of sizes) {
    const bytes = new Uint8Array(await (await fetch(`/bench-frames/${w}x${h}.rgba`)).arrayBuffer());
    const analyzer = new Analyzer();
    analyzer.frameBuffer(w, h).set(bytes);
    // The engine alone, on a frame already in wasm memory (the camera loop's path).
    const engine = time(() => analyzer.analyzeBuffer('document_front'));
    // The convenience API: ImageData copied into wasm on every call.
    const image = new ImageData(new Uint8ClampedArray(bytes.buffer), w, h);
    const api = time(() => analyzer.analyze(image, 'document_front'));
    const verdict = analyzer.analyzeBuffer('document_front');
    results.push({ width: w, height: h, engine, api, feedback: verdict.feedback });
    analyzer.free();
  }
  const out = { initMs, crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent, results };
  document.getElementById('out').textContent = JSON.stringify(out, null, 2);
  window.__bench = out;
}

main().catch((e) => {
  window.__bench = { error: String(e?.stack ?? e) };
  document.getElementById('out').textContent = String(e);
});
