import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ledgerEn } from '../../src/i18n/archive.en'
import { ledgerZhCN } from '../../src/i18n/archive.zh-CN'

// The ledger page words each verification problem from the server's `why`
// code. Every code the verifier can produce (read from its source, so a new
// one cannot be forgotten) must have a sentence in both languages.
describe('ledger problem details', () => {
  const src = readFileSync(join(__dirname, '../../../internal/ledger/service.go'), 'utf8')
  const codes = new Set([...src.matchAll(/Why: "(\w+)"/g), ...src.matchAll(/"(\w+_unrecorded)"/g)].map((m) => m[1]))
  it('finds the codes in the verifier', () => {
    expect(codes.size).toBeGreaterThan(8)
  })
  it.each([...codes])('%s has zh-CN and English text', (code) => {
    expect(ledgerZhCN.why).toHaveProperty(code)
    expect(ledgerEn.why).toHaveProperty(code)
  })
})
