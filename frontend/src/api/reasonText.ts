// Field-error and import-row reasons from the server, in the current
// language. The server sends each reason as a stable code with parameters
// (field_errors[].code / .params, import errors' code / params); the texts
// are in src/i18n/errors/{zh-CN,en}.json, which a Go test
// (internal/errcodes) keeps complete for every code the server can produce.
// Nothing here looks at the server's English text.
import { i18n } from '../i18n'

export interface FieldError {
  field: string
  code: string
  params?: Record<string, unknown>
  message: string
}

/** Parameter values that are codes themselves (e.g. a pledge item) get their text. */
function paramTexts(params: Record<string, unknown> | undefined): Record<string, unknown> {
  const { t, te } = i18n.global
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params ?? {})) {
    const key = `errorParams.${k}.${String(v)}`
    out[k] = typeof v === 'string' && te(key) ? t(key) : v
  }
  return out
}

/** The text of an error code, or '' when we have none. */
export function errorCodeText(code: string): string {
  const { t, te } = i18n.global
  return te(`errors.${code}`) ? t(`errors.${code}`) : ''
}

/**
 * The text of a reason code with its params; for a code we have no text for
 * (a server newer than the web app), the general "not valid" text rather
 * than the server's English.
 */
export function reasonText(code: string | undefined, params?: Record<string, unknown>): string {
  const { t, te } = i18n.global
  if (code === 'row_error' && typeof params?.code === 'string') {
    return errorCodeText(params.code) || t('errors.invalid_input')
  }
  if (code && te(`reasons.${code}`)) return t(`reasons.${code}`, paramTexts(params))
  return t('errors.invalid_input')
}

/** Reads the server's field_errors list (absent in old answers). */
export function parseFieldErrors(raw: unknown): Record<string, FieldError> {
  const out: Record<string, FieldError> = {}
  if (!Array.isArray(raw)) return out
  for (const x of raw) {
    if (x === null || typeof x !== 'object') continue
    const r = x as Record<string, unknown>
    if (typeof r.field !== 'string' || typeof r.code !== 'string') continue
    const params = r.params !== null && typeof r.params === 'object' ? (r.params as Record<string, unknown>) : undefined
    out[r.field] = { field: r.field, code: r.code, params, message: typeof r.message === 'string' ? r.message : '' }
  }
  return out
}
