import type { GradientRule } from '../registry';

export const normalizationRules: GradientRule[] = [];
