// Typed calls for the certificates: the candidate's cards and parcel, the
// public verify page, the window clerk's parcels and pick-up desk, and the
// bureau's certificate search. Types mirror api/cert_handlers.go.
import { API_BASE, api } from './client'
import type { Receiver } from './registration'

export type CertKind = 'taxi' | 'ride_hailing'
export type CertStatus = 'valid' | 'replaced' | 'expired' | 'revoked'
export type ParcelStatus = 'ordered' | 'dispatched' | 'delivered' | 'preparing' | 'at_office' | 'collected'

export interface CertificateCard {
  id: number
  kind: CertKind
  title: string
  version: number
  licence_id: string
  holder: string
  id_number_masked: string
  authority: string
  issued_on: string
  expires_on: string
  status: CertStatus
  verify_url: string
}

export interface Delivery {
  id: number
  method: 'post' | 'pickup'
  status: ParcelStatus
  changeable: boolean
  office_id: number
  waybill: string
  returned: boolean
  receiver: Receiver
  dispatched_at: string | null
  collected_at: string | null
  version: number
}

export interface VerifyResult {
  genuine: boolean
  status: CertStatus
  certificate_id: number
  kind: CertKind
  title: string
  holder: string
  id_number_masked: string
  issued_on: string
  expires_on: string
  version: number
  licence_id: string
  authority: string
}

export interface Parcel {
  id: number
  application_id: number
  method: 'post' | 'pickup'
  status: ParcelStatus
  holder: string
  id_number_masked: string
  receiver: string
  receiver_phone: string
  destination: string
  waybill: string
  returned: boolean
  ordered_at: string | null
  arrived_at: string | null
  collected_at: string | null
  collected_by: string
  proxy: boolean
  proxy_reason: string
  version: number
}

export interface ParcelDetail extends Parcel {
  certificates: CertificateCard[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface CertificateEvent {
  at: string
  action: 'issued' | 'revoked' | 'replaced' | 'reissued'
  actor_kind: string
  actor_id: number
  reason: string
}

export interface CertificateDetail extends CertificateCard {
  candidate_id: number
  application_id: number
  replaced_by: number
  reason: string
  events: CertificateEvent[]
}

export interface CertificateFigures {
  from: string
  to: string
  issued: number
  candidates: number
  by_kind: Record<string, number>
  revoked: number
  replaced: number
  posted: number
  picked_up: number
  returned: number
  by_status: Record<string, number>
  mailed_share: number
}

// ---- candidate ----
export const myCertificates = () => api.get<{ items: CertificateCard[] }>('/me/certificates').then((r) => r.items)
export const certificatePdfUrl = (id: number) => `${API_BASE}/me/certificates/${id}/pdf`
export const certificateQrUrl = (id: number) => `${API_BASE}/me/certificates/${id}/qr.png`
export const certificatePhotoUrl = (id: number) => `${API_BASE}/me/certificates/${id}/photo`
export const myDeliveries = () => api.get<{ items: Delivery[] }>('/me/deliveries').then((r) => r.items)
export const changeDelivery = (id: number, body: { version: number; method: 'post' | 'pickup'; office_id: number; receiver: Receiver }) =>
  api.put<Delivery>(`/me/deliveries/${id}`, body)

// ---- public ----
export const verifyCertificate = (token: string) => api.get<VerifyResult>(`/cert/verify?token=${encodeURIComponent(token)}`)
export const verifiedPhotoUrl = (token: string) => `${API_BASE}/cert/verify/photo?token=${encodeURIComponent(token)}`

// ---- window clerk ----
export const parcels = (q: { status?: string; id_number?: string; page?: number; page_size?: number }) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  return api.get<Page<Parcel>>(`/window/parcels?${p}`)
}
export const parcel = (id: number) => api.get<ParcelDetail>(`/window/parcels/${id}`)
export const parcelPhotoUrl = (id: number) => `${API_BASE}/window/parcels/${id}/photo`
export const parcelSheetUrl = `${API_BASE}/window/parcels/sheet`
export const enterWaybill = (id: number, waybill: string) => api.post<Parcel>(`/window/parcels/${id}/waybill`, { waybill })
export const parcelStep = (id: number, step: 'delivered' | 'returned' | 'arrived') => api.post<Parcel>(`/window/parcels/${id}/${step}`)
export const handOver = (
  id: number,
  body: { version: number; id_number: string; photo_checked: boolean; proxy: boolean; proxy_name: string; proxy_reason: string },
) => api.post<Parcel>(`/window/parcels/${id}/handover`, body)

// ---- bureau ----
export const searchCertificates = (q: { id_number?: string; kind?: string; status?: string; page?: number; page_size?: number }) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  return api.get<Page<CertificateDetail>>(`/admin/certificates?${p}`)
}
export const getCertificate = (id: number) => api.get<CertificateDetail>(`/admin/certificates/${id}`)
export const certificateAction = (id: number, action: 'revoke' | 'replace' | 'reissue', body: { reason: string; name?: string; id_number?: string }) =>
  api.post<CertificateDetail>(`/admin/certificates/${id}/${action}`, body)
export const certificateFigures = (from?: string, to?: string) => {
  const p = new URLSearchParams()
  if (from) p.set('from', from)
  if (to) p.set('to', to)
  return api.get<CertificateFigures>(`/admin/certificates/figures?${p}`)
}
