// The PBT specs' shared config (not built or published): a 4-member, 3-generation MNIST MLP run.

/** The PBT config of the CLI specs, named `name`, with `extra` YAML lines appended. */
export function pbtConfig(name: string, extra = ''): string {
  return `name: ${name}
base:
  data: { source: { kind: mnist, perDigit: 30 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 32 }
  model: { kind: mlp, hidden: [16] }
  optimizer: { type: adam, lr: 0.01 }
space:
  optimizer.lr: { type: float, low: 1.0e-4, high: 0.1, log: true }
  optimizer.weightDecay: { type: float, low: 1.0e-6, high: 1.0e-2, log: true }
population: 4
generations: 3
seed: 5
${extra}`;
}
