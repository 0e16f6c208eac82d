// The demo page end to end: headless Chromium whose fake camera plays a generated video, the page
// served by a real sandbox under its strict CSP, real uploads. Each scenario checks the DOM at
// each step and saves screenshots under test-output/e2e/demo/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { FIXTURES, launchBrowser, outputPath, startSandbox, verifyApi } from './harness.mjs';

const STEP_TIMEOUT = 30_000;
let sandbox;
let api;

before(async () => {
  sandbox = await startSandbox();
  api = verifyApi(sandbox.url);
});
after(async () => {
  await sandbox?.stop();
});

/**
 * Opens the demo in a fresh browser whose camera plays `video`, and records what a reviewer would
 * want to know: console errors, page errors, CSP violations, requests to other origins, the
 * guidance texts over time, and the session the page created.
 */
async function openDemo({ video, denyCamera = false, viewport = { width: 1280, height: 900 }, query = '', locale }) {
  const browser = await launchBrowser({ video, denyCamera });
  const context = await browser.newContext({ viewport, locale });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    window.__guidance = [];
    document.addEventListener('DOMContentLoaded', () => {
      const g = document.getElementById('guidance');
      if (!g) return;
      new MutationObserver(() => {
        // The time Guidance stamped when it set the text: the observer itself runs at the end of
        // the task, which may be a frame analysis later.
        window.__guidance.push({ t: Number(g.dataset.shownAt ?? performance.now()), text: g.textContent });
      }).observe(g, { childList: true, characterData: true, subtree: true });
    });
  });
  const page = await context.newPage();
  const seen = { errors: [], foreign: [], sessionId: null, urls: [], console: [], tokens: {}, authorized: [] };
  const origin = new URL(sandbox.url).origin;
  page.on('console', (m) => {
    seen.console.push(m.text());
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => {
    seen.urls.push(r.url());
    const auth = r.headers().authorization;
    if (auth) seen.authorized.push({ url: r.url(), auth });
    const u = new URL(r.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== origin) seen.foreign.push(r.url());
  });
  page.on('response', async (r) => {
    if (r.url().endsWith('/demo/session') && r.request().method() === 'POST' && r.ok()) {
      const body = await r.json();
      seen.sessionId = body.session_id;
      seen.tokens.start = body.start_token;
    }
    if (r.url().endsWith('/verify/api/v1/verification/start') && r.ok()) {
      seen.tokens.user = (await r.json()).user_token;
    }
  });
  const response = await page.goto(`${sandbox.url}/${query}`);
  return {
    browser, page, seen, response,
    shot: (name) => page.screenshot({ path: outputPath(`demo/${name}.png`), fullPage: true }),
    async guidanceHistory() { return page.evaluate(() => window.__guidance); },
    /** Fails on any console error, page error, CSP violation or request to another origin. */
    async assertClean() {
      const csp = await page.evaluate(() => window.__csp);
      assert.deepEqual(csp, [], 'CSP violations');
      assert.deepEqual(seen.errors, [], 'console errors');
      assert.deepEqual(seen.foreign, [], 'requests to other origins');
    },
    /**
     * The start and user tokens appear nowhere but where they must: not in a URL, the console,
     * web storage, cookies, the DOM or the sandbox's logs; the user token only as the bearer of
     * requests to the Verify API.
     */
    async assertTokensHidden() {
      const { start, user } = seen.tokens;
      assert.ok(start && user, 'both tokens were issued');
      const stored = await page.evaluate(() => JSON.stringify({
        local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie,
        dom: document.documentElement.outerHTML,
      }));
      assert.match(sandbox.logs.join(''), /POST \/verify\/api\/v1\/verification\/start 200/, 'the sandbox logged the session');
      const places = {
        urls: seen.urls.join('\n'), console: seen.console.join('\n'), stored, sandboxLogs: sandbox.logs.join(''),
      };
      for (const [where, text] of Object.entries(places)) {
        for (const [name, token] of Object.entries({ start, user })) {
          assert.ok(!text.includes(token), `the ${name} token appears in ${where}`);
        }
      }
      const origin = new URL(sandbox.url).origin;
      for (const { url, auth } of seen.authorized) {
        assert.equal(auth, `Bearer ${user}`, url);
        assert.ok(url.startsWith(`${origin}/verify/api/v1/verification/`), url);
      }
      assert.ok(seen.authorized.length >= 3, 'the uploads carried the user token');
    },
    close: () => browser.close(),
  };
}

/** Presses Tab until `selector` has focus: proves the control is reachable by keyboard. */
async function tabTo(page, selector) {
  for (let i = 0; i < 30; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`${selector} is not reachable with Tab`);
}

/** Starts a verification from the start screen, by keyboard only. */
async function startByKeyboard(page, { recommendation = 'ALLOW', forceRetry = false } = {}) {
  if (recommendation !== 'ALLOW' || forceRetry) {
    await page.click('.demo-controls summary');
    await page.check(`input[name=recommendation][value=${recommendation}]`);
    if (forceRetry) await page.check('#force-retry');
  }
  await tabTo(page, '#consent');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#consent'), true);
  await tabTo(page, '#start-button');
  await page.keyboard.press('Enter');
}

/** Waits until the guidance region reads exactly `text`. */
function waitForGuidance(page, text, timeout = STEP_TIMEOUT) {
  return page.waitForFunction((t) => document.getElementById('guidance').textContent === t, text, { timeout });
}

const stepItem = (type, state) => `#steps li[data-type="${type}"][data-state="${state}"]`;

/**
 * Waits until `type` is the current step and returns the page's state at that moment, read in
 * one go: the camera may finish a step within a second, before separate reads could be made.
 */
async function waitForStep(page, type) {
  const handle = await page.waitForFunction((t) => {
    const current = document.querySelector(`#steps li[data-state="current"]`);
    if (current?.dataset.type !== t) return null;
    return {
      ariaCurrent: current.getAttribute('aria-current'),
      done: [...document.querySelectorAll('#steps li[data-state="done"]')].map((li) => li.dataset.type),
      title: document.getElementById('capture-title').textContent.trim(),
      selfieStage: document.getElementById('stage').classList.contains('selfie'),
      threshold: Number(document.getElementById('sharpness-meter').dataset.threshold),
    };
  }, type, { timeout: STEP_TIMEOUT });
  return handle.jsonValue();
}

/** The DOM of a capture step: title, step indicator, live video, guidance region, meters. */
async function assertCaptureStep(page, state, title, done) {
  assert.equal(state.ariaCurrent, 'step');
  assert.deepEqual(state.done, done);
  assert.equal(state.title, title);
  assert.ok(state.threshold > 0 && state.threshold < 1, 'sharpness threshold marked');
  assert.equal(await page.getAttribute('#guidance', 'aria-live'), 'polite');
  // The preview plays the camera (the first step may be checked before its first frame).
  await page.waitForFunction(() => {
    const v = document.querySelector('#camera video.idv-video');
    return v && v.readyState >= 2 && v.videoWidth > 0;
  }, null, { timeout: STEP_TIMEOUT });
  assert.match(await page.getAttribute('#sharpness-meter', 'aria-valuenow'), /^\d+$/);
}

/** Text with a contrast ratio under 4.5:1 against its effective background (WCAG AA). */
function lowContrastText(page) {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const low = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      const text = walk.currentNode.textContent.trim();
      const el = walk.currentNode.parentElement;
      if (!text || !el.checkVisibility()) continue;
      const [hi, lo] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 4.5) low.push(`${el.tagName.toLowerCase()}#${el.id} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return low;
  });
}

/** Front, back and selfie through the camera, then the result; screenshots prefixed `prefix`. */
async function happyPath(demo, prefix) {
  const { page } = demo;
  assert.equal(await page.isVisible('#start'), true);
  assert.deepEqual(await lowContrastText(page), [], 'start screen contrast');
  await demo.shot(`${prefix}-1-start`);
  // Consent is required: without it the form does not start anything.
  await page.click('#start-button');
  assert.equal(await page.isVisible('#capture'), false, 'started without consent');

  await startByKeyboard(page);
  const front = await waitForStep(page, 'document_front');
  await demo.shot(`${prefix}-2-front`);
  await assertCaptureStep(page, front, 'Front of your ID', []);

  const back = await waitForStep(page, 'document_back');
  await demo.shot(`${prefix}-3-back`);
  await assertCaptureStep(page, back, 'Back of your ID', ['document_front']);
  await page.waitForSelector('#thumbs li[data-type="document_front"][data-feedback="ok"] img');

  const selfie = await waitForStep(page, 'selfie');
  await demo.shot(`${prefix}-4-selfie`);
  await assertCaptureStep(page, selfie, 'Take a selfie', ['document_front', 'document_back']);
  assert.equal(selfie.selfieStage, true);

  await page.waitForSelector('#result-details:not([hidden])', { timeout: STEP_TIMEOUT });
  const sid = demo.seen.sessionId;
  assert.ok(sid, 'the page created a session');
  const expected = await fetch(`${sandbox.url}/demo/session/${sid}/result`).then((r) => r.json());
  assert.equal(await page.textContent('#result-recommendation'), 'ALLOW');
  assert.equal(expected.recommendation, 'ALLOW');
  assert.equal(await page.textContent('#result-name'), expected.person.full_name);
  assert.match(await page.textContent('#result-document'), /\S/);
  const thumbs = await page.$$eval('#thumbs li', (lis) => lis.map((li) => ({
    type: li.dataset.type, feedback: li.dataset.feedback, loaded: li.querySelector('img').naturalWidth > 0,
  })));
  assert.deepEqual(thumbs.map((t) => t.type).sort(), ['document_back', 'document_front', 'selfie']);
  assert.ok(thumbs.every((t) => t.feedback === 'ok' && t.loaded), JSON.stringify(thumbs));
  const stored = await api.images(sid);
  assert.deepEqual(stored.map((i) => i.type).sort(), ['document_back', 'document_front', 'selfie']);
  assert.ok(stored.every((i) => !i.rejected));
  assert.deepEqual(await lowContrastText(page), [], 'result screen contrast');
  await demo.shot(`${prefix}-5-result`);
  // The guidance never flickered: each text stayed at least 1 s (less timer jitter).
  const history = (await demo.guidanceHistory()).filter((h, i, all) => i === 0 || h.text !== all[i - 1].text);
  const short = history.slice(1).map((h, i) => [history[i].text, h.t - history[i].t]).filter(([, d]) => d < 990);
  assert.ok(history.length >= 4, JSON.stringify(history));
  assert.deepEqual(short, [], 'messages shown under 1 s');

  // Start again returns to a clean start screen, focus on its heading.
  await page.click('#again');
  assert.equal(await page.isVisible('#start'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'start-title');
  assert.equal(await page.$$eval('#thumbs li', (l) => l.length), 0);
}

test('happy path: front, back and selfie by camera, then ALLOW; the tokens stay hidden', async () => {
  const demo = await openDemo({ video: 'front-back-selfie.y4m' });
  try {
    await happyPath(demo, 'happy');
    await demo.assertClean();
    await demo.assertTokensHidden();
  } finally {
    await demo.close();
  }
});

test('phone-size viewport (390x844): the happy path, with nothing wider than the screen', async () => {
  const demo = await openDemo({ video: 'front-back-selfie.y4m', viewport: { width: 390, height: 844 } });
  try {
    const overflow = () => demo.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(await overflow() <= 390, 'start screen fits');
    const small = await demo.page.$$eval('button:not([hidden])', (bs) => bs
      .filter((b) => b.checkVisibility())
      .map((b) => [b.id, b.getBoundingClientRect().height])
      .filter(([, h]) => h < 44));
    assert.deepEqual(small, [], 'touch targets at least 44 px tall');
    await happyPath(demo, 'phone');
    assert.ok(await overflow() <= 390, 'no horizontal scrolling');
    await demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('blurry first: the blur message shows, nothing is uploaded while blurred, the sharp frame is captured', async () => {
  const demo = await openDemo({ video: 'blurry-first.y4m' });
  const { page } = demo;
  try {
    await startByKeyboard(page);
    await waitForGuidance(page, 'Hold still: the photo is blurry');
    await demo.shot('blurry-1-blur-guidance');
    const sid = demo.seen.sessionId;
    // Sample the server while the page says "blurry": it must hold no image.
    const samples = [];
    while (!(await page.$('#thumbs li[data-type="document_front"]'))) {
      const text = await page.textContent('#guidance');
      samples.push({ text, stored: (await api.images(sid)).length });
      if (samples.length > 200) assert.fail('no capture within the sampling window');
      await page.waitForTimeout(100);
    }
    const whileBlurred = samples.filter((s) => s.text === 'Hold still: the photo is blurry');
    assert.ok(whileBlurred.length > 0);
    assert.ok(whileBlurred.every((s) => s.stored === 0), JSON.stringify(samples));
    await page.waitForSelector('#thumbs li[data-type="document_front"][data-feedback="ok"]', { timeout: STEP_TIMEOUT });
    await demo.shot('blurry-2-captured-sharp');
    // The server, judging the full-resolution upload itself, found it sharp: the capture came
    // from the sharp part of the video.
    const front = (await api.images(sid)).filter((i) => i.type === 'document_front');
    assert.deepEqual(front, [{ type: 'document_front', rejected: false }]);
    await page.click('#cancel');
    await page.waitForSelector('#result:not([hidden])');
    assert.equal(await page.textContent('#processing'), 'Verification cancelled.');
    await demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('force_retry: the server asks for a recapture round, which completes', async () => {
  const demo = await openDemo({ video: 'front-back-selfie.y4m' });
  const { page } = demo;
  try {
    await startByKeyboard(page, { forceRetry: true });
    await page.waitForFunction(
      () => window.__guidance.some((g) => g.text === 'We need new photos to finish.'),
      null, { timeout: 2 * STEP_TIMEOUT },
    );
    await waitForStep(page, 'document_front');
    await demo.shot('retry-1-recapture-round');
    // The first round's photos are marked for a retake until replaced.
    assert.ok(await page.$('#thumbs li[data-feedback="recapture"]'), 'first-round photos marked');
    await page.waitForSelector('#result-details:not([hidden])', { timeout: 2 * STEP_TIMEOUT });
    assert.equal(await page.textContent('#result-recommendation'), 'ALLOW');
    const stored = await api.images(demo.seen.sessionId);
    for (const type of ['document_front', 'document_back', 'selfie']) {
      const n = stored.filter((i) => i.type === type).length;
      assert.equal(n, 2, `two ${type} images: ${JSON.stringify(stored)}`);
    }
    await demo.shot('retry-2-result');
    await demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('manual shutter: offered when nothing can be auto-captured; the server\'s verdict shows on the thumbnail', async () => {
  // The two-tone video shows no card, so auto-capture never fires.
  const demo = await openDemo({ video: 'two-tone.y4m' });
  const { page } = demo;
  try {
    await startByKeyboard(page);
    await waitForStep(page, 'document_front');
    assert.equal(await page.isVisible('#shutter'), false, 'shutter offered too early');
    await page.waitForSelector('#shutter:not([hidden])', { timeout: STEP_TIMEOUT });
    await demo.shot('manual-1-shutter-offered');
    await tabTo(page, '#shutter');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#thumbs li[data-type="document_front"][data-feedback="document_not_found"]', { timeout: STEP_TIMEOUT });
    assert.match(await page.textContent('#thumbs li[data-type="document_front"] .feedback'), /No ID found/);
    await waitForGuidance(page, 'We could not find your ID in the photo. Let’s take it again.', 5000);
    assert.ok(await page.$(stepItem('document_front', 'current')), 'front is asked for again');
    await demo.shot('manual-2-server-feedback');
    const stored = await api.images(demo.seen.sessionId);
    assert.deepEqual(stored, [{ type: 'document_front', rejected: true }]);
    await demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('camera permission denied: the upload path completes the session with generated photos', async () => {
  const demo = await openDemo({ video: 'front-back-selfie.y4m', denyCamera: true });
  const { page } = demo;
  const photo = (name) => resolve(FIXTURES, 'photos', `${name}.jpg`);
  try {
    await startByKeyboard(page);
    await page.waitForSelector('#alert:not([hidden])', { timeout: STEP_TIMEOUT });
    assert.match(await page.textContent('#alert'), /camera is not available/);
    assert.equal(await page.isVisible('#stage'), false);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'upload');
    await demo.shot('denied-1-upload-offered');

    // A file that is no image, then a blurred photo: each refused on the device with its reason,
    // and nothing reaches the server.
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    await waitForGuidance(page, 'That photo cannot be used: it is not a JPEG or PNG image. Try another one.');
    await page.setInputFiles('#file', photo('document_front-blur'));
    await waitForGuidance(page, 'That photo cannot be used: it is blurry. Try another one.');
    assert.equal((await api.images(demo.seen.sessionId)).length, 0);
    await demo.shot('denied-2-blurry-file-refused');

    for (const type of ['document_front', 'document_back', 'selfie']) {
      await waitForStep(page, type);
      await page.setInputFiles('#file', photo(type));
      await page.waitForSelector(`#thumbs li[data-type="${type}"][data-feedback="ok"]`, { timeout: STEP_TIMEOUT });
    }
    await page.waitForSelector('#result-details:not([hidden])', { timeout: STEP_TIMEOUT });
    assert.equal(await page.textContent('#result-recommendation'), 'ALLOW');
    const stored = await api.images(demo.seen.sessionId);
    assert.deepEqual(stored.map((i) => i.type).sort(), ['document_back', 'document_front', 'selfie']);
    await demo.shot('denied-3-result');
    await demo.assertClean();
  } finally {
    await demo.close();
  }
});

test('strict CSP: served, obeyed by the page, and enforced (an injected inline script is blocked)', async () => {
  const demo = await openDemo({ video: 'two-tone.y4m' });
  try {
    const csp = demo.response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /style-src 'self'(;|$)/);
    await demo.page.waitForSelector('html[data-ready]');
    await demo.assertClean();
    // The recorder itself works: an inline script is a violation it reports.
    await demo.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.append(s);
    });
    await demo.page.waitForFunction(() => window.__csp.length > 0);
    assert.equal(await demo.page.evaluate(() => window.inlineRan), undefined);
  } finally {
    await demo.close();
  }
});

test('language: Spanish from ?lang=es and from the browser language, English otherwise', async () => {
  for (const [query, locale, lang, title] of [
    ['?lang=es', 'en-US', 'es', 'Verifica tu identidad'],
    ['', 'es-ES', 'es', 'Verifica tu identidad'],
    ['', 'de-DE', 'en', 'Verify your identity'],
  ]) {
    const demo = await openDemo({ video: 'two-tone.y4m', query, locale });
    try {
      await demo.page.waitForSelector('html[data-ready]');
      assert.equal(await demo.page.getAttribute('html', 'lang'), lang);
      assert.equal(await demo.page.textContent('#start-title'), title);
      if (query) await demo.shot('lang-es-start');
      await demo.assertClean();
    } finally {
      await demo.close();
    }
  }
});
