// Typed calls for /api/v1/auth/*.
import { api, type RequestOptions } from './client'

export type Role =
  | 'candidate'
  | 'police_reviewer'
  | 'proctor'
  | 'window_clerk'
  | 'question_editor'
  | 'bureau_admin'

export type UserKind = 'candidate' | 'staff'

/** GET /auth/me: the logged-in user. */
export interface Me {
  id: number
  kind: UserKind
  role: Role
  /** Staff only. */
  username?: string
  display_name?: string
  /** Candidates only, e.g. "138****8000". */
  phone_masked?: string
  centre_id: number | null
  office_id: number | null
}

export interface SmsCodeResult {
  resend_after_seconds: number
}

export interface LoginResult {
  user: Me
}

/** Sends an SMS login code. 422 (fields.phone) for a bad number, 429 rate_limited. */
export function requestSmsCode(phone: string): Promise<SmsCodeResult> {
  return api.post<SmsCodeResult>('/auth/sms-code', { phone })
}

/** 401 invalid_code for a wrong or expired code. */
export function candidateLogin(phone: string, code: string): Promise<LoginResult> {
  return api.post<LoginResult>('/auth/candidate/login', { phone, code })
}

/** 401 invalid_credentials; 423 account_locked (the message says until when). */
export function staffLogin(username: string, password: string): Promise<LoginResult> {
  return api.post<LoginResult>('/auth/staff/login', { username, password })
}

export function logout(opts?: RequestOptions): Promise<void> {
  return api.post<void>('/auth/logout', undefined, opts)
}

/** 401 unauthenticated when nobody is logged in. */
export function fetchMe(opts?: RequestOptions): Promise<Me> {
  return api.get<Me>('/auth/me', opts)
}

/** One of the candidate's own logins (GET /me/sessions). */
export interface MySession {
  /** 12-character handle. */
  id: string
  created_at: string
  expires_at: string
  ip: string
  user_agent: string
  current: boolean
}

export const sessionsApi = {
  mine: () => api.get<{ items: MySession[] }>('/me/sessions'),
  end: (id: string) => api.delete<void>(`/me/sessions/${encodeURIComponent(id)}`),
  endAll: () => api.post<void>('/me/sessions/revoke-all'),
}
