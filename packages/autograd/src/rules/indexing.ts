import type { GradientRule } from '../registry';

export const indexingRules: GradientRule[] = [];
