// Times Analyzer.analyze in this browser on the frames `make bench` generated (served at
// /bench-frames/), and, in the same run on the same frames, an OpenCV.js baseline (served at
// /bench/opencv.js by the bench driver, when given).
import init, { Analyzer, FaceDetector } from '/pkg/idv_capture.js';

const params = new URL(location.href).searchParams;
const sizes = JSON.parse(params.get('sizes') ?? '[[640,480],[1280,720],[1920,1080]]');
const runs = Number(params.get('n') ?? 200);
const withOpenCv = params.get('opencv') === '1';
// Warm-up: at least 20 runs and 1 s. V8 first runs wasm from its baseline compiler (Liftoff) and
// swaps in the optimised code (TurboFan) in the background once a function is hot; a camera loop
// lives in that steady state after its first second, so that is what is timed.
const warmupRuns = 20;
const warmupMs = 1000;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function time(fn) {
  const t = [];
  const start = performance.now();
  for (let i = 0; i < warmupRuns || performance.now() - start < warmupMs; i++) fn();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { median: quantile(t, 0.5), p95: quantile(t, 0.95) };
}

/** Loads the OpenCV.js build as a classic script and waits for its runtime. */
async function loadOpenCv() {
  const t0 = performance.now();
  await new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = '/bench/opencv.js';
    s.onload = ok;
    s.onerror = () => fail(new Error('opencv.js did not load'));
    document.head.append(s);
  });
  let cv = window.cv;
  if (cv instanceof Promise) cv = await cv;
  else if (!cv.Mat) await new Promise((ok) => { cv.onRuntimeInitialized = ok; });
  return { cv, readyMs: performance.now() - t0 };
}

/**
 * What open-source document capture does with OpenCV.js per frame (e.g. jscanify and the
 * "Laplacian variance" blur check): grey, variance of the Laplacian, clipped-pixel count, Canny,
 * external contours, and the largest contour's polygon. Mats are allocated once, as a careful
 * integrator would. It does less than our engine: no perspective rectification, no normalised
 * scale, no glare model, no stability tracking.
 */
function openCvBaseline(cv, bytes, w, h) {
  const rgba = new cv.Mat(h, w, cv.CV_8UC4);
  rgba.data.set(bytes);
  const grey = new cv.Mat();
  const lap = new cv.Mat();
  const mean = new cv.Mat();
  const std = new cv.Mat();
  const clipped = new cv.Mat();
  const edges = new cv.Mat();
  const contours = new cv.MatVector();
  const hierarchy = new cv.Mat();
  const poly = new cv.Mat();
  let result = null;
  const run = () => {
    cv.cvtColor(rgba, grey, cv.COLOR_RGBA2GRAY);
    cv.Laplacian(grey, lap, cv.CV_64F);
    cv.meanStdDev(lap, mean, std);
    const variance = std.data64F[0] ** 2;
    cv.threshold(grey, clipped, 250, 255, cv.THRESH_BINARY);
    const clippedCount = cv.countNonZero(clipped);
    cv.Canny(grey, edges, 50, 150);
    cv.findContours(edges, contours, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE);
    let best = -1;
    let bestArea = 0;
    for (let i = 0; i < contours.size(); i++) {
      const c = contours.get(i);
      const a = cv.contourArea(c);
      if (a > bestArea) { bestArea = a; best = i; }
      c.delete();
    }
    let corners = 0;
    if (best >= 0) {
      const c = contours.get(best);
      cv.approxPolyDP(c, poly, 0.02 * cv.arcLength(c, true), true);
      corners = poly.rows;
      c.delete();
    }
    result = { variance, clippedCount, corners };
  };
  const timing = time(run);
  for (const m of [rgba, grey, lap, mean, std, clipped, edges, contours, hierarchy, poly]) m.delete();
  return { ...timing, result };
}

async function main() {
  const t0 = performance.now();
  await init();
  const initMs = performance.now() - t0;
  const opencv = withOpenCv ? await loadOpenCv() : null;
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
    analyzer.free();
    const baseline = opencv ? openCvBaseline(opencv.cv, bytes, w, h) : null;
    results.push({ width: w, height: h, engine, api, feedback: verdict.feedback, opencv: baseline });
  }
  // The selfie's face detector, alone and inside the whole selfie analysis.
  const selfieBytes = new Uint8Array(await (await fetch('/bench-frames/selfie-640x480.rgba')).arrayBuffer());
  const detector = new FaceDetector();
  detector.frameBuffer(640, 480).set(selfieBytes);
  const detect = time(() => detector.detectBuffer());
  const faces = detector.detectBuffer().length;
  detector.free();
  const selfieAnalyzer = new Analyzer();
  selfieAnalyzer.frameBuffer(640, 480).set(selfieBytes);
  const selfie = time(() => selfieAnalyzer.analyzeBuffer('selfie'));
  const selfieFeedback = selfieAnalyzer.analyzeBuffer('selfie').feedback;
  selfieAnalyzer.free();
  const out = {
    initMs,
    face: { detect, selfie, faces, feedback: selfieFeedback },
    opencvReadyMs: opencv?.readyMs ?? null,
    opencvVersion: opencv ? String(opencv.cv.getBuildInformation?.().match(/Version control:\s*(\S+)/)?.[1] ?? '') : null,
    crossOriginIsolated: self.crossOriginIsolated,
    userAgent: navigator.userAgent,
    results,
  };
  document.getElementById('out').textContent = JSON.stringify(out, null, 2);
  window.__bench = out;
}

main().catch((e) => {
  window.__bench = { error: String(e?.stack ?? e) };
  document.getElementById('out').textContent = String(e);
});
