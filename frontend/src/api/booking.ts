// Typed calls for exam centres, sessions and booking. Types mirror
// api/booking_handlers.go. Every booking write is idempotent.
import { api } from './client'

export interface Centre {
  id: number
  name: string
  address: string
  map_url: string
  phone: string
  notes: string
  disabled: boolean
  version: number
}

export interface Seat {
  number: number
  disabled: boolean
}

export interface Room {
  id: number
  centre_id: number
  name: string
  open_seats: number
  seats: Seat[]
  version: number
}

export type SessionStatus = 'draft' | 'published' | 'checkin_open' | 'in_progress' | 'closed' | 'cancelled'
export const SESSION_STATUSES: readonly SessionStatus[] = ['draft', 'published', 'checkin_open', 'in_progress', 'closed', 'cancelled']

export interface ExamSession {
  id: number
  centre_id: number
  centre_name: string
  centre_address: string
  room_id: number
  room_name: string
  starts_at: string
  ends_at: string
  duration_minutes: number
  capacity: number
  booked: number
  held: number
  free: number
  waiting: number
  status: SessionStatus
  mode: 'first_come' | 'preference'
  round_id: number
  bookable: boolean
  version: number
}

export interface BookingRules {
  cutoff_hours: number
  max_cancellations: number
  window_days: number
  cooling_off_days: number
  offer_hold_minutes: number
  bring: string
  seat_assigned_at_booking: boolean
}

export type BookingStatus = 'booked' | 'cancelled' | 'rescheduled' | 'session_cancelled' | 'checked_in' | 'absent' | 'sat'

export interface Booking {
  id: number
  session_id: number
  seat_number: number
  ticket_no: string
  status: BookingStatus
  replaces_id: number
  created_at: string
  changed_at: string
  checked_in_at: string | null
}

export interface Ticket {
  ticket_no: string
  code: string
  name: string
  id_number: string
  application_id: number
  has_photo: boolean
  bring: string
  map_url: string
  notes: string
}

export interface Waiter {
  id: number
  session_id: number
  status: 'waiting' | 'offered' | 'accepted' | 'expired' | 'left'
  priority: boolean
  offer_expires: string | null
  ahead: number
  session: ExamSession | null
}

export interface BookingHome {
  eligibility: { may_book: boolean; reason: string; subjects: string[] }
  booking: Booking | null
  session: ExamSession | null
  ticket: Ticket | null
  waitlist: Waiter[]
}

export interface BulkItem {
  room_id: number
  room_name: string
  starts_at: string
  duration_minutes: number
  capacity: number
  clash: boolean
}

export interface BulkRequest {
  centre_id: number
  room_ids: number[]
  from: string
  to: string
  weekdays: number[]
  times: string[]
  capacity: number
  mode: string
  publish: boolean
}

export interface RosterLine {
  seat_number: number
  ticket_no: string
  name: string
  id_number: string
  phone: string
  status: BookingStatus
}

export interface Round {
  id: number
  name: string
  closes_at: string
  seed: string
  status: 'open' | 'allocated'
  session_ids: number[]
  allocated_at: string | null
  assigned: number
  unassigned: number
}

export interface OpenRound {
  round: Round
  sessions: ExamSession[]
  mine: number[]
}

export interface Assignment {
  candidate_id: number
  session_id: number
  rank: number
}

export interface DayStat {
  centre_id: number
  day: string
  sessions: number
  capacity: number
  booked: number
  sat: number
  absent: number
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

interface Items<T> {
  items: T[]
}

// Booking writes are idempotent (client.ts keeps one Idempotency-Key per
// intent across retries), so a phone that retries books once.
const idem = { idempotent: true }

function qs(p: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '' && v !== 0) q.set(k, String(v))
  const s = q.toString()
  return s ? '?' + s : ''
}

export const TICKET_QR_URL = '/api/v1/me/booking/ticket/qr.png'

export const bookingApi = {
  rules: () => api.get<BookingRules>('/booking/rules'),
  centres: () => api.get<Items<Centre>>('/booking/centres'),
  calendar: (centreId: number, from?: string, to?: string) => api.get<Items<ExamSession>>('/booking/sessions' + qs({ centre_id: centreId, from, to })),
  home: () => api.get<BookingHome>('/me/booking'),
  book: (sessionId: number) => api.post<BookingHome>('/me/booking', { session_id: sessionId }, idem),
  reschedule: (sessionId: number) => api.post<BookingHome>('/me/booking/reschedule', { session_id: sessionId }, idem),
  cancel: () => api.post<BookingHome>('/me/booking/cancel', undefined, idem),
  joinWaitlist: (sessionId: number) => api.post<BookingHome>('/me/waitlist', { session_id: sessionId }, idem),
  leaveWaitlist: (id: number) => api.delete<void>(`/me/waitlist/${id}`, idem),
  acceptOffer: (id: number) => api.post<BookingHome>(`/me/waitlist/${id}/accept`, undefined, idem),
  openRounds: () => api.get<Items<OpenRound>>('/booking/rounds'),
  rank: (roundId: number, sessionIds: number[]) => api.put<{ session_ids: number[] }>(`/me/rounds/${roundId}/choices`, { session_ids: sessionIds }, idem),
}

export const bookingAdminApi = {
  centres: () => api.get<Items<Centre>>('/admin/centres'),
  createCentre: (c: Partial<Centre>) => api.post<Centre>('/admin/centres', c),
  updateCentre: (id: number, c: Partial<Centre>) => api.put<Centre>(`/admin/centres/${id}`, c),
  rooms: (centreId: number) => api.get<Items<Room>>(`/admin/centres/${centreId}/rooms`),
  createRoom: (centreId: number, r: { name: string; seats: number; disabled: number[] }) => api.post<Room>(`/admin/centres/${centreId}/rooms`, r),
  updateRoom: (id: number, r: { name: string; seats: number; disabled: number[]; version: number }) => api.put<Room>(`/admin/rooms/${id}`, r),
  sessions: (q: { centre_id?: number; from?: string; to?: string; status?: string; page?: number; page_size?: number }) =>
    api.get<Page<ExamSession>>('/admin/sessions' + qs(q)),
  createSession: (s: { room_id: number; date: string; time: string; capacity: number; mode: string }) => api.post<ExamSession>('/admin/sessions', s),
  setStatus: (id: number, status: SessionStatus, version: number) => api.post<ExamSession>(`/admin/sessions/${id}/status`, { status, version }),
  cancelSession: (id: number, version: number, reason: string) => api.post<ExamSession>(`/admin/sessions/${id}/cancel`, { version, reason }),
  deleteSession: (id: number) => api.delete<void>(`/admin/sessions/${id}`),
  previewBulk: (b: BulkRequest) => api.post<Items<BulkItem>>('/admin/sessions/bulk/preview', b),
  createBulk: (b: BulkRequest) => api.post<Items<ExamSession>>('/admin/sessions/bulk', b),
  roster: (id: number) => api.get<{ session: ExamSession; items: RosterLine[] }>(`/admin/sessions/${id}/roster`),
  rosterUrl: (id: number) => `/api/v1/admin/sessions/${id}/roster.xlsx`,
  stats: (from?: string, to?: string) => api.get<Items<DayStat>>('/admin/booking/stats' + qs({ from, to })),
  rounds: () => api.get<Items<Round>>('/admin/rounds'),
  createRound: (r: { name: string; closes_at: string; session_ids: number[] }) => api.post<Round>('/admin/rounds', r),
  roundResult: (id: number) => api.get<{ round: Round; assignments: Assignment[] }>(`/admin/rounds/${id}`),
}
