import { describe, expect, it } from 'vitest';
import { builtinStorages } from '../plugins.js';
import { StorageError } from '../errors.js';
import { RedisStorage } from './redis-storage.js';

describe('Redis URLs', () => {
  const malformed = ['redis://[::1', 'redis://a:b:c@[', 'redis://host:99999', 'redis://h:-1'];

  it('the redis storage option refuses a malformed URL, naming the option', () => {
    const redis = builtinStorages.find((d) => d.id === 'redis')!;
    for (const url of malformed) {
      const parsed = redis.options.safeParse({ url });
      expect(parsed.success, url).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['url']);
      expect(parsed.error!.issues[0]!.message).toMatch(/not a valid URL/);
    }
    expect(redis.options.safeParse({ url: 'redis://127.0.0.1:6379' }).success).toBe(true);
  });

  it('RedisStorage.connect gives a StorageError naming a malformed URL, not a TypeError', async () => {
    for (const url of malformed) {
      const failure = await RedisStorage.connect(url, { retries: 0 }).catch((e: unknown) => e);
      expect(failure, url).toBeInstanceOf(StorageError);
      expect((failure as Error).message).toContain(`${url}: not a valid Redis URL`);
    }
  });
});
