import { describe, expect, it } from 'vitest';
import { SearchError } from '../errors.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { describeObjectives, OBJECTIVE_NAMES_ATTR, storedObjectiveNames, storedReferencePoint } from './objective-attrs.js';

describe('objective names and reference point of a study', () => {
  it('stores them once, reads them back, and ignores values of the wrong shape', async () => {
    const storage = new MemoryStorage();
    let writes = 0;
    const set = storage.setStudyAttr.bind(storage);
    storage.setStudyAttr = (...args) => (writes++, set(...args));
    await storage.createStudy('mo', 'maximize', { directions: ['maximize', 'minimize'] });
    await describeObjectives(storage, 'mo', { names: ['accuracy', 'params'], reference: [0.5, 1e6] });
    await describeObjectives(storage, 'mo', { names: ['accuracy', 'params'], reference: [0.5, 1e6] });
    expect(writes).toBe(2);
    const study = (await storage.getStudy('mo'))!;
    expect(storedObjectiveNames(study)).toEqual(['accuracy', 'params']);
    expect(storedReferencePoint(study)).toEqual([0.5, 1e6]);
    expect(storedObjectiveNames({ ...study, userAttrs: { [OBJECTIVE_NAMES_ATTR]: ['accuracy'] } })).toBeUndefined();
    expect(storedReferencePoint({ ...study, userAttrs: {} })).toBeUndefined();
  });

  it('refuses a count that does not match the directions, a non-finite reference and an unknown study', async () => {
    const storage = new MemoryStorage();
    await storage.createStudy('mo', 'minimize', { directions: ['minimize', 'minimize'] });
    await expect(describeObjectives(storage, 'mo', { names: ['a'] })).rejects.toThrow(/2 objective\(s\) but 1 name/);
    await expect(describeObjectives(storage, 'mo', { reference: [1, Infinity] })).rejects.toThrow(/2 finite value/);
    await expect(describeObjectives(storage, 'nope', { names: ['a', 'b'] })).rejects.toBeInstanceOf(SearchError);
  });
});
