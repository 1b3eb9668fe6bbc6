import type { GradientRule } from '../registry';

export const lossOpRules: GradientRule[] = [];
