import { pino } from 'pino';

/** A clock a test moves by hand; `sleep` advances it at once and records the wait. */
export interface VirtualClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  advance: (ms: number) => void;
  /** Every wait asked of `sleep`, in order. */
  sleeps: number[];
}

export function virtualClock(start: number | string): VirtualClock {
  let t = typeof start === 'string' ? Date.parse(start) : start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)),
    advance: (ms: number) => void (t += ms),
    sleeps,
  };
}

/** Client dependencies on a virtual clock, with a silent logger. */
export function clockDeps(clock: VirtualClock) {
  return { logger: pino({ level: 'silent' }), now: clock.now, sleep: clock.sleep };
}
