// Demo page entry. Imports the package from /pkg/ exactly as an integrator would.
import init, { meanLuma } from '/pkg/idv_capture.js';

const $ = (id) => document.getElementById(id);

async function cameraCheck() {
  await init();
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  const video = $('preview');
  video.srcObject = stream;
  await video.play();
  await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
  const { videoWidth: w, videoHeight: h } = video;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0);
  const { data } = ctx.getImageData(0, 0, w, h);
  $('luma').value = meanLuma(data, w, h).toFixed(2);
  $('luma').dataset.width = w;
  $('luma').dataset.height = h;
}

cameraCheck().catch((err) => {
  $('status').textContent = `Camera check failed: ${err.message ?? err}`;
});
