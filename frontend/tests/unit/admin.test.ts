import { afterEach, describe, expect, it } from 'vitest'
import { query } from '../../src/api/types'
import { setLocale } from '../../src/i18n'
import { dayRange, sessionActive, staffFieldText, wallTime } from '../../src/staff/pages/admin/format'
import { diffJson } from '../../src/staff/pages/admin/jsonDiff'

describe('diffJson', () => {
  it('compares two objects key by key', () => {
    const before = JSON.stringify({ username: 'p1', role: 'proctor', centre_id: 3, disabled: false, version: 1 })
    const after = JSON.stringify({ username: 'p1', role: 'proctor', centre_id: 3, disabled: true, version: 2, note: 'x' })
    const rows = diffJson(before, after)
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ['username', 'same'],
      ['role', 'same'],
      ['centre_id', 'same'],
      ['disabled', 'changed'],
      ['version', 'changed'],
      ['note', 'added'],
    ])
    expect(rows[3]).toEqual({ key: 'disabled', before: 'false', after: 'true', status: 'changed' })
    expect(rows[5].before).toBeUndefined()
  })

  it('treats a creation (no before) as all added and a deletion as all removed', () => {
    expect(diffJson('', '{"a":1}')).toEqual([{ key: 'a', before: undefined, after: '1', status: 'added' }])
    expect(diffJson('null', '{"a":1}')[0].status).toBe('added')
    expect(diffJson('{"a":1}', '')).toEqual([{ key: 'a', before: '1', after: undefined, status: 'removed' }])
    expect(diffJson('', '')).toEqual([])
  })

  it('pretty-prints nested values and ignores key order inside them', () => {
    const rows = diffJson('{"x":{"b":1,"a":[1,2]}}', '{"x":{"a":[1,2],"b":1}}')
    expect(rows).toHaveLength(1)
    expect(rows[0].status).toBe('same')
    expect(rows[0].before).toBe('{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ]\n}')
    expect(diffJson('{"x":{"a":[1,2]}}', '{"x":{"a":[2,1]}}')[0].status).toBe('changed')
  })

  it('compares non-objects and non-JSON text as one value', () => {
    expect(diffJson('[1,2]', '[1,3]')).toEqual([{ key: '', before: '[\n  1,\n  2\n]', after: '[\n  1,\n  3\n]', status: 'changed' }])
    expect(diffJson('not json', 'not json')).toEqual([{ key: '', before: 'not json', after: 'not json', status: 'same' }])
    expect(diffJson('"a"', '{"a":1}')[0]).toMatchObject({ key: '', status: 'changed' })
  })
})

describe('admin format helpers', () => {
  afterEach(() => setLocale('zh-CN'))

  it('shows the server wall-clock time', () => {
    expect(wallTime('2026-11-23T09:05:07.123456+08:00')).toBe('2026-11-23 09:05:07')
    expect(wallTime('2026-11-23T01:05:07Z')).toBe('2026-11-23 01:05:07')
    expect(wallTime(null)).toBe('')
    expect(wallTime('garbage')).toBe('garbage')
  })

  it('turns an inclusive day range into from (inclusive) / to (exclusive) instants', () => {
    const r = dayRange('2026-11-01', '2026-11-30')
    expect(r.from).toBe(new Date(2026, 10, 1).toISOString().replace('.000Z', 'Z'))
    expect(r.to).toBe(new Date(2026, 11, 1).toISOString().replace('.000Z', 'Z'))
    expect(r.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(dayRange('', null)).toEqual({ from: undefined, to: undefined })
    expect(dayRange('2026-13', undefined).from).toBeUndefined()
  })

  it('knows when a session is active', () => {
    const now = Date.parse('2026-11-23T10:00:00+08:00')
    expect(sessionActive({ revoked_at: null, expires_at: '2026-11-23T12:00:00+08:00' }, now)).toBe(true)
    expect(sessionActive({ revoked_at: null, expires_at: '2026-11-23T09:00:00+08:00' }, now)).toBe(false)
    expect(sessionActive({ revoked_at: '2026-11-23T09:30:00+08:00', expires_at: '2026-11-23T12:00:00+08:00' }, now)).toBe(false)
  })

  it('shows staff field reasons as the client translated them (from their codes), matching no English text', async () => {
    const { parseApiError } = await import('../../src/api/client')
    const body = JSON.stringify({
      error: {
        code: 'invalid_input',
        message: 'some fields are not valid',
        field_errors: [
          { field: 'centre_id', code: 'proctor_needs_centre', message: 'a proctor must be bound to one exam centre' },
          { field: 'password', code: 'password_too_short', params: { n: 10 }, message: 'at least 10 characters' },
        ],
      },
    })
    expect(staffFieldText(parseApiError(422, body).fields.centre_id)).toBe('监考员必须绑定一个考点')
    expect(staffFieldText(parseApiError(422, body).fields.password)).toBe('密码至少 10 位')
    expect(staffFieldText(undefined)).toBe('')
    setLocale('en')
    expect(staffFieldText(parseApiError(422, body).fields.password)).toBe('At least 10 characters')
  })


  it('builds query strings from the set values only', () => {
    expect(query({ page: 2, page_size: 20, action: '', target_id: undefined, centre_id: 0, target_type: 'staff_user' })).toBe(
      '?page=2&page_size=20&target_type=staff_user',
    )
    expect(query({ from: '2026-11-01T00:00:00+08:00' })).toBe('?from=2026-11-01T00%3A00%3A00%2B08%3A00')
    expect(query({ status: ['queued', 'dead'], overdue: true })).toBe('?status=queued&status=dead&overdue=true')
    expect(query({})).toBe('')
  })
})
