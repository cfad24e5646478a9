/**
 * ShipStation's V1 API writes timestamps without a zone offset ("2015-06-29T08:46:27.0000000"),
 * in US Pacific time. These helpers convert between such local times in a configured IANA zone
 * and UTC instants, daylight saving included, with the platform's Intl data (no dependency).
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `ms`, in ms (negative west of Greenwich). */
function offsetAt(zone: string, ms: number): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts['year']!, +parts['month']! - 1, +parts['day']!, +parts['hour']!, +parts['minute']!, +parts['second']!);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * A ShipStation timestamp as an ISO 8601 UTC instant. An offset-less value is read in `zone`; a
 * value that carries `Z` or an offset is taken as written. Returns null when it is no timestamp.
 * A wall time that occurs twice (the autumn change) resolves to the earlier instant; one that never
 * occurs (the spring change) to the instant the clock reaches it after the change.
 */
export function localToUtc(value: string, zone: string): string | null {
  const text = value.trim();
  if (HAS_ZONE.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  const m = LOCAL.exec(text);
  if (!m) return null;
  const fraction = Number(`0.${m[7] ?? '0'}`);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) + Math.floor(fraction * 1000);
  // Two passes: the offset at the first guess may differ from the offset at the answer around a change.
  const first = wall - offsetAt(zone, wall);
  const second = wall - offsetAt(zone, first);
  if (offsetAt(zone, second) === wall - second) return new Date(second).toISOString();
  // A wall time skipped by the spring change: the instant after the change, as the clock shows it then.
  return new Date(Math.max(first, second)).toISOString();
}

/** An instant as ShipStation's offset-less local time in `zone`: "2015-06-29T08:46:27.0000000". */
export function utcToLocal(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  const local = new Date(ms + offsetAt(zone, ms)).toISOString();
  return `${local.slice(0, 19)}.${local.slice(20, 23)}0000`;
}
