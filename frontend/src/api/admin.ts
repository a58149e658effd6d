// Typed calls for the bureau admin's API: staff accounts and the audit log
// (/api/v1/admin/*, bureau_admin only). Types mirror api/admin_handlers.go.
import { api } from './client'
import type { Role } from './auth'

export type StaffRole = Exclude<Role, 'candidate'>

/** Every staff role, in the order the console offers them. */
export const STAFF_ROLES: readonly StaffRole[] = [
  'police_reviewer',
  'proctor',
  'window_clerk',
  'question_editor',
  'bureau_admin',
]

/** A paginated list as every list route returns it. */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface PageQuery {
  page?: number
  page_size?: number
}

/** A staff account. centre_id / office_id are 0 when the role has none. */
export interface StaffUser {
  id: number
  username: string
  display_name: string
  role: StaffRole
  centre_id: number
  office_id: number
  disabled: boolean
  /** Set only while the account is locked after failed logins (RFC 3339, server time zone). */
  locked_until: string | null
  /** Send back with every change; a stale one gets 409 version_conflict. */
  version: number
  created_at: string
}

export interface NewStaff {
  username: string
  display_name: string
  role: StaffRole
  /** Proctors only (else 0). */
  centre_id: number
  /** Window clerks only (else 0). */
  office_id: number
  password: string
}

/** Omitted fields stay as they are. */
export interface StaffChange {
  version: number
  display_name?: string
  role?: StaffRole
  centre_id?: number
  office_id?: number
  disabled?: boolean
  password?: string
}

export interface StaffSession {
  /** First 12 characters of the session hash. */
  id: string
  created_at: string
  expires_at: string
  revoked_at: string | null
  ip: string
  user_agent: string
}

export interface AuditRecord {
  id: number
  at: string
  actor_id: number
  actor_kind: string
  actor_role: string
  actor_name: string
  action: string
  target_type: string
  target_id: string
  ip: string
  request_id: string
  /** JSON text ('' when none). */
  before: string
  /** JSON text ('' when none). */
  after: string
}

export interface AuditQuery extends PageQuery {
  action?: string
  target_type?: string
  target_id?: string
  actor_id?: number
  /** RFC 3339, inclusive. */
  from?: string
  /** RFC 3339, exclusive. */
  to?: string
}

/** "?a=1&b=x" from the set (non-empty) values; '' when none. */
export function queryString(q: object): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

export function listStaff(q: PageQuery = {}): Promise<Page<StaffUser>> {
  return api.get<Page<StaffUser>>(`/admin/staff${queryString(q)}`)
}

/** 201; 422 with fields per input; 409 username_taken. */
export function createStaff(body: NewStaff): Promise<StaffUser> {
  return api.post<StaffUser>('/admin/staff', body)
}

/** 409 version_conflict when `version` is stale; 409 last_admin; 422 with fields. */
export function updateStaff(id: number, change: StaffChange): Promise<StaffUser> {
  return api.patch<StaffUser>(`/admin/staff/${id}`, change)
}

export async function staffSessions(id: number): Promise<StaffSession[]> {
  const res = await api.get<{ items: StaffSession[] }>(`/admin/staff/${id}/sessions`)
  return res.items ?? []
}

/** Logs the user out everywhere (204). */
export function revokeStaffSessions(id: number): Promise<void> {
  return api.post<void>(`/admin/staff/${id}/revoke-sessions`)
}

/** Newest first. 422 (fields.from / fields.to / fields.actor_id) for bad filters. */
export function listAudit(q: AuditQuery = {}): Promise<Page<AuditRecord>> {
  return api.get<Page<AuditRecord>>(`/admin/audit${queryString(q)}`)
}
