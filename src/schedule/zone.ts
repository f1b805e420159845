// Time zones: which names are real, and how an instant reads on a zone's wall clock.

/** IANA names look like `Area/Location` (or `UTC`, `GMT`); offsets such as `+01:00` are refused
 * because they ignore daylight saving time, which is the point of naming a zone. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** True when `tz` is an IANA time zone this runtime knows (ICU's table). */
export function isTimeZone(tz: string): boolean {
  if (!ZONE_NAME.test(tz)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    // Intl signals an unknown zone only by throwing a RangeError.
    return false;
  }
}

/** Returns a formatter for one zone; build it once when formatting many instants. */
export function zoneFormatter(timezone: string): (d: Date) => string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return (d) => {
    const p = { year: "", month: "", day: "", hour: "", minute: "", second: "" };
    for (const { type, value } of parts.formatToParts(d))
      if (type in p) p[type as keyof typeof p] = value;
    const ms = d.getUTCMilliseconds();
    const wallAsUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second, ms);
    const offsetMinutes = Math.round((wallAsUtc - d.getTime()) / 60_000);
    const fraction = ms ? `.${String(ms).padStart(3, "0")}` : "";
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${fraction}${formatOffset(offsetMinutes)}`;
  };
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T03:30:00+02:00`. */
export function formatInZone(d: Date, timezone: string): string {
  return zoneFormatter(timezone)(d);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}
