import { describe, expect, it } from 'vitest';
import { localToUtc, utcToLocal } from './dates.js';

describe('ShipStation local timestamps', () => {
  it('reads a summer time in Pacific daylight time (UTC-7)', () => {
    expect(localToUtc('2026-07-14T09:51:33.6270000', 'America/Los_Angeles')).toBe('2026-07-14T16:51:33.627Z');
  });
  it('reads a winter time in Pacific standard time (UTC-8)', () => {
    expect(localToUtc('2026-01-14T09:51:33.0000000', 'America/Los_Angeles')).toBe('2026-01-14T17:51:33.000Z');
  });
  it('honours another configured zone', () => {
    expect(localToUtc('2026-07-14T09:00:00', 'Europe/Berlin')).toBe('2026-07-14T07:00:00.000Z');
  });
  it('takes a value that carries its own offset as written', () => {
    expect(localToUtc('2026-07-14T09:00:00Z', 'America/Los_Angeles')).toBe('2026-07-14T09:00:00.000Z');
  });
  it('reads an hour skipped by the spring change as the instant after the change', () => {
    expect(localToUtc('2026-03-08T02:30:00', 'America/Los_Angeles')).toBe('2026-03-08T10:30:00.000Z');
  });
  it('refuses what is no timestamp', () => {
    expect(localToUtc('next tuesday', 'America/Los_Angeles')).toBeNull();
  });
  it('writes an instant back in the zone without an offset', () => {
    expect(utcToLocal('2026-07-14T16:51:33.627Z', 'America/Los_Angeles')).toBe('2026-07-14T09:51:33.6270000');
  });
});

describe('ShipStation local timestamps around the autumn change', () => {
  it('reads a wall time that occurs twice as the earlier instant', () => {
    expect(localToUtc('2026-11-01T01:30:00', 'America/Los_Angeles')).toBe('2026-11-01T08:30:00.000Z');
  });
});
