// Typed calls for the certificates: the candidate's cards and parcel, the
// public verify page, the window clerk's parcels and pick-up desk, and the
// bureau's certificate search. Types are generated from the route table (types.ts).
import { API_BASE, api } from './client'
import { query, type Page, type Schemas } from './types'
import type { Receiver } from './registration'

export type CertKind = 'taxi' | 'ride_hailing'
export type CertStatus = 'valid' | 'replaced' | 'expired' | 'revoked'
export type ParcelStatus = 'ordered' | 'dispatched' | 'delivered' | 'preparing' | 'at_office' | 'collected'

export type CertificateCard = Schemas['CertificateCard']

export type Delivery = Schemas['DeliveryJSON']

export type VerifyResult = Schemas['VerifyResult']

export type Parcel = Schemas['ParcelJSON']

export interface ParcelDetail extends Parcel {
  certificates: CertificateCard[]
}


export type CertificateEvent = Schemas['CertificateEventJSON']

export interface CertificateDetail extends CertificateCard {
  candidate_id: number
  application_id: number
  replaced_by: number
  reason: string
  events: CertificateEvent[]
}

export type CertificateFigures = Schemas['CertificateFigures']

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
export const parcels = (q: { status?: string; id_number?: string; page?: number; page_size?: number }) =>
  api.get<Page<Parcel>>(`/window/parcels${query(q)}`)
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
export const searchCertificates = (q: { id_number?: string; kind?: string; status?: string; page?: number; page_size?: number }) =>
  api.get<Page<CertificateDetail>>(`/admin/certificates${query(q)}`)
export const getCertificate = (id: number) => api.get<CertificateDetail>(`/admin/certificates/${id}`)
export const certificateAction = (id: number, action: 'revoke' | 'replace' | 'reissue', body: { reason: string; name?: string; id_number?: string }) =>
  api.post<CertificateDetail>(`/admin/certificates/${id}/${action}`, body)
export const certificateFigures = (from?: string, to?: string) =>
  api.get<CertificateFigures>(`/admin/certificates/figures${query({ from, to })}`)
