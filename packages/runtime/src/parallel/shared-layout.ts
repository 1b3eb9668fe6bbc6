/** A float32 tensor kept in shared memory: where it starts and how many elements it has. */
export interface SharedSlot {
  readonly name: string;
  readonly dims: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** Float32 tensors packed one after another in one buffer. */
export interface SharedLayout {
  readonly slots: readonly SharedSlot[];
  /** Elements in all, i.e. floats per copy of the layout. */
  readonly total: number;
}

/**
 * Packs tensors (float32, static dims) back to back.
 *
 * @example
 * sharedLayout([{ name: 'w', dims: [2, 3] }, { name: 'b', dims: [3] }]); // w at 0 (6), b at 6 (3); total 9
 */
export function sharedLayout(tensors: readonly { name: string; dims: readonly number[] }[]): SharedLayout {
  let offset = 0;
  const slots = tensors.map((t) => {
    const size = t.dims.reduce((a, d) => a * d, 1);
    const slot = { name: t.name, dims: [...t.dims], offset, size };
    offset += size;
    return slot;
  });
  return { slots, total: offset };
}

/** A float32 view of `slot` within copy `copy` of the layout in `buffer`. */
export function slotView(buffer: Float32Array, layout: SharedLayout, slot: SharedSlot, copy = 0): Float32Array {
  const start = copy * layout.total + slot.offset;
  return buffer.subarray(start, start + slot.size);
}
