import { describe, expect, it } from 'vitest';
import { AccessTokenCache } from './token-cache.js';

function cacheWith(lifetimeSec: number, marginMs?: number) {
  let t = 0;
  let n = 0;
  const pending: (() => void)[] = [];
  const cache = new AccessTokenCache(
    () => new Promise((resolve) => pending.push(() => resolve({ value: `tok-${++n}`, expiresInSec: lifetimeSec }))),
    () => t,
    marginMs,
  );
  const answer = () => pending.splice(0).forEach((r) => r());
  return { cache, answer, advance: (ms: number) => void (t += ms) };
}

describe('AccessTokenCache', () => {
  it('fetches once for concurrent callers and reuses the token until the margin before expiry', async () => {
    const { cache, answer, advance } = cacheWith(3600);
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    answer();
    expect(await all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    advance(3600_000 - 60_001);
    expect(await cache.get()).toBe('tok-1');
    advance(1);
    const next = cache.get();
    answer();
    expect(await next).toBe('tok-2');
    expect(cache.fetches).toBe(2);
  });

  it('caps the margin at a tenth of a short lifetime, so a short-lived token is still reused', async () => {
    const { cache, answer, advance } = cacheWith(30);
    const first = cache.get();
    answer();
    await first;
    advance(26_000);
    expect(await cache.get()).toBe('tok-1');
    expect(cache.fetches).toBe(1);
  });

  it('drops a refused token once: callers refused together share one new fetch, a newer token is kept', async () => {
    const { cache, answer } = cacheWith(3600);
    const first = cache.get();
    answer();
    const refused = await first;
    const replaced = Promise.all([cache.replace(refused), cache.replace(refused)]);
    answer();
    expect(await replaced).toEqual(['tok-2', 'tok-2']);
    cache.invalidate(refused);
    expect(await cache.get()).toBe('tok-2');
    expect(cache.fetches).toBe(2);
  });

  it('lets the next caller try again after a failed fetch', async () => {
    let calls = 0;
    const cache = new AccessTokenCache(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('token endpoint down');
        return { value: 'tok', expiresInSec: 3600 };
      },
      () => 0,
    );
    await expect(cache.get()).rejects.toThrow('token endpoint down');
    expect(await cache.get()).toBe('tok');
    expect([cache.fetches, cache.issued]).toEqual([2, 1]);
  });
});
