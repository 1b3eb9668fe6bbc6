import type { GradientRule } from '../registry';

export const activationRules: GradientRule[] = [];
