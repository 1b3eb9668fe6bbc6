import { describe, expect, it } from 'vitest';
import { charEdits, fuzzRandom, textTruncations } from '@anneal/testing/fuzz';
import { firstDuplicateKey } from './json-duplicate-keys.js';
import { jsonErrorLine, jsonErrorOffset } from './json-error-position.js';

describe('JSON positions', () => {
  it('finds where a text stops being JSON, and agrees with JSON.parse on 600 generated texts', () => {
    expect(jsonErrorLine('{\n  "name": "a",\n  "seed": }\n')).toBe(' (line 3, column 11)');
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": "\\u12"}')).toBe(7);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset(`${'['.repeat(100000)}${']'.repeat(100000)}`)).toBeUndefined();
    const rng = fuzzRandom(4);
    const text = JSON.stringify({ a: [1, -2.5e3, true, null, 'x\\"y\\u00e9'], b: { c: {}, d: [] }, 'e f': 'tab\tnot allowed' }).replace('\t', '\\t');
    const texts = [text, ...textTruncations(text, 100).map((m) => m.input), ...charEdits(text, 500, rng).map((m) => m.input)];
    for (const t of texts) {
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(t) === undefined, t).toBe(valid);
    }
  });

  it('finds the first key an object repeats, with its line', () => {
    expect(firstDuplicateKey('{"a": 1,\n "b": {"a": 2},\n "a": 3}')).toEqual({ key: 'a', line: 3 });
    expect(firstDuplicateKey('[{"a": 1}, {"a": 2}]')).toBeUndefined();
    expect(firstDuplicateKey('{"a": "\\"a\\"", "\\u0061": 1}')).toEqual({ key: 'a', line: 1 });
    expect(firstDuplicateKey('{"k": ["a", "a"]}')).toBeUndefined();
  });
});
