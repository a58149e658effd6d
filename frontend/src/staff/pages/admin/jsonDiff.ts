// Side-by-side comparison of an audit record's `before` and `after` JSON.
// Two objects are compared key by key (each value pretty-printed); anything
// else (arrays, scalars, text that is not JSON) is compared as one whole value.

export type DiffStatus = 'same' | 'changed' | 'added' | 'removed'

export interface DiffRow {
  /** Top-level key; '' when the values are compared whole. */
  key: string
  /** Pretty-printed value before; undefined when absent. */
  before?: string
  /** Pretty-printed value after; undefined when absent. */
  after?: string
  status: DiffStatus
}

type Parsed = { kind: 'absent' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string }

function parse(text: string | null | undefined): Parsed {
  if (text == null || text.trim() === '' || text.trim() === 'null') return { kind: 'absent' }
  try {
    return { kind: 'json', value: JSON.parse(text) }
  } catch {
    return { kind: 'text', text }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** JSON with object keys sorted, so equal values give equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    isObject(val) ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val,
  )
}

export function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? String(v)
}

function status(before: string | undefined, after: string | undefined, same: boolean): DiffStatus {
  if (before === undefined) return 'added'
  if (after === undefined) return 'removed'
  return same ? 'same' : 'changed'
}

export function diffJson(beforeText: string | null | undefined, afterText: string | null | undefined): DiffRow[] {
  const b = parse(beforeText)
  const a = parse(afterText)
  if (b.kind === 'absent' && a.kind === 'absent') return []

  const bObj = b.kind === 'json' && isObject(b.value) ? b.value : undefined
  const aObj = a.kind === 'json' && isObject(a.value) ? a.value : undefined
  if ((bObj || b.kind === 'absent') && (aObj || a.kind === 'absent')) {
    const keys = [...Object.keys(bObj ?? {})]
    for (const k of Object.keys(aObj ?? {})) if (!keys.includes(k)) keys.push(k)
    return keys.map((key) => {
      const inB = bObj !== undefined && key in bObj
      const inA = aObj !== undefined && key in aObj
      const before = inB ? pretty(bObj![key]) : undefined
      const after = inA ? pretty(aObj![key]) : undefined
      return { key, before, after, status: status(before, after, inA && inB && canonical(bObj![key]) === canonical(aObj![key])) }
    })
  }

  const whole = (p: Parsed) => (p.kind === 'absent' ? undefined : p.kind === 'json' ? pretty(p.value) : p.text)
  const before = whole(b)
  const after = whole(a)
  const same =
    b.kind === 'json' && a.kind === 'json' ? canonical(b.value) === canonical(a.value) : before === after
  return [{ key: '', before, after, status: status(before, after, same) }]
}
