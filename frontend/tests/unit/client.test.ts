import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, idempotentRetryDelaysMs, parseApiError, setUnauthorizedHandler } from '../../src/api/client'

describe('parseApiError', () => {
  it('reads the server error shape', () => {
    const body = JSON.stringify({
      error: { code: 'validation_failed', message: 'bad input', fields: { phone: 'invalid mobile number' } },
    })
    const e = parseApiError(422, body, 'Unprocessable Entity')
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toBeInstanceOf(Error)
    expect(e.status).toBe(422)
    expect(e.code).toBe('validation_failed')
    expect(e.message).toBe('bad input')
    expect(e.fields).toEqual({ phone: 'invalid mobile number' })
    expect(e.retryAfterSeconds).toBeUndefined()
  })

  it('gives empty fields when the server sends none', () => {
    const e = parseApiError(423, '{"error":{"code":"account_locked","message":"locked until 10:30"}}')
    expect(e.code).toBe('account_locked')
    expect(e.message).toBe('locked until 10:30')
    expect(e.fields).toEqual({})
  })

  it('takes retry_after_seconds from the body, inside or beside error', () => {
    expect(parseApiError(429, '{"error":{"code":"rate_limited","message":"m"},"retry_after_seconds":42}').retryAfterSeconds).toBe(42)
    expect(parseApiError(429, '{"error":{"code":"rate_limited","message":"m","retry_after_seconds":7}}').retryAfterSeconds).toBe(7)
  })

  it('falls back to the Retry-After header', () => {
    const e = parseApiError(429, '{"error":{"code":"rate_limited","message":"slow down"}}', '', '30')
    expect(e.retryAfterSeconds).toBe(30)
    expect(parseApiError(429, '', '', 'not-a-number').retryAfterSeconds).toBeUndefined()
  })

  it('copes with a body that is not JSON', () => {
    const e = parseApiError(502, '<html>Bad Gateway</html>', 'Bad Gateway')
    expect(e.status).toBe(502)
    expect(e.code).toBe('http_502')
    expect(e.message).toBe('Bad Gateway')
    expect(e.fields).toEqual({})
  })

  it('copes with JSON of another shape', () => {
    const e = parseApiError(500, '{"message":"oops"}')
    expect(e.code).toBe('http_500')
    expect(e.message).toBe('HTTP 500')
    expect(parseApiError(400, '[1,2]').code).toBe('http_400')
    expect(parseApiError(400, 'null').code).toBe('http_400')
  })

  it('keeps only string-able field reasons', () => {
    const e = parseApiError(422, '{"error":{"code":"x","message":"m","fields":{"a":"r","b":3,"c":null}}}')
    expect(e.fields).toEqual({ a: 'r', b: '3' })
  })
})

describe('request', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setUnauthorizedHandler(undefined)
  })

  function stubFetch(status: number, body: string, headers: Record<string, string> = {}) {
    const fetchMock = vi.fn(async () => new Response(status === 204 ? null : body, { status, headers }))
    vi.stubGlobal('fetch', fetchMock)
    return fetchMock
  }

  it('sends JSON, same-origin credentials and the CSRF header on writes', async () => {
    const fetchMock = stubFetch(202, '{"resend_after_seconds":60}')
    const res = await api.post<{ resend_after_seconds: number }>('/auth/sms-code', { phone: '13800138000' })
    expect(res.resend_after_seconds).toBe(60)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/auth/sms-code')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    const headers = init.headers as Record<string, string>
    expect(headers['X-Requested-With']).toBe('examd')
    expect(headers['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"phone":"13800138000"}')
  })

  it('sends no CSRF header on GET', async () => {
    const fetchMock = stubFetch(200, '{"id":1}')
    await api.get('/auth/me')
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(init.credentials).toBe('same-origin')
    expect((init.headers as Record<string, string>)['X-Requested-With']).toBeUndefined()
  })

  it('returns undefined for 204', async () => {
    stubFetch(204, '')
    await expect(api.post('/auth/logout')).resolves.toBeUndefined()
  })

  it('throws ApiError with the server fields', async () => {
    stubFetch(422, '{"error":{"code":"validation_failed","message":"bad","fields":{"phone":"invalid"}}}', {
      'Content-Type': 'application/json',
    })
    const err = await api.post('/auth/sms-code', { phone: '1' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 422, code: 'validation_failed', message: 'bad', fields: { phone: 'invalid' } })
  })

  it('turns a failed fetch into network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const err = await api.get('/auth/me').catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 0, code: 'network_error' })
  })

  it('calls the unauthorized handler on 401 unless told not to', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubFetch(401, '{"error":{"code":"unauthenticated","message":"login required"}}')
    await expect(api.get('/auth/me')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(handler).toHaveBeenCalledTimes(1)
    await expect(api.get('/auth/me', { skipAuthRedirect: true })).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)
  })

  function keyOf(call: unknown): string | undefined {
    return ((call as [string, RequestInit])[1].headers as Record<string, string>)['Idempotency-Key']
  }

  it('retries a lost idempotent write with the same key, and uses a new key for the next intent', async () => {
    idempotentRetryDelaysMs.splice(0, idempotentRetryDelaysMs.length, 1, 1, 1)
    let calls = 0
    const fetchMock = vi.fn(async () => {
      calls++
      if (calls === 1) throw new TypeError('Failed to fetch') // response lost
      if (calls === 2) return new Response('{"error":{"code":"request_in_progress","message":"m"}}', { status: 409 })
      return new Response('{"id":7}', { status: 200 })
    })
    vi.stubGlobal('fetch', fetchMock)
    await expect(api.post('/me/applications/7/submit', { version: 3 }, { idempotent: true })).resolves.toEqual({ id: 7 })
    expect(fetchMock).toHaveBeenCalledTimes(3)
    const keys = fetchMock.mock.calls.map(keyOf)
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(keys).size).toBe(1)
    await api.post('/me/applications/7/submit', { version: 3 }, { idempotent: true })
    expect(keyOf(fetchMock.mock.calls[3])).not.toBe(keys[0])
  })

  it('keeps the key of an intent that never got an answer for the next tap', async () => {
    idempotentRetryDelaysMs.splice(0, idempotentRetryDelaysMs.length, 1)
    const fetchMock = vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))
    vi.stubGlobal('fetch', fetchMock)
    await expect(api.post('/mock-exams', undefined, { idempotent: true })).rejects.toMatchObject({ code: 'network_error' })
    await expect(api.post('/mock-exams', undefined, { idempotent: true })).rejects.toMatchObject({ code: 'network_error' })
    const keys = fetchMock.mock.calls.map(keyOf)
    expect(keys).toHaveLength(4)
    expect(new Set(keys).size).toBe(1)
  })

  it('sends no Idempotency-Key unless asked and does not retry a 4xx', async () => {
    const fetchMock = stubFetch(422, '{"error":{"code":"validation_failed","message":"bad"}}')
    await expect(api.post('/x', {}, { idempotent: true })).rejects.toMatchObject({ status: 422 })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    await expect(api.post('/x', {})).rejects.toMatchObject({ status: 422 })
    expect(keyOf(fetchMock.mock.calls[1])).toBeUndefined()
  })
})
