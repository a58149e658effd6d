// Turns a thrown error into text for the user, in the current language.
import { i18n } from '../i18n'
import { isApiError, type ApiError } from './client'

// Codes whose server message carries details worth showing after our own
// text when we can't say it better ourselves.
const DETAIL_CODES = new Set(['account_locked', 'rate_limited'])

/** The local clock time `seconds` from `now`; with the date when it is not today. */
export function clockTimeAfter(seconds: number, now = Date.now()): string {
  const at = new Date(now + seconds * 1000)
  const sameDay = new Date(now).toDateString() === at.toDateString()
  const locale = i18n.global.locale.value
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { month: '2-digit', day: '2-digit' }),
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(at)
}

// Lock and rate-limit errors carry retry_after_seconds: say when, in our words.
function retryText(e: ApiError, now: number): string | undefined {
  const { t } = i18n.global
  const s = e.retryAfterSeconds
  if (!s) return undefined
  if (e.code === 'account_locked') return t('errors.lockedUntil', { time: clockTimeAfter(s, now) })
  if (e.code === 'rate_limited') {
    return s <= 120 ? t('errors.retryInSeconds', { n: s }) : t('errors.retryAfterTime', { time: clockTimeAfter(s, now) })
  }
  return undefined
}

export function errorText(e: unknown, now = Date.now()): string {
  const { t, te } = i18n.global
  if (!isApiError(e)) return t('errors.generic', { status: '-' })
  const retry = retryText(e, now)
  if (retry) return retry
  const key = `errors.${e.code}`
  if (te(key)) {
    const text = t(key)
    if (DETAIL_CODES.has(e.code) && e.message && e.message !== text && !e.message.startsWith('HTTP ')) {
      return t('errors.withDetail', { text, detail: e.message })
    }
    return text
  }
  if (e.status > 0 && e.message && !e.code.startsWith('http_')) return e.message
  return t('errors.generic', { status: e.status })
}

/** A server field reason (ApiError.fields[x]); translated when it is a known code. */
export function fieldText(reason: string | undefined): string {
  if (!reason) return ''
  const { t, te } = i18n.global
  const key = `errors.${reason}`
  return /^[a-z_]+$/.test(reason) && te(key) ? t(key) : reason
}
