// The demo's guidance pacing and message choice, with a scripted clock (no browser needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Guidance, guidanceKey } from '../../www/guidance.js';

/** A Guidance on a fake element and a fake clock; `advance(ms)` runs due timers. */
function rig(minMs = 1000) {
  let now = 0;
  const timers = [];
  const el = { textContent: '' };
  const shown = [];
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  globalThis.setTimeout = (fn, ms) => { timers.push({ at: now + ms, fn }); return timers.length; };
  globalThis.clearTimeout = (id) => { if (timers[id - 1]) timers[id - 1].fn = null; };
  const g = new Guidance(el, { minMs, now: () => now });
  const record = () => { if (shown.at(-1)?.text !== el.textContent) shown.push({ t: now, text: el.textContent }); };
  return {
    g, el, shown,
    say(text, opts) { g.say(text, opts); record(); },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((x) => x.fn && x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        const fn = due.fn; due.fn = null; fn();
        record();
      }
      now = end;
    },
    restore() { globalThis.setTimeout = realSet; globalThis.clearTimeout = realClear; },
  };
}

test('each message stays at least 1 s, and the newest waiting one is shown', () => {
  const r = rig();
  try {
    r.say('a');
    for (let t = 0; t < 3000; t += 100) {
      r.say(t % 200 ? 'b' : 'c');
      r.advance(100);
    }
    const gaps = r.shown.slice(1).map((s, i) => s.t - r.shown[i].t);
    assert.ok(r.shown.length >= 3, JSON.stringify(r.shown));
    assert.ok(gaps.every((d) => d >= 1000), JSON.stringify(r.shown));
  } finally { r.restore(); }
});

test('an urgent message waits its turn but is not replaced by routine guidance', () => {
  const r = rig();
  try {
    r.say('hold still');
    r.advance(300);
    r.say('photo taken', { urgent: true });
    r.say('move closer');
    assert.equal(r.el.textContent, 'hold still');
    r.advance(800);
    assert.equal(r.el.textContent, 'photo taken');
    assert.equal(r.shown.at(-1).t, 1000);
  } finally { r.restore(); }
});

test('the verdict picks the most blocking instruction', () => {
  const v = (feedback, hints = []) => ({ feedback, hints, scores: {} });
  assert.equal(guidanceKey(v('document_not_found', []), 'document_front'), 'document_not_found');
  assert.equal(guidanceKey(v('blur', ['too_far']), 'document_front'), 'too_far');
  assert.equal(guidanceKey(v('blur', []), 'document_front'), 'blur');
  assert.equal(guidanceKey(v('ok', ['hold_still']), 'document_back'), 'hold_still');
  assert.equal(guidanceKey(v('ok', []), 'selfie'), 'ok_selfie');
  // The face codes the pre-check predicts have their own instruction, before the generic hints.
  assert.equal(guidanceKey(v('face_rotated', []), 'selfie'), 'face_rotated');
  assert.equal(guidanceKey(v('face_too_small', ['too_far', 'not_centered']), 'selfie'), 'face_too_small');
  assert.equal(guidanceKey(v('multi_face', ['too_dark']), 'selfie'), 'multi_face');
  // A code without an instruction of its own falls back to the step's generic one.
  assert.equal(guidanceKey(v('face_occluded', []), 'selfie'), 'face_not_found');
  assert.equal(guidanceKey(v('wrong_document_side', ['not_centered']), 'document_back'), 'wrong_document_side');
});

test('every instruction the pre-check can ask for is written in every language', async () => {
  const { translator } = await import('../../www/strings.js');
  const keys = [
    'document_not_found', 'wrong_document_side', 'blur', 'glare', 'ok',
    'face_not_found', 'multi_face', 'face_cropped', 'face_too_close', 'face_close_to_border', 'face_too_small',
    'face_rotated', 'blur_selfie', 'glare_selfie', 'ok_selfie',
    'too_dark', 'too_bright', 'too_far', 'too_close', 'not_centered', 'partly_out_of_frame', 'hold_still',
  ];
  for (const lang of ['en', 'es']) {
    const t = translator(lang);
    for (const key of keys) {
      const v = guidanceKey({ feedback: key, hints: [], scores: {} }, key.includes('face') || key.endsWith('selfie') ? 'selfie' : 'document_front');
      assert.notEqual(t(`guide.${v}`), `guide.${v}`, `${lang}: guide.${v}`);
    }
  }
  const es = translator('es');
  for (const key of ['multi_face', 'face_rotated', 'face_too_small', 'face_cropped']) {
    assert.notEqual(es(`guide.${key}`), translator('en')(`guide.${key}`), `es: guide.${key} is not translated`);
    assert.notEqual(es(`fileIssue.${key}`), `fileIssue.${key}`, `es: fileIssue.${key}`);
  }
});
