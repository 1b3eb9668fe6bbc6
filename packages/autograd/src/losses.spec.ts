import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, type TensorValue } from '@anneal/onnx';
import { checkGradients } from './gradcheck.js';
import { defaultGradientRegistry } from './default-registry.js';
import { values } from './gradcheck-harness.js';
import { binaryCrossEntropyWithLogits, meanSquaredError, softmaxCrossEntropy, softTargetCrossEntropy, type LossReduction } from './losses.js';
import { f32, i64, nodeExecutor } from './test-support.js';

const executor = nodeExecutor();

/** Builds inputs + loss, returns the loss value and the model. */
async function lossValue(feeds: Record<string, TensorValue>, emit: (b: GraphBuilder) => string) {
  const b = new GraphBuilder({ opset: 17 });
  for (const [name, v] of Object.entries(feeds)) b.input(name, v.dataType, v.dims);
  const loss = emit(b);
  b.output(loss, DataType.FLOAT, []);
  const model = b.build();
  const out = await executor.run(model, feeds);
  return { value: Number(out[loss]!.data[0]), model, loss };
}

/** PyTorch's cross_entropy(weight, label_smoothing) written out per sample, over [N, C, d...] logits. */
function crossEntropyReference(dims: number[], logits: ArrayLike<number>, labels: number[], o: { eps?: number; w?: number[]; reduction?: LossReduction }): number {
  const [n, c] = [dims[0]!, dims[1]!];
  const inner = dims.slice(2).reduce((p, q) => p * q, 1);
  const w = o.w ?? Array<number>(c).fill(1);
  const eps = o.eps ?? 0;
  let nll = 0;
  let smooth = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inner; j++) {
      const z = Array.from({ length: c }, (_, k) => Number(logits[(i * c + k) * inner + j]));
      const max = Math.max(...z);
      const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
      const logp = z.map((v) => v - logSum);
      const l = labels[i * inner + j]!;
      nll += -w[l]! * logp[l]!;
      smooth += logp.reduce((s, v, k) => s - w[k]! * v, 0) / c;
      total += w[l]!;
    }
  }
  const scale = (o.reduction ?? 'mean') === 'mean' ? 1 / total : 1;
  return (1 - eps) * nll * scale + eps * smooth * scale;
}

interface CeCase {
  dims: number[];
  labels: number[];
  eps?: number;
  w?: number[];
  reduction?: LossReduction;
  /** torch.nn.functional.cross_entropy on the same float32 logits, computed in float64 with PyTorch 1.13. */
  torch: number;
}

const ceCases: CeCase[] = [
  { dims: [4, 3], labels: [0, 2, 1, 2], torch: 1.5681646461868959 },
  { dims: [4, 3], labels: [0, 2, 1, 2], reduction: 'sum', torch: 6.2726585847475835 },
  { dims: [4, 3], labels: [0, 2, 1, 2], eps: 0.1, torch: 1.5439811145846722 },
  { dims: [4, 3], labels: [0, 2, 1, 2], w: [0.2, 1.5, 0.7], torch: 1.2299519984754193 },
  { dims: [4, 3], labels: [0, 2, 1, 2], eps: 0.2, w: [0.2, 1.5, 0.7], torch: 1.2100999043303804 },
  { dims: [4, 3], labels: [0, 2, 1, 2], eps: 0.2, w: [0.2, 1.5, 0.7], reduction: 'sum', torch: 3.7513096781795277 },
  { dims: [2, 3, 4], labels: [0, 1, 2, 2, 1, 0, 0, 2], eps: 0.15, w: [1.2, 0.4, 2], torch: 0.8398220028152182 },
];

const ceName = (c: CeCase) =>
  `logits [${c.dims}]${c.eps ? `, label smoothing ${c.eps}` : ''}${c.w ? `, class weights [${c.w}]` : ''}, ${c.reduction ?? 'mean'}`;

function ceFeeds(c: CeCase) {
  const n = c.dims.reduce((p, q) => p * q, 1);
  return { logits: f32(c.dims, values(n, 51, -2, 2)), labels: i64([c.dims[0]!, ...c.dims.slice(2)], c.labels) };
}

const emitCe = (c: CeCase) => (b: GraphBuilder) =>
  softmaxCrossEntropy(b, { logits: 'logits', labels: 'labels', labelSmoothing: c.eps, classWeights: c.w, reduction: c.reduction });

describe('softmaxCrossEntropy', () => {
  for (const c of ceCases) {
    it(`value matches PyTorch and the closed form: ${ceName(c)}`, async () => {
      const feeds = ceFeeds(c);
      const { value } = await lossValue(feeds, emitCe(c));
      expect(crossEntropyReference(c.dims, feeds.logits.data as Float32Array, c.labels, c)).toBeCloseTo(c.torch, 6);
      expect(value).toBeCloseTo(c.torch, 5);
    });
  }

  it('matches torch.nn.functional.cross_entropy(weight=[0.2,1.5,0.7], label_smoothing=0.2) on fixed logits', async () => {
    // logits and the expected value were produced with PyTorch 1.13 (float64)
    const logits = [0.5, -1.2, 2.0, 1.1, 0.3, -0.4, -2.0, 0.8, 0.1, 0.0, 0.0, 1.5];
    const { value } = await lossValue({ logits: f32([4, 3], logits), labels: i64([4], [0, 2, 1, 2]) }, (b) =>
      softmaxCrossEntropy(b, { logits: 'logits', labels: 'labels', labelSmoothing: 0.2, classWeights: [0.2, 1.5, 0.7] }),
    );
    expect(value).toBeCloseTo(TORCH_WEIGHTED_SMOOTHED, 5);
  });

  for (const c of ceCases.filter((x) => x.eps || x.w)) {
    it(`gradient w.r.t. logits (finite differences, double): ${ceName(c)}`, async () => {
      const feeds = ceFeeds(c);
      const { model, loss } = await lossValue(feeds, emitCe(c));
      const r = await checkGradients({ model, loss, wrt: ['logits'], feeds, executor, registry: defaultGradientRegistry(), samplesPerTensor: 12 });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});

/**
 * torch.nn.functional.cross_entropy with probability targets, as its documentation writes it:
 * targets become (1 − ε)·t + ε/C, per position −Σ_k t_k·log p_k, averaged over N·d ('mean') or summed.
 */
function softCrossEntropyReference(dims: number[], logits: ArrayLike<number>, targets: ArrayLike<number>, o: { eps?: number; reduction?: LossReduction }): number {
  const [n, c] = [dims[0]!, dims[1]!];
  const inner = dims.slice(2).reduce((p, q) => p * q, 1);
  const eps = o.eps ?? 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inner; j++) {
      const at = (k: number) => (i * c + k) * inner + j;
      const z = Array.from({ length: c }, (_, k) => Number(logits[at(k)]));
      const max = Math.max(...z);
      const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
      for (let k = 0; k < c; k++) sum -= ((1 - eps) * Number(targets[at(k)]) + eps / c) * (z[k]! - logSum);
    }
  }
  return (o.reduction ?? 'mean') === 'mean' ? sum / (n * inner) : sum;
}

/** Rows of positive values over the class axis 1, normalized to sum to 1 (float32). */
function probabilityTargets(dims: number[], seed: number): Float32Array {
  const [n, c] = [dims[0]!, dims[1]!];
  const inner = dims.slice(2).reduce((p, q) => p * q, 1);
  const raw = values(n * c * inner, seed, 0.05, 1);
  const t = new Float32Array(raw.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inner; j++) {
      let total = 0;
      for (let k = 0; k < c; k++) total += raw[(i * c + k) * inner + j]!;
      for (let k = 0; k < c; k++) t[(i * c + k) * inner + j] = raw[(i * c + k) * inner + j]! / total;
    }
  }
  return t;
}

describe('softTargetCrossEntropy', () => {
  const cases: { dims: number[]; eps?: number; reduction?: LossReduction }[] = [
    { dims: [4, 3] },
    { dims: [4, 3], reduction: 'sum' },
    { dims: [4, 3], eps: 0.1 },
    { dims: [2, 3, 4], eps: 0.15 },
    { dims: [2, 3, 4], reduction: 'sum' },
  ];
  for (const c of cases) {
    const name = `logits [${c.dims}]${c.eps ? `, label smoothing ${c.eps}` : ''}, ${c.reduction ?? 'mean'}`;
    it(`value matches the closed form of torch's cross_entropy with probability targets, gradients match finite differences (double): ${name}`, async () => {
      const n = c.dims.reduce((p, q) => p * q, 1);
      const feeds = { logits: f32(c.dims, values(n, 51, -2, 2)), targets: f32(c.dims, Array.from(probabilityTargets(c.dims, 71))) };
      const { value, model, loss } = await lossValue(feeds, (b) => softTargetCrossEntropy(b, { logits: 'logits', targets: 'targets', labelSmoothing: c.eps, reduction: c.reduction }));
      expect(value).toBeCloseTo(softCrossEntropyReference(c.dims, feeds.logits.data as Float32Array, feeds.targets.data as Float32Array, c), 5);
      const r = await checkGradients({ model, loss, wrt: ['logits', 'targets'], feeds, executor, registry: defaultGradientRegistry(), samplesPerTensor: 12 });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }

  it('one-hot targets give softmaxCrossEntropy of the class ids (which matches PyTorch above), with and without smoothing', async () => {
    const dims = [4, 3];
    const labels = [0, 2, 1, 2];
    const logits = f32(dims, values(12, 51, -2, 2));
    const oneHot = f32(dims, labels.flatMap((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0))));
    for (const eps of [0, 0.2]) {
      const hard = await lossValue({ logits, labels: i64([4], labels) }, (b) => softmaxCrossEntropy(b, { logits: 'logits', labels: 'labels', labelSmoothing: eps }));
      const soft = await lossValue({ logits, targets: oneHot }, (b) => softTargetCrossEntropy(b, { logits: 'logits', targets: 'targets', labelSmoothing: eps }));
      expect(soft.value).toBeCloseTo(hard.value, 6);
    }
  });

  it('mixup targets: λ·CE(y_a) + (1 − λ)·CE(y_b), the mixup criterion, equals CE against the mixed targets', async () => {
    const logits = f32([2, 4], values(8, 33, -3, 3));
    const lambda = 0.7;
    const [ya, yb] = [[1, 3], [2, 1]];
    const mixed = f32([2, 4], [0, 1].flatMap((i) => [0, 1, 2, 3].map((k) => (k === ya[i] ? lambda : 0) + (k === yb[i] ? 1 - lambda : 0))));
    const ce = async (labels: number[]) => (await lossValue({ logits, labels: i64([2], labels) }, (b) => softmaxCrossEntropy(b, { logits: 'logits', labels: 'labels' }))).value;
    const soft = await lossValue({ logits, targets: mixed }, (b) => softTargetCrossEntropy(b, { logits: 'logits', targets: 'targets' }));
    expect(soft.value).toBeCloseTo(lambda * (await ce(ya)) + (1 - lambda) * (await ce(yb)), 5);
  });

  it('stays finite for large logits', async () => {
    const { value } = await lossValue({ logits: f32([2, 2], [200, -200, -150, 150]), targets: f32([2, 2], [0.5, 0.5, 1, 0]) }, (b) => softTargetCrossEntropy(b, { logits: 'logits', targets: 'targets' }));
    expect(value).toBeCloseTo((0.5 * 400 + 300) / 2, 3);
  });
});

/** PyTorch's binary_cross_entropy_with_logits(pos_weight) per element, averaged. */
function bceReference(x: ArrayLike<number>, t: ArrayLike<number>, posWeight: number | number[] = 1, last = 1): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const p = typeof posWeight === 'number' ? posWeight : posWeight[i % last]!;
    const [xi, ti] = [Number(x[i]), Number(t[i])];
    const softplusNeg = Math.max(-xi, 0) + Math.log1p(Math.exp(-Math.abs(xi)));
    sum += (1 - ti) * xi + (1 + (p - 1) * ti) * softplusNeg;
  }
  return sum / x.length;
}

describe('binaryCrossEntropyWithLogits and meanSquaredError', () => {
  const xs = values(12, 61, -6, 6);
  const ts = values(12, 62, 0, 1);
  const x = f32([3, 4], xs);
  const t = f32([3, 4], ts);
  for (const posWeight of [undefined, 2.5, [0.5, 1, 2, 3]]) {
    it(`BCE with logits${posWeight === undefined ? '' : `, pos_weight ${JSON.stringify(posWeight)}`}: value and gradient w.r.t. logits (double)`, async () => {
      const feeds = { logits: x, targets: t };
      const { value, model, loss } = await lossValue(feeds, (b) => binaryCrossEntropyWithLogits(b, { logits: 'logits', targets: 'targets', posWeight }));
      expect(value).toBeCloseTo(bceReference(Float32Array.from(xs), Float32Array.from(ts), posWeight, 4), 5);
      // the stable form without pos_weight: max(x,0) − x·t + log(1 + exp(−|x|))
      if (posWeight === undefined) {
        const [xf, tf] = [Float32Array.from(xs), Float32Array.from(ts)];
        const direct = Array.from(xf, (xi, i) => Math.max(xi, 0) - xi * tf[i]! + Math.log(1 + Math.exp(-Math.abs(xi))));
        expect(value).toBeCloseTo(direct.reduce((s, v) => s + v, 0) / 12, 5);
      }
      const r = await checkGradients({ model, loss, wrt: ['logits', 'targets'], feeds, executor, registry: defaultGradientRegistry(), samplesPerTensor: 12 });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }

  it('BCE with logits stays finite for large |logits|', async () => {
    const big = f32([4], [80, -80, 120, -120]);
    const targets = f32([4], [1, 0, 0, 1]);
    const { value } = await lossValue({ logits: big, targets }, (b) => binaryCrossEntropyWithLogits(b, { logits: 'logits', targets: 'targets' }));
    expect(value).toBeCloseTo((0 + 0 + 120 + 120) / 4, 4);
  });

  it('meanSquaredError: value and gradients w.r.t. predictions and targets (double)', async () => {
    const feeds = { predictions: x, targets: t };
    const { value, model, loss } = await lossValue(feeds, (b) => meanSquaredError(b, { predictions: 'predictions', targets: 'targets' }));
    const [xf, tf] = [Float32Array.from(xs), Float32Array.from(ts)];
    expect(value).toBeCloseTo(Array.from(xf, (v, i) => (v - tf[i]!) ** 2).reduce((s, v) => s + v, 0) / 12, 4);
    const r = await checkGradients({ model, loss, wrt: ['predictions', 'targets'], feeds, executor, registry: defaultGradientRegistry(), samplesPerTensor: 12 });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
});

const TORCH_WEIGHTED_SMOOTHED = 1.0075489553373718;
