// Typed calls for registration and the police background check. Types
// mirror api/registration_handlers.go.
import { API_BASE, CSRF_HEADER, CSRF_VALUE, api, parseApiError } from './client'

export interface Option {
  code: string
  label: string
}

export interface RegistrationOptions {
  pledge_items: Option[]
  licence_classes: string[]
  licence_min_years: number
  reject_reasons: Option[]
  photo_max_bytes: number
  photo_min_width: number
  photo_min_height: number
  city: string
}

export interface ChannelLanding {
  code: string
  name: string
  active: boolean
}

export interface Platform {
  id: number
  name: string
  licence_no: string
  contact: string
  drivers_wanted: number
  updated_on: string
  disabled: boolean
  version: number
}

export interface Office {
  id: number
  name: string
  address: string
  hours: string
  disabled: boolean
  version: number
}

export interface Receiver {
  name: string
  phone: string
  province: string
  city: string
  county: string
  address: string
}

export interface ApplicationForm {
  name: string
  id_number: string
  licence_class: string
  licence_first_issued: string
  address: string
  pledge: string[]
  want_taxi: boolean
  want_ride_hailing: boolean
  delivery: '' | 'post' | 'pickup'
  receiver: Receiver
  office_id: number
}

export type AppStatus = 'draft' | 'submitted' | 'under_check' | 'approved' | 'returned' | 'rejected'

export interface TimelineEntry {
  status: AppStatus
  at: string
  note?: string
  sms?: string
}

export interface MyApplication {
  id: number
  status: AppStatus
  version: number
  editable: boolean
  channel_id: number
  form: ApplicationForm
  derived: { birth_date: string; sex: 'male' | 'female' } | null
  has_photo: boolean
  submitted_at: string | null
  decided_at: string | null
  reason_code?: string
  reason?: string
  timeline: TimelineEntry[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface ApplicationSummary {
  id: number
  status: AppStatus
  name_masked: string
  id_number_masked: string
  channel_id: number
  created_at: string
  queued_at: string | null
  decided_at: string | null
  waiting_days: number
  overdue: boolean
}

export interface ReviewApplication {
  id: number
  status: AppStatus
  version: number
  name: string
  /** Masked until the case is taken (takeCase). */
  id_number: string
  /** True when answered by takeCase: full ID number, audited. */
  identity_shown: boolean
  derived: { birth_date: string; sex: 'male' | 'female' } | null
  licence_class: string
  licence_first_issued: string
  address: string
  pledge: Option[]
  has_photo: boolean
  submit_count: number
  queued_at: string | null
  waiting_days: number
  overdue: boolean
  checks: Record<string, 'clear' | 'found'>
  reason_code: string
  reason: string
  timeline: TimelineEntry[]
}

export interface Decision {
  version: number
  checks: Record<string, string>
  outcome: 'approve' | 'return' | 'reject'
  reason_code: string
  reason: string
}

export interface Channel {
  id: number
  code: string
  name: string
  disabled: boolean
  version: number
  url: string
  applications: number
  created_at: string
}

export interface ChannelStat {
  channel_id: number
  code: string
  name: string
  total: number
  by_status: Record<AppStatus, number>
}

export interface RegistrationStats {
  from: string | null
  to: string | null
  total: number
  items: ChannelStat[]
}

export interface DossierMessage {
  id: number
  topic: string
  template: string
  title: string
  summary: string
  status: string
  created_at: string
  sent_at: string | null
}

export interface Dossier {
  application: ReviewApplication
  candidate_id: number
  phone: string
  channel: Channel | null
  form: ApplicationForm
  office: Office | null
  created_at: string
  decided_at: string | null
  messages: DossierMessage[]
}

export function emptyForm(): ApplicationForm {
  return {
    name: '',
    id_number: '',
    licence_class: '',
    licence_first_issued: '',
    address: '',
    pledge: [],
    want_taxi: true,
    want_ride_hailing: true,
    delivery: '',
    receiver: { name: '', phone: '', province: '', city: '', county: '', address: '' },
    office_id: 0,
  }
}

async function upload<T>(path: string, file: Blob, filename: string): Promise<T> {
  const body = new FormData()
  body.append('file', file, filename)
  const res = await fetch(API_BASE + path, {
    method: 'POST',
    body,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', [CSRF_HEADER]: CSRF_VALUE },
  })
  const text = await res.text()
  if (!res.ok) throw parseApiError(res.status, text, res.statusText, res.headers.get('Retry-After'))
  return JSON.parse(text) as T
}

export const registrationApi = {
  options: () => api.get<RegistrationOptions>('/registration/options'),
  channel: (code: string) => api.get<ChannelLanding>(`/registration/channels/${encodeURIComponent(code)}`),
  platforms: () => api.get<{ items: Platform[] }>('/registration/platforms'),
  offices: () => api.get<{ items: Office[] }>('/registration/offices'),

  mine: () => api.get<{ items: MyApplication[] }>('/me/applications'),
  start: (channel: string) => api.post<MyApplication>('/me/applications', { channel }, { idempotent: true }),
  get: (id: number) => api.get<MyApplication>(`/me/applications/${id}`),
  save: (id: number, version: number, form: ApplicationForm) => api.put<MyApplication>(`/me/applications/${id}`, { version, form }),
  submit: (id: number, version: number) => api.post<MyApplication>(`/me/applications/${id}/submit`, { version }, { idempotent: true }),
  uploadPhoto: (id: number, file: Blob, name: string) => upload<MyApplication>(`/me/applications/${id}/photo`, file, name),
  photoURL: (id: number) => `${API_BASE}/me/applications/${id}/photo`,

  queue: (page: number, overdue: boolean) =>
    api.get<Page<ApplicationSummary>>(`/review/queue?page=${page}&page_size=20${overdue ? '&overdue=true' : ''}`),
  review: (id: number) => api.get<ReviewApplication>(`/review/applications/${id}`),
  takeCase: (id: number) => api.post<ReviewApplication>(`/review/applications/${id}/take`),
  reviewPhotoURL: (id: number) => `${API_BASE}/review/applications/${id}/photo`,
  decide: (id: number, d: Decision) => api.post<ApplicationSummary>(`/review/applications/${id}/decision`, d),
  exportURL: () => `${API_BASE}/review/export.xlsx`,
  importResults: (file: Blob, name: string) => upload<{ applied: number; skipped: number }>('/review/import', file, name),

  channels: () => api.get<{ items: Channel[] }>('/admin/channels'),
  createChannel: (name: string, code: string) => api.post<Channel>('/admin/channels', { name, code }),
  updateChannel: (id: number, version: number, change: { name?: string; disabled?: boolean }) =>
    api.patch<Channel>(`/admin/channels/${id}`, { version, ...change }),
  qrPngURL: (id: number, size = 1024) => `${API_BASE}/admin/channels/${id}/qr.png?size=${size}`,
  qrSvgURL: (id: number) => `${API_BASE}/admin/channels/${id}/qr.svg`,
  posterURL: (id: number) => `${API_BASE}/admin/channels/${id}/poster`,
  stats: (from: string, to: string) =>
    api.get<RegistrationStats>(`/admin/registration/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
  search: (q: { page: number; status?: string; channel_id?: number; from?: string; to?: string }) => {
    const p = new URLSearchParams({ page: String(q.page), page_size: '20' })
    if (q.status) p.set('status', q.status)
    if (q.channel_id) p.set('channel_id', String(q.channel_id))
    if (q.from) p.set('from', q.from)
    if (q.to) p.set('to', q.to)
    return api.get<Page<ApplicationSummary>>(`/admin/applications?${p}`)
  },
  dossier: (id: number) => api.get<Dossier>(`/admin/applications/${id}`),
  revokeCandidateSessions: (candidateId: number) => api.post<void>(`/admin/candidates/${candidateId}/revoke-sessions`),
  allPlatforms: () => api.get<{ items: Platform[] }>('/admin/platforms'),
  createPlatform: (p: Omit<Platform, 'id' | 'version'>) => api.post<Platform>('/admin/platforms', { ...p, version: 0 }),
  updatePlatform: (p: Platform) => {
    const { id, ...rest } = p
    return api.put<Platform>(`/admin/platforms/${id}`, rest)
  },
  allOffices: () => api.get<{ items: Office[] }>('/admin/offices'),
  createOffice: (o: Omit<Office, 'id' | 'version'>) => api.post<Office>('/admin/offices', { ...o, version: 0 }),
}
