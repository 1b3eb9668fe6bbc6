import { TrainSession } from '@anneal/engine';
import type { ModelProto, TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';

/** The vision bench workloads: model file (in the bench's model cache) and what the step trains. */
export const VISION_WORKLOADS = {
  W5: { model: 'resnet18', title: 'resnet18 full fine-tune' },
  W6: { model: 'mobilenet_v3_small', title: 'mobilenet_v3_small full fine-tune' },
  W7: { model: 'efficientnet_b0', title: 'efficientnet_b0 full fine-tune' },
  W8: { model: 'deit_tiny', title: 'ViT (DeiT-tiny shape) full fine-tune' },
  W9: { model: 'resnet18', title: 'resnet18 head-only fine-tune (frozen backbone forward + fc step)' },
} as const;

export type VisionWorkload = keyof typeof VISION_WORKLOADS;

/** Reports compile phases as they start (see TrainSessionOptions.onProgress). */
export type PhaseListener = (phase: string, done: number, total: number) => void;

/**
 * The TrainSession of a vision workload at the bench's settings: SGD momentum 0.9, lr 0.01, 2 intra-op
 * threads; W5-W8 train every parameter with training-mode BatchNorm, W9 only resnet18's `fc` over the
 * frozen backbone (inference-mode BatchNorm), as the PyTorch side (python/vision_side.py) does.
 */
export async function visionSession(workload: string, model: ModelProto, sample: Record<string, TensorValue>, onProgress?: PhaseListener): Promise<TrainSession> {
  if (!(workload in VISION_WORKLOADS)) throw new Error(`unknown vision workload '${workload}'; one of ${Object.keys(VISION_WORKLOADS).join(', ')}`);
  const headOnly = workload === 'W9';
  return TrainSession.create({
    model,
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.01 },
    sample,
    trainable: headOnly ? ['fc.weight', 'fc.bias'] : undefined,
    batchNorm: headOnly ? 'frozen' : 'train',
    intraOpThreads: 2,
    ...(onProgress ? { onProgress } : {}),
  });
}
