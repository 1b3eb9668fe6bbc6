import { describeIssue, isKebabCase, kindNoun, type PluginDescriptor } from '@anneal/plugin';
import { describe, expect, it } from 'vitest';

/** One check of a conformance suite: `run` throws (an assertion error) saying what is wrong. */
export interface ConformanceCheck {
  readonly title: string;
  run(): void | Promise<void>;
}

/** How {@link descriptorContractChecks} checks that two products of one option set share nothing. */
export interface IndependenceProbe<P> {
  /** Exercises a product (updates it, runs it, mutates what it returned...). */
  use(product: P): unknown;
  /** What another product shows of its own state; must be the same before and after `use` ran on the first. */
  observe(product: P): unknown;
  /** Releases a product afterwards (folders, connections); called for both. */
  dispose?(product: P): unknown;
}

/** Inputs of the descriptor-contract checks, common to every kind. */
export interface DescriptorContractCases<P> {
  /** The kind the descriptor must declare (`optimizer`, `callback`, ...). */
  readonly kind: string;
  /** Option objects the schema must accept (at least one). */
  readonly valid: readonly unknown[];
  /** Option objects the schema must reject. */
  readonly invalid: readonly unknown[];
  /** Builds a product from an option set, the kind's context filled in (needed for the independence check). */
  readonly create?: (options: unknown) => P | Promise<P>;
  /** Without it, two creates are not compared (products that are shared by design, e.g. two storages on one file). */
  readonly independence?: IndependenceProbe<P>;
}

/** The option set parsed by the descriptor's schema, with an error that lists every issue. */
export function parseOptions<O>(descriptor: PluginDescriptor<string, O>, options: unknown): O {
  const parsed = descriptor.options.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${describeIssue(i)}`).join('; ');
    throw new Error(`${descriptor.kind} '${descriptor.id}' rejected ${JSON.stringify(options)}: ${issues}`);
  }
  return parsed.data;
}

/** A `build` for contexts of suites that have no nested specs to build. */
export function noNestedSpecs(kind: string): (spec: { type: string }) => never {
  return (spec) => {
    throw new Error(`the ${kind} conformance suite builds no nested specs (asked for '${spec.type}'); pass a context that can`);
  };
}

/** `valid[k] {"a":1}`: how checks name an option set. */
export function optionLabel(options: unknown, k: number): string {
  return `valid[${k}] ${JSON.stringify(options)}`;
}

/**
 * The checks every descriptor passes whatever its kind: it declares `kind`, has a kebab-case id
 * and a one-line description, a zod schema that accepts every `valid` option set and rejects
 * every `invalid` one, and (with `independence`) two products created from one option set share
 * no state.
 */
export function descriptorContractChecks<P>(descriptor: PluginDescriptor, cases: DescriptorContractCases<P>): ConformanceCheck[] {
  const noun = kindNoun(cases.kind);
  const checks: ConformanceCheck[] = [
    {
      title: `is a ${noun} descriptor: kind '${cases.kind}', a kebab-case id, a one-line description, a zod schema and create`,
      run() {
        expect(descriptor.kind, `kind of '${descriptor.id}'`).toBe(cases.kind);
        expect(isKebabCase(descriptor.id), `id '${descriptor.id}' is not kebab-case (lower-case words joined by '-')`).toBe(true);
        expect(typeof descriptor.description, 'description').toBe('string');
        expect(descriptor.description.trim(), 'description is empty').not.toBe('');
        expect(descriptor.description.includes('\n'), 'description spans several lines; CLI listings show one line').toBe(false);
        expect(typeof descriptor.options?.safeParse, 'options is not a zod schema').toBe('function');
        expect(typeof descriptor.create, 'create').toBe('function');
      },
    },
    {
      title: 'is given at least one valid option set',
      run: () => expect(cases.valid.length, 'cases.valid is empty: the suite would check nothing').toBeGreaterThan(0),
    },
    {
      title: 'its schema accepts every valid option set',
      run() {
        for (const options of cases.valid) parseOptions(descriptor, options);
      },
    },
    {
      title: 'its schema rejects every invalid option set',
      run() {
        for (const options of cases.invalid) expect(descriptor.options.safeParse(options).success, `accepted invalid options ${JSON.stringify(options)}`).toBe(false);
      },
    },
  ];
  const { create, independence } = cases;
  if (create && independence) {
    cases.valid.forEach((options, k) => {
      checks.push({
        title: `${optionLabel(options, k)}: two creates are independent (using one leaves the other as it was)`,
        async run() {
          const a = await create(parseOptions(descriptor, options));
          const b = await create(parseOptions(descriptor, options));
          expect(a === b, 'create returned the same object twice; every create must build a fresh product').toBe(false);
          try {
            const before = await independence.observe(b);
            await independence.use(a);
            expect(await independence.observe(b), 'using the first product changed the second: they share state (a module-level cache or variable?)').toEqual(before);
          } finally {
            await independence.dispose?.(a);
            await independence.dispose?.(b);
          }
        },
      });
    });
  }
  return checks;
}

/**
 * Declares the descriptor-contract checks ({@link descriptorContractChecks}) as vitest blocks,
 * for kinds without a suite of their own.
 *
 * @example
 * ```ts
 * describeDescriptorContract(myDescriptor, { kind: 'metric', valid: [{}], invalid: [{ k: 0 }] });
 * ```
 */
export function describeDescriptorContract<P>(descriptor: PluginDescriptor, cases: DescriptorContractCases<P>): void {
  describe(`${kindNoun(cases.kind)} descriptor contract: ${descriptor.id}`, () => {
    for (const check of descriptorContractChecks(descriptor, cases)) it(check.title, () => check.run());
  });
}

/** Declares `checks` as `it` blocks inside one describe (how every suite of this package runs). */
export function describeChecks(title: string, checks: readonly ConformanceCheck[]): void {
  describe(title, () => {
    for (const check of checks) it(check.title, () => check.run());
  });
}
