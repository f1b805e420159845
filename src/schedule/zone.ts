// Time zones: which names are real, a zone's offset at an instant, which instant a wall-clock
// time means there (the DST rule of SPEC §1), and ISO 8601 with the zone's offset.

import { wallTime } from "./wall.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** IANA names look like `Area/Location` (or `UTC`, `GMT`); offsets such as `+01:00` are refused
 * because they ignore daylight saving time, which is the point of naming a zone. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** ICU's canonical zone names, listed once (~1.5 ms): a formatter per zone costs ~3 ms the first
 * time, as ICU loads that zone's rules. */
let canonicalZones: ReadonlySet<string> | undefined;

/** True when `tz` is an IANA time zone this runtime knows (ICU's table). */
export function isTimeZone(tz: string): boolean {
  // The default zone needs no Intl: its first use loads ICU's zone data (~13 ms of `gitcron run`).
  if (tz === "UTC") return true;
  if (!ZONE_NAME.test(tz)) return false;
  canonicalZones ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (canonicalZones.has(tz)) return true;
  // Aliases ("Asia/Kolkata" where ICU lists "Asia/Calcutta", "Etc/UTC") only a formatter knows.
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    // Intl signals an unknown zone only by throwing a RangeError.
    return false;
  }
}

export interface Zone {
  readonly name: string;
  /** Milliseconds to add to an instant to get the zone's wall-clock time. */
  offsetAt(instant: number): number;
}

/** One Intl formatter per zone: each costs ~50 µs and tens of KB, so thousands of schedules
 * in a few zones must share them. Create one cache per process (or per command). */
export class ZoneCache {
  readonly #zones = new Map<string, Zone>();

  /** The zone, or undefined when the name is not an IANA zone. */
  find(name: string): Zone | undefined {
    let zone = this.#zones.get(name);
    if (!zone && isTimeZone(name)) {
      zone = cachedZone(name, intlOffsetReader(name));
      this.#zones.set(name, zone);
    }
    return zone;
  }

  get(name: string): Zone {
    const zone = this.find(name);
    if (!zone) throw new RangeError(`unknown time zone "${name}"`);
    return zone;
  }
}

function intlOffsetReader(name: string): (instant: number) => number {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" });
  return (instant) => {
    // "11/27/2026, GMT+01:00"; "GMT" alone at offset zero; old local mean times carry seconds.
    const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(format.format(instant));
    if (!m) return 0;
    const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
    return m[1] === "-" ? -ms : ms;
  };
}

/** What one UTC day looks like in a zone: one offset, or a transition at `at`. */
type DayOffsets = { before: number; after: number; at: number };

/** Asking Intl costs ~1 µs; the scheduler asks several times per fire time. Offsets are kept
 * per UTC day, with the exact instant of a transition found once by bisection. Assumes at most
 * one transition a day, which holds for every zone in the tz database since 1970. */
function cachedZone(name: string, read: (instant: number) => number): Zone {
  const days = new Map<number, DayOffsets>();
  const dayOffsets = (day: number): DayOffsets => {
    let entry = days.get(day);
    if (!entry) {
      const start = day * DAY_MS;
      const before = read(start);
      const after = read(start + DAY_MS);
      entry = {
        before,
        after,
        at: before === after ? start : transitionInstant(read, start, before),
      };
      days.set(day, entry);
    }
    return entry;
  };
  return {
    name,
    offsetAt(instant) {
      const entry = dayOffsets(Math.floor(instant / DAY_MS));
      return instant < entry.at ? entry.before : entry.after;
    },
  };
}

/** The first whole second in [start, start + 1 day] whose offset differs from `before`. */
function transitionInstant(
  read: (instant: number) => number,
  start: number,
  before: number,
): number {
  let lo = start / 1000; // offset is `before` here
  let hi = (start + DAY_MS) / 1000; // and different here
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (read(mid * 1000) === before) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/** The instants at which a zone's clock shows `wall`: one normally, two in a repeated hour
 * (earlier first), none in a skipped one. Assumes no two transitions within two days. */
export function instantsShowing(
  zone: Zone,
  wall: number,
): { instants: number[]; offsetBefore: number; offsetAfter: number } {
  const offsetBefore = zone.offsetAt(wall - DAY_MS);
  const offsetAfter = zone.offsetAt(wall + DAY_MS);
  const instants: number[] = [];
  for (const offset of offsetBefore === offsetAfter
    ? [offsetBefore]
    : [offsetBefore, offsetAfter]) {
    const instant = wall - offset;
    if (zone.offsetAt(instant) === offset) instants.push(instant);
  }
  instants.sort((a, b) => a - b);
  return { instants, offsetBefore, offsetAfter };
}

/** The first wall time after the gap that skips `wall`: the clock at the jump's instant, read
 * with the new offset. The jump lies in (wall - offsetAfter, wall - offsetBefore]; it is found
 * to the second by bisection, as a zone's transitions are whole seconds. */
export function gapEndWall(zone: Zone, wall: number, offsetBefore: number): number {
  let lo = Math.floor((wall - zone.offsetAt(wall + DAY_MS)) / 1000); // offset still `before`
  let hi = Math.ceil((wall - offsetBefore) / 1000); // offset already the new one
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offsetAt(mid * 1000) === offsetBefore) lo = mid;
    else hi = mid;
  }
  return hi * 1000 + zone.offsetAt(hi * 1000);
}

/** Where a wall time skipped by a jump lands, by SPEC §1's rule: within the hour after the gap.
 * Moving it on by the jump (`wall - offsetBefore`) does that for jumps of an hour or less, but
 * puts 02:30 at 04:30 after Antarctica/Troll's two-hour jump (01:00 → 03:00); whole hours are
 * taken off while the instant stays past the jump, so it lands at 03:30, keeping its minutes.
 * It is never before the jump, so never earlier than `wall` read with the later offset: the
 * search in cron.ts relies on that. */
export function instantAfterGap(zone: Zone, wall: number, offsetBefore: number): number {
  let instant = wall - offsetBefore;
  const offsetAfter = zone.offsetAt(instant);
  while (zone.offsetAt(instant - HOUR_MS) === offsetAfter) instant -= HOUR_MS;
  return instant;
}

/** The instant a wall-clock time means in a zone, by SPEC §1's rule: in a repeated hour the
 * first occurrence, in a skipped one the instant it fires at, within the hour after the gap. */
export function instantOfWallTime(zone: Zone, wall: number): number {
  const { instants, offsetBefore } = instantsShowing(zone, wall);
  return instants[0] ?? instantAfterGap(zone, wall, offsetBefore);
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Reads `2026-03-29`, `2026-03-29T02:30`, `2026-03-29T02:30:00+02:00` or `…Z`. A time without
 * an offset is a wall-clock time in `zone`. Returns null when the text is not such a time. */
export function parseTimeInZone(text: string, zone: Zone): Date | null {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", ms = "0", offset] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const wall = wallTime(...fields, Number(ms.padEnd(3, "0")));
  // Date.UTC rolls 2026-02-30 over into March; a real calendar time survives the round trip.
  const back = new Date(wall);
  if (back.getUTCMonth() !== fields[1] || back.getUTCDate() !== fields[2] || fields[3] > 23)
    return null;
  if (!offset) return new Date(instantOfWallTime(zone, wall));
  if (offset.toUpperCase() === "Z") return new Date(wall);
  const om = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  const offsetMs = (Number(om?.[2]) * 60 + Number(om?.[3])) * 60_000 * (om?.[1] === "-" ? -1 : 1);
  return new Date(wall - offsetMs);
}

/** Returns a formatter for one zone; build it once when formatting many instants. Years past
 * 9999 are ISO 8601's expanded years (`+010000-01-01T00:00:00+00:00`), as Date.toISOString
 * writes them and Date.parse reads them back: the instant is real, so it is printed whole. */
export function zoneFormatter(timezone: string, zones = new ZoneCache()): (d: Date) => string {
  const zone = zones.get(timezone);
  return (d) => {
    const offset = zone.offsetAt(d.getTime());
    // 2026-03-29T03:30:00.000Z, or +010000-01-01T00:00:00.000Z: cut from the end, whose
    // length does not change with the year's.
    const wall = new Date(d.getTime() + offset).toISOString();
    const fraction = d.getUTCMilliseconds() ? wall.slice(-5, -1) : "";
    return `${wall.slice(0, -5)}${fraction}${formatOffset(offset)}`;
  };
}

/** How a person reads an instant in a job's zone, to the second: `2026-12-06 02:30:00 +01:00`
 * (`… UTC` in UTC). A zone it does not know (a status branch is anyone's to write) reads as UTC. */
export function readableTime(
  timezone: string | undefined,
  zones = new ZoneCache(),
): (iso: string) => string {
  const name = timezone ?? "UTC";
  const known = zones.find(name);
  const zone = known ?? zones.get("UTC");
  const utc = !known || name === "UTC" || name === "Etc/UTC";
  return (iso) => {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return iso;
    const offset = zone.offsetAt(at);
    const wall = new Date(Math.floor(at / 1000) * 1000 + offset).toISOString();
    return `${wall.slice(0, -5).replace("T", " ")} ${utc ? "UTC" : formatOffset(offset)}`;
  };
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T03:30:00+02:00`. */
export function formatInZone(d: Date, timezone: string): string {
  return zoneFormatter(timezone)(d);
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  // ISO 8601 offsets have minutes only; pre-1970 local mean times are rounded.
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}
