// Typed calls for the bureau admin's API: staff accounts and the audit log
// (/api/v1/admin/*, bureau_admin only). Types are generated from the route table (types.ts).
import { api } from './client'
import { query, type Page, type Schemas } from './types'
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


export interface PageQuery {
  page?: number
  page_size?: number
}

/** A staff account. centre_id / office_id are 0 when the role has none. */
export type StaffUser = Schemas['StaffUser']

export type NewStaff = Schemas['CreateStaffRequest']

/** Omitted fields stay as they are. */
export type StaffChange = Schemas['UpdateStaffRequest']

export type StaffSession = Schemas['SessionInfo']

export type AuditRecord = Schemas['AuditRecord']

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

export function listStaff(q: PageQuery = {}): Promise<Page<StaffUser>> {
  return api.get<Page<StaffUser>>(`/admin/staff${query(q)}`)
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
  return api.get<Page<AuditRecord>>(`/admin/audit${query(q)}`)
}
