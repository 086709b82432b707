/**
 * The canonical IANA name of a time zone (e.g. `europe/paris` → `Europe/Paris`), or undefined
 * when it is not one. Offsets such as `+01:00` are not time zones: they know no daylight saving.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
