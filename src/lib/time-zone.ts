/** Whether a string names an IANA time zone, without zod (src/schemas/helpers.ts builds on it). */
const knownZones = new Map<string, boolean>();

/** Cached per zone: building a DateTimeFormat is slow and a partner list repeats a few zones. */
export function isValidTimeZone(zone: string): boolean {
  let valid = knownZones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    if (knownZones.size < 10_000) knownZones.set(zone, valid);
  }
  return valid;
}
