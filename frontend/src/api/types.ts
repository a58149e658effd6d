// The server's JSON types, generated from the route table (schema.d.ts is
// written by `make api-types` from `examd openapi`; never edit it by hand).
// API modules name them: `export type Centre = Schemas['CentreJSON']`.
import type { components } from './schema'

export type Schemas = components['schemas']

/** Every paginated list: {"items","total","page","page_size"} (api.Page in Go). */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

/**
 * The one query-string builder: "" or "?a=1&b=x", keys in the given order.
 * undefined, null, '' and 0 are left out (0 is "none" for every id and page
 * the API takes); an array repeats its key.
 */
export function query(params: object): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x !== undefined && x !== null && x !== '' && x !== 0) p.append(k, String(x))
    }
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}
