import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

function bucket(ratePerSec: number, burst: number) {
  let t = 0;
  return { b: new TokenBucket({ ratePerSec, burst }, () => t), advance: (ms: number) => void (t += ms) };
}

describe('TokenBucket', () => {
  it('lets the burst go at once, then queues callers one refill interval apart', () => {
    const { b } = bucket(2, 2);
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 500, 1000]);
  });

  it('refills with time up to the burst, and a released reservation is given back', () => {
    const { b, advance } = bucket(1, 3);
    b.reserve();
    b.reserve();
    b.reserve();
    expect(b.reserve()).toBe(1000);
    b.release();
    expect(b.waitMs()).toBe(1000);
    advance(60_000);
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0, 1000]);
  });

  it('after drain(ms) nothing is free for ms; drain() alone empties it for one interval', () => {
    const { b, advance } = bucket(10, 5);
    b.drain(7000);
    expect(b.waitMs()).toBe(7000);
    advance(7000);
    expect(b.reserve()).toBe(0);
    const fresh = bucket(4, 5).b;
    fresh.drain();
    expect(fresh.reserve()).toBe(250);
  });

  it('never holds more than the API reports, and waits for its announced refill when none is left', () => {
    const { b } = bucket(2, 10);
    b.observe(1);
    expect([b.reserve(), b.reserve()]).toEqual([0, 500]);
    const other = bucket(2, 10);
    other.b.observe(0, 30_000);
    expect(other.b.waitMs()).toBe(30_000);
  });

  it('adopts a reported rate', () => {
    const { b } = bucket(1, 1);
    b.reserve();
    b.observeRate(4);
    expect(b.reserve()).toBe(250);
    b.observeRate(0);
    expect(b.ratePerSec).toBe(4);
  });
});
