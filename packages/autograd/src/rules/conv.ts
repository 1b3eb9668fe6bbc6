import type { GradientRule } from '../registry';

export const convRules: GradientRule[] = [];
