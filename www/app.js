// The demo page: what an integrator's page does around idv-capture. Its own backend (here the
// sandbox's /demo routes) creates the session and later reads the result; the page holds only the
// single-use start token, and hands it straight to IdvCapture.
import init, { IdvCapture, thresholds } from '/pkg/idv_capture.js';
import { localise, pickLanguage, translator } from './strings.js';
import { Guidance, guidanceKey } from './guidance.js';
import { Overlay } from './overlay.js';

const lang = pickLanguage();
const t = translator(lang);
document.documentElement.lang = lang;
localise(document, t);
document.querySelectorAll('nav a[hreflang]').forEach((a) => {
  if (a.hreflang === lang) a.setAttribute('aria-current', 'page');
});

const $ = (id) => document.getElementById(id);
/** `t(key)`, or `t(fallback)` when the table has no such key (a code the page has no text for). */
const tOr = (key, fallback) => { const s = t(key); return s === key ? t(fallback) : s; };
const wasm = init();
// Lets tests (and styles) know the package has loaded.
wasm.then(() => { document.documentElement.dataset.ready = 'true'; });
const overlay = new Overlay($('overlay'));
const guidance = new Guidance($('guidance'));

/** Everything one verification run owns; replaced by "Start again". */
let run = null;

function newRun(sessionId) {
  return {
    sessionId,
    capture: null,
    required: ['document_front', 'document_back', 'selfie'],
    missing: new Set(['document_front', 'document_back', 'selfie']),
    current: null,
    thumbs: new Map(),
    urls: [],
  };
}

// ------------------------------------------------------------------ sections

function showSection(id) {
  for (const s of ['start', 'capture', 'result']) $(s).hidden = s !== id;
  $('review').hidden = id === 'start' || !run?.thumbs.size;
}

function alertBox(text) {
  $('alert').textContent = text ?? '';
  $('alert').hidden = !text;
}

/** Moves focus to a section's heading so keyboard and screen-reader users land where the page changed. */
function focusHeading(id) {
  $(id).focus({ preventScroll: false });
}

// ------------------------------------------------------------------ start

$('start-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const button = $('start-button');
  button.disabled = true;
  button.textContent = t('starting');
  alertBox(null);
  try {
    await wasm;
    const res = await fetch('/demo/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mock_behavior: {
          recommendation: form.get('recommendation'),
          force_retry: form.get('force_retry') === 'on',
          processing_time: '2s',
        },
      }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const session = await res.json();
    await verify(session);
  } catch (err) {
    alertBox(t('startFailed', { reason: err.message ?? String(err) }));
    showSection('start');
  } finally {
    button.disabled = false;
    button.textContent = t('start');
  }
});

async function verify({ session_id: sessionId, start_token: startToken, server_path: serverPath }) {
  run = newRun(sessionId);
  const mine = run;
  $('thumbs').replaceChildren();
  renderSteps();
  showSection('capture');
  $('capture-title').textContent = t('title.document_front');
  focusHeading('capture-title');
  guidance.clear();
  mine.capture = new IdvCapture({
    serverPath,
    startToken,
    consent: { granted: true, documentId: 'idv-capture-demo-consent-v1' },
    container: $('camera'),
    onEvent: (event) => { if (run === mine) onEvent(event); },
    language: lang,
  });
  const outcome = await mine.capture.run();
  if (run === mine) await finish(outcome);
}

// ------------------------------------------------------------------ events

function onEvent(e) {
  switch (e.type) {
    case 'session_started':
      run.required = e.requiredImages.length ? e.requiredImages : run.required;
      run.missing = new Set(run.required);
      renderSteps();
      break;
    case 'capture_started': startStep(e.imageType, e.guidance); break;
    case 'camera_ready':
      $('camera').querySelector('video')?.setAttribute('aria-label', t('cameraPreview'));
      $('stage').style.aspectRatio = `${e.width} / ${e.height}`;
      $('stage').classList.toggle('mirrored', e.facing === 'user');
      break;
    case 'frame_verdict': showVerdict(e); break;
    case 'manual_capture_available':
      $('shutter').hidden = false;
      guidance.say(t('guide.manual'));
      break;
    case 'image_captured': addThumb(e); break;
    case 'image_uploaded': uploaded(e); break;
    case 'processing':
      showSection('result');
      $('processing').textContent = t('processing');
      $('result-details').hidden = true;
      break;
    case 'recapture':
      run.missing = new Set(e.missingImages);
      for (const type of e.missingImages) {
        const li = run.thumbs.get(type);
        if (!li) continue;
        li.dataset.feedback = 'recapture';
        li.querySelector('.feedback').textContent = t('feedback.recapture');
      }
      renderSteps();
      guidance.say(t('recaptureRound'), { urgent: true });
      break;
    case 'error':
      if (e.code === 'camera_permission_denied' || e.code === 'no_camera') {
        $('stage').hidden = true;
        $('quality').hidden = true;
        alertBox(t('cameraDenied'));
        $('upload').classList.add('primary');
        $('upload').focus();
      } else if (e.recoverable) {
        guidance.say(e.message, { urgent: true });
      } else {
        run.lastError = e.message;
      }
      break;
    default:
      break;
  }
}

function startStep(imageType, serverFeedback) {
  const flipping = imageType === 'document_back' && !run.missing.has('document_front');
  run.current = imageType;
  run.missing.add(imageType);
  renderSteps();
  showSection('capture');
  $('capture-title').textContent = t(`title.${imageType}`);
  $('shutter').hidden = true;
  $('stage').classList.toggle('selfie', imageType === 'selfie');
  overlay.setKind(imageType);
  resetMeters(imageType);
  if (serverFeedback && serverFeedback !== 'ok') {
    guidance.say(tOr(`retake.${serverFeedback}`, 'retake.other'), { urgent: true });
  } else {
    guidance.say(t(flipping ? 'guide.flip' : `guide.intro_${imageType}`), { urgent: true });
  }
}

function showVerdict(v) {
  if (v.imageType !== run.current) return;
  overlay.show(v);
  setMeter('sharpness-meter', v.scores.sharpness);
  setMeter('glare-meter', v.scores.glare / GLARE_SCALE);
  guidance.say(t(`guide.${guidanceKey(v, v.imageType)}`));
}

// ------------------------------------------------------------------ steps

function renderSteps() {
  const items = run.required.map((type) => {
    const li = document.createElement('li');
    const done = !run.missing.has(type);
    li.dataset.type = type;
    li.dataset.state = done ? 'done' : type === run.current ? 'current' : 'todo';
    li.textContent = t(`step.${type}`);
    if (done) {
      const mark = document.createElement('span');
      mark.className = 'tick';
      mark.textContent = ' ✓';
      mark.setAttribute('aria-hidden', 'true');
      const spoken = document.createElement('span');
      spoken.className = 'sr-only';
      spoken.textContent = ` (${t('done')})`;
      li.append(mark, spoken);
    }
    if (li.dataset.state === 'current') li.setAttribute('aria-current', 'step');
    return li;
  });
  $('steps').replaceChildren(...items);
}

// ------------------------------------------------------------------ quality meters

/** The glare bar spans 0–4 % of the area: the threshold (1 %) then sits a quarter of the way along. */
const GLARE_SCALE = 0.04;
let limits = null;

function resetMeters(imageType) {
  limits ??= thresholds();
  const selfie = imageType === 'selfie';
  placeMark('sharpness-meter', selfie ? limits.minSelfieSharpness : limits.minSharpness);
  placeMark('glare-meter', (selfie ? limits.maxSelfieGlare : limits.maxGlare) / GLARE_SCALE);
  setMeter('sharpness-meter', 0);
  setMeter('glare-meter', 0);
}

function placeMark(id, fraction) {
  const mark = $(id).querySelector('.mark');
  mark.style.left = `${Math.min(100, fraction * 100).toFixed(1)}%`;
  $(id).dataset.threshold = fraction.toFixed(3);
}

function setMeter(id, fraction) {
  const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  const meter = $(id);
  meter.querySelector('.fill').style.width = `${pct}%`;
  meter.querySelector('.value').textContent = `${pct}`;
  meter.setAttribute('aria-valuenow', String(pct));
  const threshold = Number(meter.dataset.threshold) * 100;
  const good = id === 'glare-meter' ? pct <= threshold : pct >= threshold;
  meter.classList.toggle('bad', !good);
}

// ------------------------------------------------------------------ review

function addThumb(e) {
  $('shutter').hidden = true;
  guidance.say(t('guide.captured'), { urgent: true });
  const url = URL.createObjectURL(new Blob([e.jpeg], { type: 'image/jpeg' }));
  run.urls.push(url);
  const li = document.createElement('li');
  li.dataset.type = e.imageType;
  li.dataset.feedback = 'pending';
  const img = document.createElement('img');
  img.src = url;
  img.alt = t(`typeName.${e.imageType}`);
  img.width = 160;
  img.height = Math.round((160 * e.height) / e.width);
  const caption = document.createElement('p');
  const name = document.createElement('strong');
  name.textContent = t(`typeName.${e.imageType}`);
  const status = document.createElement('span');
  status.className = 'feedback';
  status.textContent = t('feedback.pending');
  caption.append(name, ' ', status);
  li.append(img, caption);
  // A re-capture replaces the earlier photo of that type at the same place.
  const old = run.thumbs.get(e.imageType);
  if (old) old.replaceWith(li); else $('thumbs').append(li);
  run.thumbs.set(e.imageType, li);
  $('review').hidden = false;
}

function uploaded(e) {
  const li = run.thumbs.get(e.imageType);
  if (li) {
    li.dataset.feedback = e.feedback;
    li.querySelector('.feedback').textContent = tOr(`feedback.${e.feedback}`, 'feedback.other');
  }
  run.missing = new Set(e.missingImages);
  if (e.feedback === 'ok') guidance.say(t('guide.uploaded'), { urgent: true });
  renderSteps();
}

// ------------------------------------------------------------------ controls

$('shutter').addEventListener('click', () => run?.capture?.captureNow(true));
$('upload').addEventListener('click', () => $('file').click());
$('file').addEventListener('change', async (e) => {
  const file = e.target.files?.[0];
  e.target.value = '';
  if (!file || !run?.capture) return;
  const refuse = (issue) => {
    const reason = tOr(`fileIssue.${issue}`, 'fileIssue.other');
    guidance.say(t('guide.file_rejected', { reason }), { urgent: true });
  };
  try {
    const result = await run.capture.submitFile(new Uint8Array(await file.arrayBuffer()));
    if (!result.accepted) refuse(guidanceKey(result.verdict, run.current));
  } catch (err) {
    refuse(err.code ?? 'other');
  }
});
$('cancel').addEventListener('click', () => run?.capture?.stop());
$('again').addEventListener('click', () => {
  run?.capture?.stop();
  run?.urls.forEach((u) => URL.revokeObjectURL(u));
  run = null;
  guidance.clear();
  alertBox(null);
  $('stage').hidden = false;
  $('quality').hidden = false;
  $('upload').classList.remove('primary');
  $('camera').replaceChildren();
  $('thumbs').replaceChildren();
  showSection('start');
  focusHeading('start-title');
});

// ------------------------------------------------------------------ result

async function finish(outcome) {
  showSection('result');
  focusHeading('result-title');
  $('result-details').hidden = true;
  if (outcome.status !== 'complete') {
    const reason = outcome.code ? t('outcome.failed', { reason: run.lastError ?? outcome.code }) : null;
    $('processing').textContent = reason ?? t(`outcome.${outcome.status}`);
    return;
  }
  $('processing').textContent = t('processing');
  const result = await fetchResult(run.sessionId);
  if (!result) {
    $('processing').textContent = t('resultPending');
    return;
  }
  const person = result.person ?? {};
  const name = person.full_name ?? [person.given_name, person.surname].filter(Boolean).join(' ');
  $('result-recommendation').textContent = result.recommendation;
  $('result-recommendation').dataset.value = result.recommendation;
  const docType = result.document?.type;
  $('result-document').textContent = docType ? t(`documentTypes.${docType}`).replace(/^documentTypes\./, '').replaceAll('_', ' ') : '—';
  $('result-name').textContent = name || '—';
  $('processing').textContent = '';
  $('result-details').hidden = false;
}

/** The demo backend's view of the result, polled until the session is complete (at most ~30 s). */
async function fetchResult(sessionId) {
  for (let i = 0; i < 30; i += 1) {
    const res = await fetch(`/demo/session/${encodeURIComponent(sessionId)}/result`);
    if (res.ok) {
      const body = await res.json();
      if (body.status === 'complete') return body;
    }
    await new Promise((ok) => { setTimeout(ok, 1000); });
  }
  return null;
}
