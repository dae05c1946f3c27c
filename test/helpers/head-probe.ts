// The head detector recipe's probe (training/helmet/train_heads.py probe()): a pattern any
// runtime can rebuild, and PyTorch's output on it, kept in the training report.
import { Tensor } from 'onnxruntime-node';

export interface HeadsReport {
  probe: { formula: string; rows: number[][] };
}

/** x[0, c, h, w] = (2 w + h + 40 c) mod 256, one input of side `size`. */
export function probeInput(size: number): Tensor {
  const x = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) for (let h = 0; h < size; h++) for (let w = 0; w < size; w++) x[(c * size + h) * size + w] = (2 * w + h + 40 * c) % 256;
  return new Tensor('float32', x, [1, 3, size, size]);
}
