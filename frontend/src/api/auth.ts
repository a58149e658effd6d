// Typed calls for /api/v1/auth/*.
import { api, type RequestOptions } from './client'
import type { Schemas } from './types'

export type Role =
  | 'candidate'
  | 'police_reviewer'
  | 'proctor'
  | 'window_clerk'
  | 'question_editor'
  | 'bureau_admin'

export type UserKind = 'candidate' | 'staff'

/** GET /auth/me: the logged-in user. */
export type Me = Schemas['Me']

export type SmsCodeResult = Schemas['SMSCodeResponse']

export type LoginResult = Schemas['LoginResponse']

/** Sends an SMS login code. 422 (fields.phone) for a bad number, 429 rate_limited. */
export function requestSmsCode(phone: string): Promise<SmsCodeResult> {
  return api.post<SmsCodeResult>('/auth/sms-code', { phone })
}

/** 401 invalid_code for a wrong or expired code. */
export function candidateLogin(phone: string, code: string): Promise<LoginResult> {
  return api.post<LoginResult>('/auth/candidate/login', { phone, code })
}

/** The password step of a staff login: the user, or `mfa` when a code must follow. */
export interface StaffPasswordResult {
  user?: Me
  mfa?: { challenge: string; enrol: boolean; expires_at: string }
}

/** 401 invalid_credentials; 423 account_locked (the message says until when). */
export function staffLogin(username: string, password: string): Promise<StaffPasswordResult> {
  return api.post<StaffPasswordResult>('/auth/staff/login', { username, password })
}

export function logout(opts?: RequestOptions): Promise<void> {
  return api.post<void>('/auth/logout', undefined, opts)
}

/** POST /me/password: 422 current_password_wrong, password_unchanged, or invalid_input (fields.new_password). */
export function changePassword(current: string, next: string): Promise<void> {
  return api.post<void>('/me/password', { current_password: current, new_password: next })
}

/** 401 unauthenticated when nobody is logged in. */
export function fetchMe(opts?: RequestOptions): Promise<Me> {
  return api.get<Me>('/auth/me', opts)
}

/** One of the candidate's own logins (GET /me/sessions). */
export type MySession = Schemas['MySession']

export const sessionsApi = {
  mine: () => api.get<{ items: MySession[] }>('/me/sessions'),
  end: (id: string) => api.delete<void>(`/me/sessions/${encodeURIComponent(id)}`),
  endAll: () => api.post<void>('/me/sessions/revoke-all'),
}
