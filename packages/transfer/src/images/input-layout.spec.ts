import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '../errors.js';
import { InputLayoutError } from './image-errors.js';
import { checkInputLayout } from './input-layout.js';

/** The InputLayoutError message of a failing check (fails the test if the check passes). */
function failure(dims: readonly (number | string)[], data: readonly number[], layout?: 'NCHW' | 'NHWC'): string {
  try {
    checkInputLayout({ name: 'pixel_values', dims }, data, layout);
  } catch (e) {
    expect(e).toBeInstanceOf(InputLayoutError);
    expect(e).toBeInstanceOf(ShapeMismatchError);
    expect((e as InputLayoutError).code).toBe('SHAPE_MISMATCH');
    return (e as Error).message;
  }
  throw new Error(`checkInputLayout accepted [${data.join(', ')}] for [${dims.join(', ')}]`);
}

describe('checkInputLayout', () => {
  it('accepts matching dims, and symbolic or unknown dims match any size', () => {
    expect(() => checkInputLayout({ name: 'x', dims: [3, 224, 224] }, [3, 224, 224])).not.toThrow();
    expect(() => checkInputLayout({ name: 'x', dims: [3, 'height', 'width'] }, [3, 48, 192], 'NCHW')).not.toThrow();
    expect(() => checkInputLayout({ name: 'x', dims: ['C', 'H', 'W'] }, [48, 192, 1], 'NHWC')).not.toThrow();
    expect(() => checkInputLayout({ name: 'x', dims: [1, -1, 0] }, [1, 32, 100])).not.toThrow();
  });

  it("tells NHWC data for an NCHW model to set layout: 'NCHW', and the reverse", () => {
    const toNchw = failure([3, 224, 224], [224, 224, 3], 'NHWC');
    expect(toNchw).toContain("backbone input 'pixel_values': expected dims [3, 224, 224] but got [224, 224, 3]");
    expect(toNchw).toContain("data is NHWC [H, W, C] but the model wants NCHW [C, H, W]: set layout: 'NCHW'");
    expect(failure([224, 224, 3], [3, 224, 224], 'NCHW')).toContain("set layout: 'NHWC'");
    expect(failure([224, 224, 3], [3, 224, 224])).toContain("set layout: 'NHWC'");
    expect(failure([3, 'H', 'W'], [48, 192, 3])).toContain("set layout: 'NCHW'");
  });

  it('names the size the model wants when only the size is wrong', () => {
    expect(failure([3, 32, 128], [3, 48, 192], 'NCHW')).toContain('set size: [32, 128] in the image preprocess');
    expect(failure([1, 32, 'W'], [1, 48, 192])).toContain('set size: [32, 192]');
    expect(failure([32, 128, 3], [48, 192, 3], 'NHWC')).toContain('set size: [32, 128]');
  });

  it('names channels, and layout plus size together when both are off', () => {
    expect(failure([1, 28, 28], [3, 28, 28], 'NCHW')).toContain('set channels: 1 in the image preprocess');
    const both = failure([3, 32, 128], [48, 192, 3], 'NHWC');
    expect(both).toContain("set layout: 'NCHW', size: [32, 128]");
    expect(failure([4, 28, 28], [3, 28, 28], 'NCHW')).toContain('channels: 4 (the image preprocess makes only 1 or 3)');
  });

  it('explains a rank mismatch (flat data, or a batch axis left in)', () => {
    expect(failure([1, 28, 28], [784])).toMatch(/wants 3 dims per example .* data has 1\. Turn flat .* preprocessDataset/);
    expect(failure([3, 224, 224], [1, 3, 224, 224], 'NCHW')).toContain('drop it');
  });
});
