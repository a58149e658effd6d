// Typed calls for registration and the police background check. Types
// are generated from the route table (types.ts).
import { API_BASE, CSRF_HEADER, CSRF_VALUE, api, parseApiError } from './client'
import { query, type Page, type Schemas } from './types'

export interface Option {
  code: string
  label: string
}

export type RegistrationOptions = Schemas['RegistrationOptions']

export type ChannelLanding = Schemas['ChannelLanding']

export type Platform = Schemas['PlatformJSON']

export type Office = Schemas['OfficeJSON']

export type Receiver = Schemas['ReceiverJSON']

export type ApplicationForm = Schemas['ApplicationForm']

export type AppStatus = 'draft' | 'submitted' | 'under_check' | 'approved' | 'returned' | 'rejected'

export type TimelineEntry = Schemas['TimelineEntry']

export type MyApplication = Schemas['MyApplication']


export type ApplicationSummary = Schemas['ApplicationSummary']

export type ReviewApplication = Schemas['ReviewApplication']

export interface Decision {
  version: number
  checks: Record<string, string>
  outcome: 'approve' | 'return' | 'reject'
  reason_code: string
  reason: string
}

export type Channel = Schemas['ChannelJSON']

export type ChannelStat = Schemas['ChannelStatJSON']

export type RegistrationStats = Schemas['RegistrationStats']

export type DossierMessage = Schemas['DossierMessage']

export type Dossier = Schemas['Dossier']

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
    api.get<Page<ApplicationSummary>>(`/review/queue${query({ page, page_size: 20, overdue: overdue || undefined })}`),
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
    api.get<RegistrationStats>(`/admin/registration/stats${query({ from, to })}`),
  search: (q: { page: number; status?: string; channel_id?: number; from?: string; to?: string }) =>
    api.get<Page<ApplicationSummary>>(
      `/admin/applications${query({ page: q.page, page_size: 20, status: q.status, channel_id: q.channel_id, from: q.from, to: q.to })}`,
    ),
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
