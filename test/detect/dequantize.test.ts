// Integer convolutions loaded as float ones: a tiny dynamically quantized model built here
// (onnxruntime's quantize_dynamic pattern) against the float convolution of its own weights, the
// patterns it refuses, and the real plate detector when the models directory is there (the
// accuracy of its float version is measured end to end by scripts/eval-plates.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { dequantizeConvInteger, dequantizeWeights, tensorValues } from '../../src/detect/dequantize.js';
import { openSessions, type ModelSession, type SessionFactory } from '../../src/detect/session.js';
import { silentLogger } from '../../src/shared/logger.js';
import { hasModels, modelsDir } from '../helpers/env.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

const io = (name: string, dims: number[]): onnxProto.onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** x [1,1,3,3] → DynamicQuantizeLinear → ConvInteger (2 output channels, 2×2 int8 kernel) → Cast → Mul(x_scale × w_scale) → y. */
function quantizedModel(options: { castAfterConv?: boolean } = {}): Uint8Array {
  const w = new Int8Array([10, -20, 30, 40, -5, 5, 15, -25]);
  const nodes: onnxProto.onnx.INodeProto[] = [
    { opType: 'DynamicQuantizeLinear', input: ['x'], output: ['xq', 'xs', 'xz'] },
    { opType: 'ConvInteger', input: ['xq', 'wq', 'xz', 'wz'], output: ['acc'], attribute: [{ name: 'kernel_shape', ints: [2, 2], type: onnx.AttributeProto.AttributeType.INTS }] },
    { opType: 'Mul', input: ['xs', 'ws'], output: ['scale'] },
  ];
  if (options.castAfterConv === false) nodes.push({ opType: 'Relu', input: ['acc'], output: ['accf'] });
  else nodes.push({ opType: 'Cast', input: ['acc'], output: ['accf'], attribute: [{ name: 'to', i: T.FLOAT, type: onnx.AttributeProto.AttributeType.INT }] });
  nodes.push({ opType: 'Mul', input: ['accf', 'scale'], output: ['y'] });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'q',
      node: nodes,
      input: [io('x', [1, 1, 3, 3])],
      output: [io('y', [1, 2, 2, 2])],
      initializer: [
        { name: 'wq', dims: [2, 1, 2, 2], dataType: T.INT8, rawData: new Uint8Array(w.buffer) },
        { name: 'wz', dims: [], dataType: T.INT8, rawData: new Uint8Array([0]) },
        { name: 'ws', dims: [], dataType: T.FLOAT, floatData: [0.01] },
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

async function run(model: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(model);
  try {
    return (await s.run({ x: new ort.Tensor('float32', x, [1, 1, 3, 3]) })).y!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('dequantizeConvInteger', () => {
  const x = new Float32Array([0.1, 0.5, -0.3, 0.8, -0.2, 0.4, 0.0, 0.9, -0.7]);

  it('replaces each ConvInteger by the float convolution of (w - zero point) x scale', async () => {
    const { bytes, convs } = dequantizeConvInteger(quantizedModel());
    expect(convs).toBe(1);
    const m = onnx.ModelProto.decode(bytes);
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(['Conv']);
    const want = (o: number, r: number, c: number): number => {
      const k = [10, -20, 30, 40, -5, 5, 15, -25].slice(o * 4, o * 4 + 4).map((v) => v * 0.01);
      return k[0]! * x[r * 3 + c]! + k[1]! * x[r * 3 + c + 1]! + k[2]! * x[(r + 1) * 3 + c]! + k[3]! * x[(r + 1) * 3 + c + 1]!;
    };
    const got = await run(bytes, x);
    const expected = [0, 1].flatMap((o) => [0, 1].flatMap((r) => [0, 1].map((c) => want(o, r, c))));
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // The quantized original agrees up to its 8-bit activations.
    const q = await run(quantizedModel(), x);
    q.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(0.02));
  });

  it('leaves a model without integer convolutions as it is', () => {
    const float = onnx.ModelProto.encode({ irVersion: 7, opsetImport: [{ version: 13 }], graph: { node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [io('x', [1])], output: [io('y', [1])] } }).finish();
    expect(dequantizeConvInteger(float)).toEqual({ bytes: float, convs: 0 });
  });

  it('refuses a pattern it does not know, naming the tensor', () => {
    expect(() => dequantizeConvInteger(quantizedModel({ castAfterConv: false }))).toThrow(/acc is not followed by one Cast/);
  });

  it.each([
    ['one zero point and scale', [1, 2, 3, 4], 2, [1], [0.5], [0, 0.5, 1, 1.5]],
    ['per output channel', [1, 2, 3, 4], 2, [1, 3], [0.5, 2], [0, 0.5, 0, 2]],
  ])('dequantizeWeights: %s', (_name, w, channels, z, s, want) => {
    expect(Array.from(dequantizeWeights(Float32Array.from(w), channels, Float32Array.from(z), Float32Array.from(s)))).toEqual(want);
  });

  it('reads uint8 and int8 raw data and float data', () => {
    expect(Array.from(tensorValues({ dataType: T.UINT8, rawData: new Uint8Array([0, 255]) }))).toEqual([0, 255]);
    expect(Array.from(tensorValues({ dataType: T.INT8, rawData: new Uint8Array([0, 255]) }))).toEqual([0, -1]);
    expect(Array.from(tensorValues({ dataType: T.FLOAT, floatData: [0.5] }))).toEqual([0.5]);
    expect(() => tensorValues({ name: 'd', dataType: T.DOUBLE })).toThrow(/tensor d has data type/);
  });

  const plate = join(modelsDir, 'plate-detect/yolo-v9-t-416-license-plates-end2end-int8.onnx');
  it.skipIf(!hasModels || !existsSync(plate))("makes the real plate detector's 186 integer convolutions float, and ONNX Runtime runs it", async () => {
    const { bytes, convs } = dequantizeConvInteger(readFileSync(plate));
    expect(convs).toBe(186);
    const input = new Float32Array(3 * 416 * 416).map((_, i) => ((i * 7919) % 255) / 255);
    const outputs = await Promise.all([readFileSync(plate), bytes].map(async (m) => {
      const s = await ort.InferenceSession.create(m);
      try {
        return (await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, 416, 416]) }))[s.outputNames[0]!]!;
      } finally {
        await s.release();
      }
    }));
    // Same [N,7] head; the accuracy of the boxes is measured end to end by scripts/eval-plates.ts.
    expect(outputs.map((o) => o.dims[1])).toEqual([7, 7]);
  });

  it('openSessions loads the listed models from their dequantized bytes, the others from their files; a broken one is RSA_MODEL_LOAD naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rsa-dequantize-'));
    try {
      writeFileSync(join(dir, 'q.onnx'), quantizedModel());
      writeFileSync(join(dir, 'bad.onnx'), quantizedModel({ castAfterConv: false }));
      const seen: Array<[string, number | undefined]> = [];
      const f: SessionFactory = (file, _options, model) => {
        seen.push([file, model?.length]);
        return Promise.resolve({ inputNames: [], outputNames: [], run: () => Promise.resolve({}), release: () => Promise.resolve() } as ModelSession);
      };
      const settings = { provider: 'cpu' as const, requireGpu: false, intraOpThreads: 1, allowSpinning: false };
      await openSessions<'a' | 'b'>({ a: join(dir, 'q.onnx'), b: join(dir, 'q.onnx') }, settings, silentLogger(), f, ['a']);
      expect(seen[0]![1]).toBeGreaterThan(0);
      expect(seen[1]).toEqual([join(dir, 'q.onnx'), undefined]);
      await expect(openSessions({ a: join(dir, 'bad.onnx') }, settings, silentLogger(), f, ['a'])).rejects.toMatchObject({ code: 'RSA_MODEL_LOAD', message: expect.stringContaining('bad.onnx') as unknown });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
