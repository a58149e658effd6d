// Typed calls for the archive (dossiers, exports, retention), the ledger and
// the staff second factor. Types mirror internal/archive/model.go (the
// dossier file format "taxiexam-dossier/1"), api/archive_handlers.go,
// api/ledger_handlers.go and api/mfa_handlers.go.
import { api } from './client'
import type { Me } from './auth'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

function qs(q: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

// ---------------------------------------------------------------- dossier

export interface ArchiveHit {
  candidate_id: number
  name_masked: string
  id_number_masked: string
  phone_masked: string
  application_id: number
  status: string
  updated_at: string
}

export interface Receiver {
  name: string
  phone: string
  province: string
  city: string
  county: string
  address: string
}

export interface FormRecord {
  name: string
  id_number: string
  licence_class: string
  licence_first_issued: string
  address: string
  pledge: string[]
  want_taxi: boolean
  want_ride_hailing: boolean
  delivery: string
  receiver: Receiver
  office: string
}

export interface ApplicationRecord {
  id: number
  channel: string
  status: string
  created_at: string
  submitted_at: string | null
  decided_at: string | null
  submit_count: number
  form: FormRecord
  police_checks: Record<string, string>
  reason_code: string
  reason: string
  photo_on_file: boolean
  versions: { version: number; submitted_at: string; form: FormRecord; changed: string[] }[]
  history: { at: string; status: string; actor: string; note: string; sms: string }[]
}

export interface BookingRecord {
  id: number
  session_id: number
  centre_id: number
  centre: string
  room: string
  starts_at: string
  seat: number
  ticket_no: string
  status: string
  replaces_id: number
  created_at: string
  changed_at: string
  checked_in_at: string | null
}

export interface AttemptRecord {
  id: number
  kind: 'mock' | 'formal'
  started_at: string
  deadline: string
  submitted_at: string | null
  submitted_by: string
  passed: boolean
  sections: { subject: string; questions: number; correct: number; score: number; total_points: number; pass_percent: number; passed: boolean }[]
}

export interface ResultRecord {
  id: number
  attempt_id: number
  session_id: number
  centre_id: number
  subject: string
  score: number
  total_points: number
  pass_percent: number
  passed: boolean
  sat_at: string
  valid_until: string
  valid_now: boolean
}

export interface CertificateRecord {
  id: number
  kind: string
  version: number
  licence_id: string
  holder: string
  id_number: string
  issued_on: string
  expires_on: string
  status: string
  reason: string
  replaced_by: number
  history: { at: string; action: string; actor: string; reason: string }[]
}

export interface DeliveryRecord {
  id: number
  application_id: number
  office_id: number
  method: string
  status: string
  receiver: Receiver
  waybill: string
  returned: boolean
  ordered_at: string | null
  dispatched_at: string | null
  delivered_at: string | null
  arrived_at: string | null
  collected_at: string | null
  collected_by: string
  proxy: boolean
  proxy_reason: string
  handed_over_by: number
}

export interface Dossier {
  format: string
  generated_at: string
  full_personal_data: boolean
  scope: string
  candidate: { candidate_id: number; name: string; id_number: string; phone: string; registered_at: string }
  applications: ApplicationRecord[]
  bookings: BookingRecord[]
  attempts: AttemptRecord[]
  results: ResultRecord[]
  certificates: CertificateRecord[]
  deliveries: DeliveryRecord[]
  messages: { id: number; topic: string; template: string; title: string; to: string; summary: string; status: string; created_at: string; sent_at: string | null }[]
  staff_actions: { at: string; actor: string; action: string; target: string; ip: string; before: string; after: string }[]
  ledger: { seq: number; kind: string; subject: string; at: string; hash: string }[]
}

export interface Paper {
  attempt_id: number
  kind: string
  questions: {
    position: number
    subject: string
    question_id: number
    version: number
    type: string
    stem: string
    options: { key: string; text: string }[]
    given: string[]
    answer: string[]
    correct: boolean
    points: number
  }[]
}

export interface ArchiveExport {
  id: number
  from: string
  to: string
  status: 'queued' | 'running' | 'done' | 'failed'
  total: number
  done: number
  percent: number
  bytes: number
  error: string
  created_at: string
  finished_at: string | null
}

export interface RetentionReport {
  at: string
  dry_run: boolean
  lines: { what: string; action: string; years: number; cutoff: string; records: number; candidates: number; oldest: string | null; description: string }[]
}

export const dossierPdfURL = (id: number) => `/api/v1/archive/candidates/${id}/dossier.pdf`
export const dossierZipURL = (id: number) => `/api/v1/archive/candidates/${id}/dossier.zip`
export const exportFileURL = (id: number) => `/api/v1/archive/exports/${id}/file`

export const archiveApi = {
  search: (q: string, page = 1, pageSize = 20) => api.get<Page<ArchiveHit>>('/archive/candidates' + qs({ q, page, page_size: pageSize })),
  dossier: (id: number, full = false) => api.get<Dossier>(`/archive/candidates/${id}` + qs({ full: full || undefined })),
  paper: (id: number, attemptId: number) => api.get<Paper>(`/archive/candidates/${id}/attempts/${attemptId}`),
  startExport: (from: string, to: string) => api.post<ArchiveExport>('/archive/exports', { from, to }),
  exports: (page = 1) => api.get<Page<ArchiveExport>>('/archive/exports' + qs({ page, page_size: 10 })),
  exportOne: (id: number) => api.get<ArchiveExport>(`/archive/exports/${id}`),
  retention: () => api.get<RetentionReport>('/archive/retention'),
}

// ---------------------------------------------------------------- ledger

export interface LedgerProblem {
  seq: number
  kind: string
  subject: string
  code: string
  /** English, as the command line prints it; screens word it from why + params + changes. */
  detail: string
  why: string
  params: Record<string, string>
  changes: { field: string; recorded: string; now: string }[]
}

export interface LedgerReport {
  ok: boolean
  entries: number
  head_seq: number
  head_hash: string
  records: number
  checkpoints: number
  pending: number
  first_broken: LedgerProblem | null
  problems: LedgerProblem[]
  total_problems: number
  checked_at: string
  took_ms: number
}

export interface LedgerEntry {
  seq: number
  prev_hash: string
  hash: string
  kind: string
  subject: string
  at: string
  payload: string
}

export interface LedgerCheckpoint {
  id?: number
  format: string
  seq: number
  hash: string
  at: string
  key_id: string
  signature: string
}

export const checkpointURL = (id: number) => `/api/v1/admin/ledger/checkpoints/${id}`

export const ledgerApi = {
  verify: (checkpoint?: LedgerCheckpoint) => api.post<LedgerReport>('/admin/ledger/verify', checkpoint ? { checkpoint } : {}),
  entries: (page = 1) => api.get<Page<LedgerEntry>>('/admin/ledger/entries' + qs({ page, page_size: 10 })),
  checkpoints: () => api.get<Page<LedgerCheckpoint>>('/admin/ledger/checkpoints' + qs({ page_size: 10 })),
  checkpoint: () => api.post<LedgerCheckpoint>('/admin/ledger/checkpoints'),
}

// ---------------------------------------------------------------- second factor

export interface MFAChallenge {
  challenge: string
  /** The role requires a second factor the account does not have yet: enrol now. */
  enrol: boolean
  expires_at: string
}

export interface StaffLoginResult {
  user?: Me
  mfa?: MFAChallenge
  recovery_codes?: string[]
}

export interface MFAEnrolment {
  secret: string
  otpauth_uri: string
  /** data: URL of the QR code. */
  qr_png: string
}

export interface MFAStatus {
  enabled: boolean
  required: boolean
  enabled_at: string | null
  recovery_codes_left: number
}

export const mfaApi = {
  login: (challenge: string, code: string, recoveryCode = '') =>
    api.post<StaffLoginResult>('/auth/staff/mfa', { challenge, code: recoveryCode ? '' : code, recovery_code: recoveryCode }),
  enrolAtLogin: (challenge: string) => api.post<MFAEnrolment>('/auth/staff/mfa/enrolment', { challenge }),
  status: () => api.get<MFAStatus>('/me/mfa'),
  begin: () => api.post<MFAEnrolment>('/me/mfa/enrolment'),
  confirm: (code: string) => api.post<{ recovery_codes: string[] }>('/me/mfa/confirm', { code }),
  renewCodes: (code: string) => api.post<{ recovery_codes: string[] }>('/me/mfa/recovery-codes', { code }),
  disable: (code: string) => api.post<void>('/me/mfa/disable', { code }),
  reset: (staffId: number) => api.post<void>(`/admin/staff/${staffId}/mfa/reset`),
}
