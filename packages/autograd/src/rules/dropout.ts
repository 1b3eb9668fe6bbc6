import type { GradientRule } from '../registry';

export const dropoutRules: GradientRule[] = [];
