import type { GradientRule } from '../registry';

export const softmaxRules: GradientRule[] = [];
