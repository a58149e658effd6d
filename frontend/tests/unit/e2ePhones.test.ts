import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The browser tests read the SMS log, where the server writes phones
// masked ("139****0001"), and they share one server. Two specs whose
// phones mask alike read each other's messages, which failed CI twice
// (13912340001 and 13912360001). Every phone number in e2e/ must be the
// only one with its masked form.
describe('e2e phone numbers', () => {
  it('are unique in their masked form', () => {
    const dir = join(__dirname, '../../e2e')
    const byMask = new Map<string, Set<string>>()
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      for (const [phone] of readFileSync(join(dir, f), 'utf8').matchAll(/(?<!\d)1[3-9]\d{9}(?!\d)/g)) {
        const mask = `${phone.slice(0, 3)}****${phone.slice(7)}`
        byMask.set(mask, (byMask.get(mask) ?? new Set()).add(`${phone} (${f})`))
      }
    }
    const clashes = [...byMask].filter(([, phones]) => new Set([...phones].map((p) => p.slice(0, 11))).size > 1)
    expect(clashes.map(([mask, phones]) => `${mask}: ${[...phones].join(', ')}`)).toEqual([])
  })
})
