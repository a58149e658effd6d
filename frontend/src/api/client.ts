// The one way the web app talks to the server (JSON under /api/v1).
//
// - Cookies only: the session is an HttpOnly cookie, so every request is sent
//   with credentials: 'same-origin' and the app never handles a token.
// - Every non-GET request carries `X-Requested-With: examd`; the server
//   rejects writes without it (CSRF defence).
// - Every error becomes a thrown ApiError. The server's error body has one
//   shape: {"error":{"code","message","fields":{field: English reason},
//   "field_errors":[{field,code,params,message}]}}; ApiError.fields holds
//   each field's reason in the current language, made from its code.
// - A 401 calls the handler set with setUnauthorizedHandler (the router sends
//   the user to the right login page if the current page needs a login); a
//   403 password_change_required the one set with setPasswordChangeHandler.
// - Writes marked idempotent carry one Idempotency-Key per user intent (the
//   same method, path and body): every retry of that intent, automatic or a
//   second tap, reuses it until the server has given a final answer, so a
//   retry after a lost response is replayed instead of acting twice.

import { parseFieldErrors, reasonText, type FieldError } from './reasonText'

export const API_BASE = '/api/v1'
export const CSRF_HEADER = 'X-Requested-With'
export const CSRF_VALUE = 'examd'

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number
  /** The server's error code, e.g. "invalid_code"; "network_error" or "http_<status>" when the body had none. */
  readonly code: string
  /** Per-field reasons in the current language, e.g. {phone: "必须是 11 位中国大陆手机号"}; empty when none. */
  readonly fields: Record<string, string>
  /** Per-field reason codes and params, as the server sent them. */
  readonly fieldErrors: Record<string, FieldError>
  /** Seconds to wait before retrying (429), from the body or a Retry-After header. */
  readonly retryAfterSeconds?: number

  constructor(init: {
    status: number
    code: string
    message: string
    fields?: Record<string, string>
    fieldErrors?: Record<string, FieldError>
    retryAfterSeconds?: number
  }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.fieldErrors = init.fieldErrors ?? {}
    this.retryAfterSeconds = init.retryAfterSeconds
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

function positiveNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.ceil(n) : undefined
}

/**
 * Builds the ApiError for a non-2xx response from its status, body text and
 * Retry-After header. Exported for the unit tests.
 */
export function parseApiError(status: number, bodyText: string, statusText = '', retryAfterHeader?: string | null): ApiError {
  let body: Record<string, unknown> | undefined
  try {
    body = asRecord(JSON.parse(bodyText))
  } catch {
    body = undefined
  }
  const err = asRecord(body?.error)
  const code = typeof err?.code === 'string' && err.code !== '' ? err.code : `http_${status}`
  const message =
    typeof err?.message === 'string' && err.message !== '' ? err.message : statusText || `HTTP ${status}`
  const fields: Record<string, string> = {}
  const rawFields = asRecord(err?.fields)
  if (rawFields) {
    for (const [k, v] of Object.entries(rawFields)) {
      if (typeof v === 'string') fields[k] = v
      else if (v != null) fields[k] = String(v)
    }
  }
  // A reason with a code is shown in our words; the English text only when
  // an old server sent no code.
  const fieldErrors = parseFieldErrors(err?.field_errors)
  for (const [k, fe] of Object.entries(fieldErrors)) fields[k] = reasonText(fe.code, fe.params)
  const retryAfterSeconds =
    positiveNumber(err?.retry_after_seconds) ??
    positiveNumber(body?.retry_after_seconds) ??
    positiveNumber(retryAfterHeader ?? undefined)
  return new ApiError({ status, code, message, fields, fieldErrors, retryAfterSeconds })
}

export interface RequestOptions {
  /** Don't call the unauthorized handler on 401 (the router's own session check uses this). */
  skipAuthRedirect?: boolean
  signal?: AbortSignal
  /** Send an Idempotency-Key for this intent and retry lost or in-progress calls with it. */
  idempotent?: boolean
}

/** Keys of intents that have no final answer yet, by method, path and body. */
const pendingIntents = new Map<string, string>()

function newIdempotencyKey(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** The Idempotency-Key of an intent: the same until forgetIntent. Exported for the unit tests. */
export function intentKey(intent: string): string {
  let k = pendingIntents.get(intent)
  if (!k) {
    k = newIdempotencyKey()
    pendingIntents.set(intent, k)
  }
  return k
}

/** Errors after which the same intent is worth sending again with the same key. */
function retryable(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504 || e.code === 'request_in_progress')
}

/** Pauses between automatic retries of an idempotent write. */
export const idempotentRetryDelaysMs = [500, 1500, 3000]

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

type UnauthorizedHandler = (err: ApiError) => void
let onUnauthorized: UnauthorizedHandler | undefined

type PasswordChangeHandler = () => void
let onPasswordChange: PasswordChangeHandler | undefined

/** Called on every 403 password_change_required (a staff password an admin set); the router installs it. */
export function setPasswordChangeHandler(fn: PasswordChangeHandler | undefined): void {
  onPasswordChange = fn
}

/** Called on every 401 (unless skipAuthRedirect); the router installs it. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | undefined): void {
  onUnauthorized = fn
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  if (!opts.idempotent) return send<T>(method, path, body, opts)
  const intent = `${method} ${path} ${body === undefined ? '' : JSON.stringify(body)}`
  const key = intentKey(intent)
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await send<T>(method, path, body, opts, key)
      pendingIntents.delete(intent)
      return out
    } catch (e) {
      if (!retryable(e)) {
        pendingIntents.delete(intent)
        throw e
      }
      // The key stays: a later tap on the same intent still reuses it.
      if (attempt >= idempotentRetryDelaysMs.length || opts.signal?.aborted) throw e
      await sleep(idempotentRetryDelaysMs[attempt])
    }
  }
}

async function send<T>(method: string, path: string, body: unknown, opts: RequestOptions, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (method !== 'GET' && method !== 'HEAD') headers[CSRF_HEADER] = CSRF_VALUE
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey

  let res: Response
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError({ status: 0, code: 'network_error', message: e instanceof Error ? e.message : String(e) })
  }

  const text = res.status === 204 ? '' : await res.text()
  if (!res.ok) {
    const err = parseApiError(res.status, text, res.statusText, res.headers.get('Retry-After'))
    if (res.status === 401 && !opts.skipAuthRedirect) onUnauthorized?.(err)
    if (res.status === 403 && err.code === 'password_change_required') onPasswordChange?.()
    throw err
  }
  if (text === '') return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new ApiError({ status: res.status, code: 'bad_response', message: 'response is not JSON' })
  }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
}
