import { describe, expect, it } from 'vitest';
import { createContainer, resolveOptimizer } from './container';

const param = { name: 'w', grad: 'grad.w', dims: [3, 4] };

describe('built-in optimizer descriptors', () => {
  it("'sgd' takes momentum as torch.optim.SGD does (a momentum buffer appears), and is plain without it", () => {
    const c = createContainer();
    expect(resolveOptimizer(c, 'sgd').create({}).stateSlots(param)).toEqual([]);
    expect(resolveOptimizer(c, 'sgd').create({ momentum: 0.9 }).stateSlots(param)).toEqual(resolveOptimizer(c, 'momentum').create({ momentum: 0.9 }).stateSlots(param));
  });

  it('lists LARS and LAMB with their layer-wise options, and names the known ids for an unknown one', () => {
    const c = createContainer();
    expect(resolveOptimizer(c, 'lars').create({ trustCoefficient: 0.02 }).id).toMatch(/lars/);
    expect(resolveOptimizer(c, 'lamb').create({}).id).toMatch(/lamb/);
    expect(() => resolveOptimizer(c, 'lion')).toThrow(/unknown optimizer 'lion'; choose one of: .*lars.*lamb/);
  });
});
