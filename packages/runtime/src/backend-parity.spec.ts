import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors } from '@anneal/onnx';
import { randn } from '@anneal/testing';
import { createSession } from './create-session.js';
import type { Device } from './warnings.js';

const N = 8, IN = 16, OUT = 5;
const wData = randn(IN * OUT, 1, 0.5);
const bData = randn(OUT, 2, 0.1);
const xData = randn(N * IN, 3);

/** probs = Softmax(Relu(x @ w + b)) */
function gemmReluSoftmax() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', IN]);
  const w = b.initializer(tensors.float('w', [IN, OUT], wData));
  const bias = b.initializer(tensors.float('b', [OUT], bData));
  const h = b.op('Relu', [b.op('Gemm', ['x', w, bias])]);
  b.op('Softmax', [h], { axis: -1 }, { output: 'probs' });
  b.output('probs', DataType.FLOAT, ['N', OUT]);
  return b.build();
}

function reference(): Float64Array {
  const out = new Float64Array(N * OUT);
  for (let i = 0; i < N; i++) {
    const row: number[] = [];
    for (let j = 0; j < OUT; j++) {
      let s = bData[j]!;
      for (let k = 0; k < IN; k++) s += xData[i * IN + k]! * wData[k * OUT + j]!;
      row.push(Math.max(0, s));
    }
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((a, c) => a + c, 0);
    e.forEach((v, j) => (out[i * OUT + j] = v / z));
  }
  return out;
}

async function runOn(device: Device): Promise<Float32Array> {
  const s = await createSession(gemmReluSoftmax(), { device });
  expect(s.device).toBe(device);
  const out = await s.run({ x: { dataType: DataType.FLOAT, dims: [N, IN], data: xData } });
  await s.release();
  return out.probs!.data as Float32Array;
}

describe('backend parity', () => {
  it('Gemm+Relu+Softmax gives the same result (1e-5) on cpu (onnxruntime-node) and wasm (onnxruntime-web)', async () => {
    const [cpu, wasm] = [await runOn('cpu'), await runOn('wasm')];
    const ref = reference();
    expect(cpu.length).toBe(N * OUT);
    for (let i = 0; i < cpu.length; i++) {
      expect(Math.abs(cpu[i]! - wasm[i]!)).toBeLessThan(1e-5);
      expect(Math.abs(cpu[i]! - ref[i]!)).toBeLessThan(1e-5);
    }
  });
});
