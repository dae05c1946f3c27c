// A dynamically quantized ONNX model (onnxruntime's quantize_dynamic: DynamicQuantizeLinear on
// each activation, ConvInteger, Cast, a Mul by the two scales) turned back into float
// convolutions whose weights are the quantized weights' own values, (w - zero_point) × scale.
// On x86 CPUs onnxruntime's ConvInteger path is slower than its float Conv: the open-image-models
// plate detector ships only as such an int8 file (bench/plate-locator.ts measures both). The
// weights are the model's; only the activations are no longer rounded to 8 bits.
import onnxProto from 'onnx-proto';
import { AgentError } from '../shared/errors.js';

const { onnx } = onnxProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Node = onnxProto.onnx.INodeProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const UINT8 = onnx.TensorProto.DataType.UINT8;
const INT8 = onnx.TensorProto.DataType.INT8;

/** A tensor's values as floats (float, int8 or uint8 tensors, raw or typed storage). */
export function tensorValues(t: Tensor): Float32Array {
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (t.dataType === FLOAT) {
    if (raw) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return Float32Array.from(t.floatData ?? []);
  }
  if (t.dataType === UINT8 || t.dataType === INT8) {
    if (raw) return Float32Array.from(t.dataType === INT8 ? new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength) : raw);
    return Float32Array.from(t.int32Data ?? []);
  }
  throw new AgentError('RSA_MODEL_SHAPE', `dequantize: tensor ${t.name ?? '?'} has data type ${t.dataType}, not float or 8-bit`);
}

/** (w - zero_point) × scale, per output channel when zero point or scale has one value per channel. */
export function dequantizeWeights(w: Float32Array, outChannels: number, zeroPoint: Float32Array, scale: Float32Array): Float32Array {
  const per = w.length / outChannels;
  const out = new Float32Array(w.length);
  for (let c = 0; c < outChannels; c++) {
    const z = zeroPoint.length > 1 ? zeroPoint[c]! : (zeroPoint[0] ?? 0);
    const s = scale.length > 1 ? scale[c]! : scale[0]!;
    for (let i = c * per; i < (c + 1) * per; i++) out[i] = (w[i]! - z) * s;
  }
  return out;
}

class Graph {
  readonly init = new Map<string, Tensor>();
  readonly producer = new Map<string, Node>();
  readonly consumers = new Map<string, Node[]>();

  constructor(readonly g: onnxProto.onnx.IGraphProto) {
    for (const t of g.initializer ?? []) this.init.set(t.name!, t);
    for (const n of g.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const i of n.input ?? []) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  only(output: string, op: string): Node {
    const next = this.consumers.get(output) ?? [];
    if (next.length !== 1 || next[0]!.opType !== op) throw new AgentError('RSA_MODEL_SHAPE', `dequantize: ${output} is not followed by one ${op} (not onnxruntime's dynamic quantization pattern)`);
    return next[0]!;
  }

  initializer(name: string): Tensor {
    const t = this.init.get(name);
    if (!t) throw new AgentError('RSA_MODEL_SHAPE', `dequantize: ${name} is not an initializer`);
    return t;
  }
}

/** One ConvInteger → Cast → Mul(scales) into a float Conv; returns the nodes it replaces. */
function floatConv(graph: Graph, n: Node, added: Tensor[]): { conv: Node; replaced: Node[] } {
  const [xq, wq, , wzp] = n.input!;
  const quantize = graph.producer.get(xq!);
  if (quantize?.opType !== 'DynamicQuantizeLinear') throw new AgentError('RSA_MODEL_SHAPE', `dequantize: ${n.name ?? '?'}'s input is not dynamically quantized`);
  const cast = graph.only(n.output![0]!, 'Cast');
  const mul = graph.only(cast.output![0]!, 'Mul');
  const scales = graph.producer.get(mul.input!.find((i) => i !== cast.output![0])!);
  const wScale = scales?.input?.find((i) => graph.init.has(i));
  if (!scales || scales.opType !== 'Mul' || !wScale) throw new AgentError('RSA_MODEL_SHAPE', `dequantize: ${n.name ?? '?'} has no weight scale`);
  const w = graph.initializer(wq!);
  const weights = dequantizeWeights(tensorValues(w), Number(w.dims![0]), tensorValues(graph.initializer(wzp!)), tensorValues(graph.initializer(wScale)));
  const name = `${wq}_dequantized`;
  added.push({ name, dims: w.dims, dataType: FLOAT, rawData: new Uint8Array(weights.buffer) });
  const conv: Node = { name: `${n.name}_float`, opType: 'Conv', input: [quantize.input![0]!, name], output: [mul.output![0]!], attribute: n.attribute };
  return { conv, replaced: [n, cast, mul, scales] };
}

/** The model with every ConvInteger made a float Conv, and how many there were (0: returned as is). */
export function dequantizeConvInteger(model: Uint8Array): { bytes: Uint8Array; convs: number } {
  const m = onnx.ModelProto.decode(model);
  const graph = new Graph(m.graph!);
  const added: Tensor[] = [];
  const gone = new Set<Node>();
  const swap = new Map<Node, Node>();
  for (const n of m.graph!.node ?? []) {
    if (n.opType !== 'ConvInteger') continue;
    const { conv, replaced } = floatConv(graph, n, added);
    swap.set(n, conv);
    for (const r of replaced) if (r !== n) gone.add(r);
  }
  if (swap.size === 0) return { bytes: model, convs: 0 };
  let nodes = (m.graph!.node ?? []).filter((n) => !gone.has(n)).map((n) => swap.get(n) ?? n);
  const used = new Set([...nodes.flatMap((n) => n.input ?? []), ...(m.graph!.output ?? []).map((o) => o.name!)]);
  nodes = nodes.filter((n) => n.opType !== 'DynamicQuantizeLinear' || (n.output ?? []).some((o) => used.has(o)));
  const stillUsed = new Set(nodes.flatMap((n) => n.input ?? []));
  m.graph!.node = nodes;
  m.graph!.initializer = [...(m.graph!.initializer ?? []).filter((t) => stillUsed.has(t.name!)), ...added];
  return { bytes: onnx.ModelProto.encode(m).finish(), convs: swap.size };
}
