// The app's two logged-in surfaces: the candidate's phone pages under /m and
// the staff consoles under /staff. Each has its login and home route and the
// kind of user it is for.
import type { UserKind } from './api/auth'

export type Surface = 'candidate' | 'staff'

export const SURFACES: Record<Surface, { kind: UserKind; prefix: string; login: string; home: string }> = {
  candidate: { kind: 'candidate', prefix: '/m', login: 'candidate-login', home: 'candidate-home' },
  staff: { kind: 'staff', prefix: '/staff', login: 'staff-login', home: 'staff-home' },
}

/** A `redirect` query value is followed only if it is a path inside the surface. */
export function safeRedirect(value: unknown, surface: Surface): string | undefined {
  const prefix = SURFACES[surface].prefix
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return undefined
  return value === prefix || value.startsWith(prefix + '/') || value.startsWith(prefix + '?') ? value : undefined
}
