import type { GradientRule } from '../registry';

export const shapeOpsRules: GradientRule[] = [];
