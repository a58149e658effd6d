// Turns a thrown error into text for the user, in the current language.
import { i18n } from '../i18n'
import { isApiError } from './client'

// Codes whose server message carries details worth showing after our own
// text (e.g. the time a locked account unlocks).
const DETAIL_CODES = new Set(['account_locked', 'rate_limited'])

export function errorText(e: unknown): string {
  const { t, te } = i18n.global
  if (!isApiError(e)) return t('errors.generic', { status: '-' })
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
