// `make bench`: the pre-check's time per frame natively and in headless Chromium (wasm), on the
// same generated frames, printed as one table. Times are medians and p95 over many runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, launchBrowser, startSandbox } from '../tests/e2e/harness.mjs';

const FRAMES = resolve(ROOT, 'target/bench-frames');
const runs = Number(process.env.BENCH_RUNS ?? 200);

const native = execFileSync(resolve(ROOT, 'target/release/bench'), ['--frames', FRAMES, '--runs', String(runs)], {
  encoding: 'utf8',
}).trim().split('\n').map((l) => JSON.parse(l));

const sandbox = await startSandbox();
const browser = await launchBrowser();
let wasm;
try {
  const page = await browser.newPage();
  await page.route('**/bench-frames/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    route.fulfill({ body: readFileSync(resolve(FRAMES, name)), contentType: 'application/octet-stream' });
  });
  await page.goto(`${sandbox.url}/bench/?n=${runs}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 300_000 });
  wasm = await page.evaluate(() => window.__bench);
  if (wasm.error) throw new Error(wasm.error);
} finally {
  await browser.close();
  await sandbox.stop();
}

const f = (x) => x.toFixed(3).padStart(8);
console.log(`\nidv-capture pre-check, document_front, ${runs} runs per cell (ms per frame)`);
console.log(`browser: ${wasm.userAgent}`);
console.log(`wasm init: ${wasm.initMs.toFixed(1)} ms; timer isolation: ${wasm.crossOriginIsolated ? 'yes (5 µs)' : 'no (100 µs resolution)'}\n`);
console.log('frame        native med    p95 | wasm engine med    p95 | wasm API (ImageData) med    p95 | verdict');
for (const n of native) {
  const w = wasm.results.find((r) => r.width === n.width && r.height === n.height);
  console.log(
    `${`${n.width}x${n.height}`.padEnd(12)} ${f(n.median)} ${f(n.p95)} |     ${f(w.engine.median)} ${f(w.engine.p95)} |             ${f(w.api.median)} ${f(w.api.p95)} | ${w.feedback}`,
  );
}
