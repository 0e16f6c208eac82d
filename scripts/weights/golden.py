"""Reference detections for the committed test photos, made with Google's own TFLite interpreter
(PyPI ai-edge-litert) on the original fp16 model. src/precheck/face/tests.rs checks our int8 Rust
forward pass against them. Run once by hand (scripts/weights.sh --golden); the JSON is committed.

Pre- and post-processing here mirror src/precheck/face/ step for step, so the only difference
left is the network itself: letterbox to 128x128 by integer-box area averaging with a black
border, RGB scaled to [-1, 1]; 896 SSD anchors; sigmoid scores over 0.5; weighted NMS at IoU 0.3.
"""
import json
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

SIZE = 128


def letterbox(rgb):
    h, w, _ = rgb.shape
    long = max(w, h)
    cw, ch = (w * SIZE + long // 2) // long, (h * SIZE + long // 2) // long
    ox, oy = (SIZE - cw) // 2, (SIZE - ch) // 2
    out = np.full((SIZE, SIZE, 3), -1.0, np.float32)
    xs = [x * w // cw for x in range(cw + 1)]
    ys = [y * h // ch for y in range(ch + 1)]
    for j in range(ch):
        y0, y1 = ys[j], max(ys[j + 1], ys[j] + 1)
        for i in range(cw):
            x0, x1 = xs[i], max(xs[i + 1], xs[i] + 1)
            mean = rgb[y0:y1, x0:x1].reshape(-1, 3).astype(np.float64).mean(axis=0)
            out[oy + j, ox + i] = mean / 127.5 - 1.0
    # Letterbox pixels -> photo pixels.
    return out, (ox, oy, w / cw, h / ch)


def anchors():
    out = []
    for grid, per_cell in ((16, 2), (8, 6)):
        for y in range(grid):
            for x in range(grid):
                out += [((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell
    return np.array(out, np.float32)


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def detect(raw_boxes, logits):
    a = anchors()
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -100, 100)))
    cands = []
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] < 0.5:
            break
        r = raw_boxes[i] / SIZE
        cx, cy, bw, bh = r[0] + a[i, 0], r[1] + a[i, 1], r[2], r[3]
        box = [cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]
        kps = [[r[4 + 2 * k] + a[i, 0], r[5 + 2 * k] + a[i, 1]] for k in range(6)]
        cands.append((float(scores[i]), np.array(box + sum(kps, []), np.float64)))
    dets = []
    while cands:
        top = cands[0]
        group = [c for c in cands if iou(top[1], c[1]) > 0.3]
        cands = [c for c in cands if iou(top[1], c[1]) <= 0.3]
        wsum = sum(c[0] for c in group)
        avg = sum(c[0] * c[1] for c in group) / wsum
        dets.append((top[0], avg))
    return dets


def main(model, photos, out):
    interp = Interpreter(model_path=model)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]["index"]
    outs = {d["name"]: d["index"] for d in interp.get_output_details()}
    result = {}
    for path in photos:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        cases = {path.rsplit("/", 1)[-1]: rgb}
        if rgb.shape[0] == rgb.shape[1] and rgb.shape[0] >= 256:
            # A landscape crop too, so the letterbox's border and offset are covered.
            cases[path.rsplit("/", 1)[-1] + "#top"] = rgb[: rgb.shape[0] * 3 // 4]
        for name, img in cases.items():
            tensor, (ox, oy, sx, sy) = letterbox(img)
            interp.set_tensor(inp, tensor[None])
            interp.invoke()
            boxes = interp.get_tensor(outs["regressors"])[0]
            logits = interp.get_tensor(outs["classificators"])[0, :, 0]
            faces = []
            for score, v in detect(boxes, logits):
                pts = v.reshape(-1, 2) * SIZE - [ox, oy]
                pts *= [sx, sy]
                faces.append({
                    "score": round(score, 4),
                    "box": [round(float(c), 2) for c in pts[:2].ravel()],
                    "keypoints": [[round(float(c), 2) for c in p] for p in pts[2:]],
                })
            result[name] = {
                "width": int(img.shape[1]),
                "height": int(img.shape[0]),
                "max_logit": round(float(logits.max()), 4),
                "faces": faces,
            }
            print(name, img.shape[1], img.shape[0], [(f["score"], f["box"]) for f in faces])
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:-1], sys.argv[-1])
