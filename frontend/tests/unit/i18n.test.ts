import { describe, expect, it } from 'vitest'
import zhCN from '../../src/i18n/zh-CN'
import en from '../../src/i18n/en'

// "a.b.c" for every leaf; the value's type is recorded so a leaf in one
// language can't be an object in the other.
function flatten(obj: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v !== null && typeof v === 'object') {
      for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
    } else {
      out.set(key, typeof v)
    }
  }
  return out
}

// Named placeholders such as {n} or {name}.
function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
}

function leaf(obj: object, key: string): string {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj) as string
}

describe('i18n messages', () => {
  const zhKeys = flatten(zhCN)
  const enKeys = flatten(en)

  it('every zh-CN key exists in en', () => {
    const missing = [...zhKeys.keys()].filter((k) => !enKeys.has(k))
    expect(missing).toEqual([])
  })

  it('every en key exists in zh-CN', () => {
    const extra = [...enKeys.keys()].filter((k) => !zhKeys.has(k))
    expect(extra).toEqual([])
  })

  it('all leaves are non-empty strings', () => {
    for (const [k, type] of [...zhKeys, ...enKeys]) expect(type, k).toBe('string')
    for (const k of zhKeys.keys()) {
      expect(leaf(zhCN, k).trim(), `zh-CN ${k}`).not.toBe('')
      expect(leaf(en, k).trim(), `en ${k}`).not.toBe('')
    }
  })

  it('both languages use the same placeholders', () => {
    for (const k of zhKeys.keys()) {
      expect(placeholders(leaf(en, k)), k).toEqual(placeholders(leaf(zhCN, k)))
    }
  })

  it('names every role', () => {
    for (const role of ['candidate', 'police_reviewer', 'proctor', 'window_clerk', 'question_editor', 'bureau_admin']) {
      expect(zhKeys.has(`roles.${role}`), role).toBe(true)
    }
    expect(zhCN.roles.bureau_admin).toBe('局管理员')
  })
})
