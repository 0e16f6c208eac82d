"""Repacks MediaPipe's BlazeFace short-range model (fp16 .tflite) into the blob that
src/precheck/face/model.rs reads: every convolution in graph order, int8 weights with one f16 scale
per output channel, f16 biases (the model's own biases are fp16, so they are kept exactly). Run by scripts/weights.sh (`make weights`); the output is
deterministic, so its sha256 is committed and checked.

Blob layout, little-endian:
  b"BFI8", u16 version (2), u16 layer count
  per layer: u8 kind (0 conv, 1 depthwise), u8 kernel, u8 stride, u8 pad (0 same, 1 valid),
             u16 in channels, u16 out channels,
             f16 scale[out], f16 bias[out],
             i8 weights: conv [out][k][k][in]; depthwise [k][k][out]
"""
import struct
import sys

import numpy as np
import tflite

CONV, DEPTHWISE = 0, 1


def tensor_array(model, graph, index, producers):
    """The constant behind a tensor, following one DEQUANTIZE (fp16 -> fp32) if there is one."""
    if index in producers:
        index = producers[index]
    t = graph.Tensors(index)
    raw = model.Buffers(t.Buffer()).DataAsNumpy().tobytes()
    dtype = {tflite.TensorType.FLOAT16: np.float16, tflite.TensorType.FLOAT32: np.float32}[t.Type()]
    return np.frombuffer(raw, dtype=dtype).astype(np.float32).reshape(t.ShapeAsNumpy())


def main(src, dst):
    buf = open(src, "rb").read()
    model = tflite.Model.GetRootAsModel(buf, 0)
    graph = model.Subgraphs(0)
    names = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}
    ops = []
    producers = {}
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        if name == "DEQUANTIZE":
            producers[op.Outputs(0)] = op.Inputs(0)
        ops.append((name, op))

    layers = []
    for name, op in ops:
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            continue
        o = op.BuiltinOptions()
        opt = tflite.Conv2DOptions() if name == "CONV_2D" else tflite.DepthwiseConv2DOptions()
        opt.Init(o.Bytes, o.Pos)
        assert opt.StrideW() == opt.StrideH() and opt.FusedActivationFunction() == 0
        w = tensor_array(model, graph, op.Inputs(1), producers)
        b = tensor_array(model, graph, op.Inputs(2), producers)
        if name == "CONV_2D":
            kind, (cout, k, _, cin) = CONV, w.shape
            per_out = w.reshape(cout, -1)
        else:
            kind, (_, k, _, cout) = DEPTHWISE, w.shape
            cin = cout
            per_out = w.reshape(-1, cout).T
        # Symmetric per-channel int8: the scale maps the channel's largest magnitude to 127. It is
        # stored as f16 (f32 scales and biases were 8 % of the gzipped blob), so the weights are
        # quantised against the rounded scale the loader will see.
        peak = np.abs(per_out).max(axis=1)
        scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float16)
        q = np.clip(np.rint(per_out / scale.astype(np.float32)[:, None]), -127, 127).astype(np.int8)
        assert np.array_equal(b.astype(np.float16).astype(np.float32), b), "biases are not fp16"
        if kind == DEPTHWISE:
            q = q.T  # back to [k][k][c]
        layers.append(
            struct.pack("<BBBBHH", kind, k, opt.StrideW(), opt.Padding(), cin, cout)
            + scale.astype("<f2").tobytes()
            + b.astype("<f2").tobytes()
            + np.ascontiguousarray(q).tobytes()
        )
    with open(dst, "wb") as f:
        f.write(b"BFI8" + struct.pack("<HH", 2, len(layers)) + b"".join(layers))
    print(f"{dst}: {len(layers)} layers")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
