// Draws over the video: where to put the ID (a card outline) or the face (an oval), and the
// outline the pre-check found. The canvas is sized to the analysed frame, so verdict coordinates
// need no scaling; CSS stretches it over the video exactly as the video is stretched.

/** ISO/IEC 7810 ID-1: 85.60 x 53.98 mm. */
const ID1_ASPECT = 85.6 / 53.98;

export class Overlay {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.kind = 'document';
    this.quad = null;
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
    this.ok = false;
    this.draw();
  }

  /** Shows a verdict: its outline (documents) and whether the frame is good enough. */
  show(verdict) {
    const { frame_width: w, frame_height: h, quad } = verdict.scores;
    if (w && h) this.resize(w, h);
    this.quad = quad;
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
    if (this.kind === 'document' && this.quad) {
      ctx.beginPath();
      this.quad.forEach(({ x, y }, i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
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
      // The selfie pre-check judges this oval: centred, 62 % of the short side tall, 3:4.
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
