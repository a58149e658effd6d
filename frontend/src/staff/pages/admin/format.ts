// Small helpers shared by the bureau admin pages (no UI library here, so the
// unit tests can load them).
import { fieldText } from '../../../api/errorText'

/**
 * "2026-11-23T09:05:07.123+08:00" -> "2026-11-23 09:05:07": the wall-clock
 * time as the server wrote it (the server sends times in the bureau's time
 * zone, which is what staff expect to see whatever their browser's zone).
 */
export function wallTime(s: string | null | undefined): string {
  if (!s) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)/.exec(s)
  return m ? `${m[1]} ${m[2]}` : s
}

/** "2026-11-23" -> RFC 3339 of that day's local midnight, `addDays` later. */
function dayStart(day: string, addDays: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays)
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * A date range picked as days ("YYYY-MM-DD", both ends included) as the
 * audit API's from (inclusive) / to (exclusive) instants in the browser's time zone.
 */
export function dayRange(fromDay?: string | null, toDay?: string | null): { from?: string; to?: string } {
  return {
    from: fromDay ? dayStart(fromDay, 0) : undefined,
    to: toDay ? dayStart(toDay, 1) : undefined,
  }
}

/** A session is active until it is revoked or expires. */
export function sessionActive(s: { revoked_at: string | null; expires_at: string }, now = Date.now()): boolean {
  return !s.revoked_at && Date.parse(s.expires_at) > now
}

export function staffFieldText(reason: string | undefined): string {
  // ApiError.fields are already in the current language (from the reason codes).
  return fieldText(reason)
}
