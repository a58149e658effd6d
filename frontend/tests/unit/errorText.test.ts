import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../src/api/client'
import { errorText, fieldText } from '../../src/api/errorText'
import { setLocale } from '../../src/i18n'

describe('errorText', () => {
  afterEach(() => setLocale('zh-CN'))

  it('uses our text for known codes', () => {
    expect(errorText(new ApiError({ status: 401, code: 'invalid_code', message: 'wrong code' }))).toBe('验证码错误或已过期')
    setLocale('en')
    expect(errorText(new ApiError({ status: 401, code: 'invalid_credentials', message: 'x' }))).toBe(
      'Wrong username or password',
    )
  })

  it("adds the server's detail for a locked account", () => {
    const e = new ApiError({ status: 423, code: 'account_locked', message: '账号已锁定至 2026-11-23 17:00' })
    expect(errorText(e)).toBe('账号已锁定：账号已锁定至 2026-11-23 17:00')
  })

  it('says when a locked account unlocks, from retry_after_seconds, in local time', () => {
    const now = new Date(2026, 10, 23, 16, 23, 0).getTime()
    const e = new ApiError({ status: 423, code: 'account_locked', message: 'locked until 2026-11-23T08:38:00Z', retryAfterSeconds: 900 })
    expect(errorText(e, now)).toBe('账号已锁定，请在 16:38 后再试')
    setLocale('en')
    expect(errorText(e, now)).toBe('Account locked; try again after 16:38')
  })

  it('says how long to wait when rate limited', () => {
    const now = new Date(2026, 10, 23, 23, 30, 0).getTime()
    const soon = new ApiError({ status: 429, code: 'rate_limited', message: 'm', retryAfterSeconds: 60 })
    expect(errorText(soon, now)).toBe('操作过于频繁，请 60 秒后再试')
    const tomorrow = new ApiError({ status: 429, code: 'rate_limited', message: 'm', retryAfterSeconds: 3600 })
    expect(errorText(tomorrow, now)).toBe('操作过于频繁，请在 11/24 00:30 后再试')
  })

  it("shows the server's message for unknown codes", () => {
    expect(errorText(new ApiError({ status: 409, code: 'slot_full', message: '该场次已满' }))).toBe('该场次已满')
  })

  it('falls back to a generic text', () => {
    expect(errorText(new ApiError({ status: 502, code: 'http_502', message: 'Bad Gateway' }))).toBe('请求失败（502），请稍后再试')
    expect(errorText(new ApiError({ status: 0, code: 'network_error', message: 'Failed to fetch' }))).toBe(
      '网络连接失败，请稍后再试',
    )
    expect(errorText(new Error('boom'))).toBe('请求失败（-），请稍后再试')
  })

  it('translates known field reasons only', () => {
    expect(fieldText('invalid mobile number')).toBe('invalid mobile number')
    expect(fieldText('invalid_code')).toBe('验证码错误或已过期')
    expect(fieldText(undefined)).toBe('')
  })
})

describe('field reasons from codes', () => {
  afterEach(() => setLocale('zh-CN'))

  it('shows field_errors by code with params, in the current language, never the English message', async () => {
    const { parseApiError } = await import('../../src/api/client')
    const body = JSON.stringify({
      error: {
        code: 'invalid_input',
        message: 'some fields are not valid',
        fields: { name: 'at most 50 characters', licence_first_issued: 'x', pledge: 'y', zzz: 'a new reason' },
        field_errors: [
          { field: 'licence_first_issued', code: 'licence_too_recent', params: { n: 3, date: '2023-12-07' }, message: 'x' },
          { field: 'name', code: 'max_chars', params: { n: 50 }, message: 'at most 50 characters' },
          { field: 'pledge', code: 'pledge_missing', params: { item: 'drug_use' }, message: 'y' },
          { field: 'zzz', code: 'not_a_known_code', message: 'a new reason' },
        ],
      },
    })
    const e = parseApiError(422, body)
    expect(e.fields.name).toBe('最多 50 个字')
    expect(e.fields.licence_first_issued).toBe('驾龄不足 3 年（须在 2023-12-07 或之前初次领证）')
    expect(e.fields.zzz).toBe('填写的内容有误，请检查')
    expect(e.fieldErrors.name?.code).toBe('max_chars')
    setLocale('en')
    expect(parseApiError(422, body).fields.name).toBe('at most 50 characters')
  })

  it('translates parameters that are codes', async () => {
    const { reasonText } = await import('../../src/api/reasonText')
    expect(reasonText('unknown_pledge_item', { item: 'drug_use' })).toBe('未知承诺项 无吸毒记录')
    expect(reasonText('row_error', { code: 'version_conflict', message: 'someone else changed this' })).toBe('内容已被其他人修改，请刷新后重试')
  })
})
