import type { GradientRule } from '../registry';

export const poolingRules: GradientRule[] = [];
