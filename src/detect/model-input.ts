// From the config's model sections to what the pure functions take.
import type { DetectorConfig, InputConfig } from '../config/schema.js';
import type { Detection, Role } from '../shared/types.js';
import type { TensorSpec } from './preprocess.js';

export function tensorSpec(input: InputConfig): TensorSpec {
  return {
    width: input.width,
    height: input.height,
    channelOrder: input.channel_order,
    layout: input.layout,
    dtype: input.dtype,
    scale: input.scale,
    mean: input.mean,
    std: input.std,
    resize: input.resize,
    padValue: input.pad_value,
    interpolation: input.interpolation,
  };
}

/** Tensor dims for a batch of `n` inputs of this spec. */
export function tensorDims(spec: TensorSpec, n: number): number[] {
  return spec.layout === 'nchw' ? [n, 3, spec.height, spec.width] : [n, spec.height, spec.width, 3];
}

/** class id → role, from the detector's `classes` map. */
export function roleLookup(classes: DetectorConfig['classes']): (classId: number) => Role | null {
  const byId = new Map<number, Role>();
  for (const [role, id] of Object.entries(classes) as Array<[Role, number | undefined]>) if (id !== undefined) byId.set(id, role);
  return (classId) => byId.get(classId) ?? null;
}

export function withRole<T extends Detection>(d: T, role: Role | null): T {
  return { ...d, role };
}
