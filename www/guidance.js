// Turns frame verdicts into one instruction at a time, and keeps each on screen long enough to read.

/** Shown first: what stops the capture outright, before what only makes it worse. */
const ORDER = [
  'document_not_found', 'wrong_document_side', 'face_not_found', 'multi_face', 'face_cropped', 'face_too_close',
  'face_close_to_border', 'face_too_small', 'face_rotated', 'partly_out_of_frame', 'too_dark', 'too_bright',
  'too_far', 'too_close', 'glare', 'glare_selfie', 'blur', 'blur_selfie', 'not_centered', 'hold_still',
];

/** The guidance key for a verdict: a feedback code or hint, or `ok` / `ok_selfie`. */
export function guidanceKey(verdict, imageType) {
  const present = new Set([verdict.feedback, ...verdict.hints]);
  const key = ORDER.find((k) => present.has(k));
  if (key) return key;
  if (verdict.feedback !== 'ok') return imageType === 'selfie' ? 'face_not_found' : 'document_not_found';
  return imageType === 'selfie' ? 'ok_selfie' : 'ok';
}

/**
 * Writes messages into an aria-live element, each for at least `minMs`, so the text does not
 * flicker and a screen reader is not interrupted mid-sentence. A message asked for while another
 * is within its time waits, and only the newest waiting one is shown; an `urgent` one (a capture,
 * a server request) is not replaced by later routine guidance while it waits.
 */
export class Guidance {
  constructor(element, { minMs = 1000, now = () => performance.now() } = {}) {
    this.el = element;
    this.minMs = minMs;
    this.now = now;
    this.shownAt = -Infinity;
    this.pending = null;
    this.pendingUrgent = false;
    this.timer = 0;
  }

  /** Shows `text` now if the current message has had its time, else once it has. */
  say(text, { urgent = false } = {}) {
    if (this.pendingUrgent && !urgent) return;
    if (text === this.el.textContent && this.pending === null) return;
    this.pending = text;
    this.pendingUrgent = urgent;
    const wait = this.shownAt + this.minMs - this.now();
    clearTimeout(this.timer);
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    if (this.pending === null) return;
    if (this.pending !== this.el.textContent) {
      this.el.textContent = this.pending;
      this.shownAt = this.now();
      // When it went up, for anyone checking the pacing (an observer may run later in the task).
      if (this.el.dataset) this.el.dataset.shownAt = this.shownAt.toFixed(1);
    }
    this.pending = null;
    this.pendingUrgent = false;
  }

  clear() {
    clearTimeout(this.timer);
    this.pending = null;
    this.pendingUrgent = false;
    this.el.textContent = '';
    this.shownAt = -Infinity;
  }
}
