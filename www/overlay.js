// Draws over the video: where to put the ID (a card outline) or the face (an oval), and what the
// pre-check found (the card's outline, or the face's box). The canvas is sized to the analysed frame, so verdict coordinates
// need no scaling; CSS stretches it over the video exactly as the video is stretched.

/** ISO/IEC 7810 ID-1: 85.60 x 53.98 mm. */
const ID1_ASPECT = 85.6 / 53.98;

export class Overlay {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.kind = 'document';
    this.quad = null;
    this.face = null;
    this.ok = false;
  }

  /** Matches the canvas to the analysed frame's size (a verdict's frame_width x frame_height). */
  resize(width, height) {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
  }

  setKind(imageType) {
    this.kind = imageType === 'selfie' ? 'selfie' : 'document';
    this.quad = null;
    this.face = null;
    this.ok = false;
    this.draw();
  }

  /** Shows a verdict: its outline (documents) and whether the frame is good enough. */
  show(verdict) {
    const { frame_width: w, frame_height: h, quad, face } = verdict.scores;
    if (w && h) this.resize(w, h);
    this.quad = quad;
    this.face = face ?? null;
    this.ok = verdict.feedback === 'ok';
    this.draw();
  }

  draw() {
    const { ctx, canvas: { width: w, height: h } } = this;
    ctx.clearRect(0, 0, w, h);
    if (!w || !h) return;
    const line = Math.max(2, Math.round(w / 200));
    // The guide: a dimmed surround with a clear window, white while searching, green when good.
    ctx.save();
    ctx.fillStyle = 'rgba(0, 0, 0, 0.35)';
    ctx.fillRect(0, 0, w, h);
    ctx.globalCompositeOperation = 'destination-out';
    this.guidePath();
    ctx.fill();
    ctx.restore();
    ctx.lineWidth = line;
    ctx.strokeStyle = this.ok ? '#2ee66b' : '#ffffff';
    this.guidePath();
    ctx.stroke();
    const found = this.kind === 'document' ? this.quad : this.face && faceCorners(this.face);
    if (found) {
      ctx.beginPath();
      found.forEach(({ x, y }, i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.lineWidth = line;
      ctx.strokeStyle = this.ok ? '#2ee66b' : '#ffcc00';
      ctx.setLineDash([line * 3, line * 2]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  guidePath() {
    const { ctx, canvas: { width: w, height: h } } = this;
    ctx.beginPath();
    if (this.kind === 'selfie') {
      // Where a face of the right size sits: centred, 62 % of the short side tall, 3:4. The
      // pre-check finds the face anywhere and says how to move it here.
      const ry = Math.min(w, h) * 0.31;
      ctx.ellipse(w / 2, h / 2, ry * 0.75, ry, 0, 0, Math.PI * 2);
      return;
    }
    let cw = w * 0.8;
    let ch = cw / ID1_ASPECT;
    if (ch > h * 0.8) { ch = h * 0.8; cw = ch * ID1_ASPECT; }
    const x = (w - cw) / 2;
    const y = (h - ch) / 2;
    const r = ch * 0.06;
    ctx.roundRect(x, y, cw, ch, r);
  }
}

/** The face box's corners, tilted by its roll so the box follows the head. */
function faceCorners({ x0, y0, x1, y1, roll }) {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const a = (roll * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(([x, y]) => ({
    x: cx + (x - cx) * c - (y - cy) * s,
    y: cy + (x - cx) * s + (y - cy) * c,
  }));
}
