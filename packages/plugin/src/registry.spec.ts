import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, moduleDescriptors, PluginConfigError, PluginContractError, PluginRegistry, type PluginContext } from './index.js';

interface Scale {
  factor: number;
}
interface Shape {
  area(): number;
}
type Kinds = {
  shape: { product: Shape; context: PluginContext & { unit: number } };
  scale: { product: Scale; context: PluginContext };
};

const square = definePlugin({
  kind: 'shape',
  id: 'square',
  description: 'a square',
  options: z.strictObject({ side: z.number().positive(), scale: z.looseObject({ type: z.string() }).optional() }),
  create: (o, ctx: PluginContext & { unit: number }): Shape => {
    const k = o.scale ? (ctx.build(o.scale as never, 'scale') as Scale).factor : 1;
    return { area: () => (o.side * k * ctx.unit) ** 2 };
  },
});
const twice = definePlugin({ kind: 'scale', id: 'twice', description: 'x2', options: z.strictObject({}), create: (): Scale => ({ factor: 2 }) });
// the same id in another kind is fine: ids are unique within a kind
const squareScale = definePlugin({ kind: 'scale', id: 'square', description: 'x4', options: z.strictObject({}), create: (): Scale => ({ factor: 4 }) });

describe('PluginRegistry', () => {
  const registry = new PluginRegistry<Kinds>([square, twice, squareScale]);

  it('keeps ids per kind and builds typed products with the caller context', () => {
    expect(registry.kinds()).toEqual(['shape', 'scale']);
    expect(registry.ids('scale')).toEqual(['twice', 'square']);
    expect(registry.build('shape', { type: 'square', side: 3 }, 'shapes[0]', { unit: 2 }).area()).toBe(36);
  });

  it('builds nested specs of another kind, naming their config path in errors', () => {
    expect(registry.build('shape', { type: 'square', side: 1, scale: { type: 'square' } }, 's', { unit: 1 }).area()).toBe(16);
    const e = (() => {
      try {
        registry.build('shape', { type: 'square', side: 1, scale: { type: 'thrice' } }, 'shapes[2]', { unit: 1 });
      } catch (err) {
        return err as PluginConfigError;
      }
    })();
    expect(e).toBeInstanceOf(PluginConfigError);
    expect(e!.path).toBe('shapes[2].scale.type');
    expect(e!.message).toContain("unknown scale 'thrice' (known scales: twice, square)");
  });

  it('reports every option problem with its path and the known options', () => {
    try {
      registry.build('shape', { type: 'square', side: -1, sides: 4 }, 'shape', { unit: 1 });
      expect.unreachable();
    } catch (err) {
      const e = err as PluginConfigError;
      expect(e.issues.map((i) => i.path)).toEqual(['shape.side', 'shape.sides']);
      expect(e.message).toContain("shape.side: must be > 0, got -1 (shape 'square')");
      expect(e.message).toContain("unknown option 'sides'; known options: side, scale");
    }
  });

  it('rejects non-descriptors, non-kebab ids and duplicates within a kind', () => {
    expect(() => new PluginRegistry([{ id: 'x' } as never])).toThrow(PluginContractError);
    expect(() => new PluginRegistry([{ ...twice, id: 'Twice' }])).toThrow(/scale id "Twice" is not kebab-case/);
    expect(() => new PluginRegistry([twice, { ...twice }])).toThrow(/descriptors\[1\] \('twice'\)\.id: duplicate scale id 'twice'/);
  });

  it('wraps a failing create as a config error at the spec path', () => {
    const broken = definePlugin({
      kind: 'scale',
      id: 'broken',
      description: 'fails',
      options: z.strictObject({}),
      create: (): Scale => {
        throw new Error('boom');
      },
    });
    expect(() => new PluginRegistry<Kinds>([broken]).build('scale', { type: 'broken' }, 'x', {})).toThrow("x: scale 'broken' failed to build: boom");
  });
});

describe('moduleDescriptors', () => {
  it('reads `descriptors` or a default export, and names what is wrong', () => {
    expect(moduleDescriptors({ descriptors: [twice] }, 'p')).toEqual([twice]);
    expect(moduleDescriptors({ default: twice }, 'p')).toEqual([twice]);
    expect(() => moduleDescriptors({}, 'p')).toThrow("plugin package 'p': exports no descriptors");
    expect(() => moduleDescriptors({ descriptors: [twice, { id: 'y', create: () => 1 }] }, 'p')).toThrow(
      "plugin package 'p': descriptors[1]: is not a plugin descriptor (missing kind, description, options)",
    );
  });
});
