import type { GradientRule } from '../registry';

export const batchNormRules: GradientRule[] = [];
