// Typed calls for exam centres, sessions and booking. Types are
// generated from the route table (types.ts). Every booking write is idempotent.
import { api } from './client'
import { query, type Page, type Schemas } from './types'

export type Centre = Schemas['CentreJSON']

export type Seat = Schemas['SeatJSON']

export type Room = Schemas['RoomJSON']

export type SessionStatus = 'draft' | 'published' | 'checkin_open' | 'in_progress' | 'closed' | 'cancelled'
export const SESSION_STATUSES: readonly SessionStatus[] = ['draft', 'published', 'checkin_open', 'in_progress', 'closed', 'cancelled']

export type ExamSession = Schemas['SessionJSON']

export type BookingRules = Schemas['BookingRules']

export type BookingStatus = 'booked' | 'cancelled' | 'rescheduled' | 'session_cancelled' | 'checked_in' | 'absent' | 'sat'

export type Booking = Schemas['BookingJSON']

export type Ticket = Schemas['TicketJSON']

export type Waiter = Schemas['WaiterJSON']

export type BookingHome = Schemas['BookingHome']

export type BulkItem = Schemas['BulkItemJSON']

export type BulkRequest = Schemas['BulkSessionsRequest']

export type RosterLine = Schemas['RosterLineJSON']

export type Round = Schemas['RoundJSON']

export type OpenRound = Schemas['OpenRoundJSON']

export type Assignment = Schemas['AssignmentJSON']
export type AssignmentLine = Schemas['AssignmentLineJSON']

export type DayStat = Schemas['DayStatJSON']


interface Items<T> {
  items: T[]
}

// Booking writes are idempotent (client.ts keeps one Idempotency-Key per
// intent across retries), so a phone that retries books once.
const idem = { idempotent: true }

export const TICKET_QR_URL = '/api/v1/me/booking/ticket/qr.png'

export const bookingApi = {
  rules: () => api.get<BookingRules>('/booking/rules'),
  centres: () => api.get<Items<Centre>>('/booking/centres'),
  calendar: (centreId: number, from?: string, to?: string) => api.get<Items<ExamSession>>('/booking/sessions' + query({ centre_id: centreId, from, to })),
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
  sessions: (q: { centre_id?: number; from?: string; to?: string; status?: string; mode?: string; unrounded?: boolean; page?: number; page_size?: number }) =>
    api.get<Page<ExamSession>>('/admin/sessions' + query(q)),
  createSession: (s: { room_id: number; date: string; time: string; capacity: number; mode: string }) => api.post<ExamSession>('/admin/sessions', s),
  setStatus: (id: number, status: SessionStatus, version: number) => api.post<ExamSession>(`/admin/sessions/${id}/status`, { status, version }),
  cancelSession: (id: number, version: number, reason: string) => api.post<ExamSession>(`/admin/sessions/${id}/cancel`, { version, reason }),
  deleteSession: (id: number) => api.delete<void>(`/admin/sessions/${id}`),
  previewBulk: (b: BulkRequest) => api.post<Items<BulkItem>>('/admin/sessions/bulk/preview', b),
  createBulk: (b: BulkRequest) => api.post<Items<ExamSession>>('/admin/sessions/bulk', b),
  roster: (id: number) => api.get<{ session: ExamSession; items: RosterLine[] }>(`/admin/sessions/${id}/roster`),
  rosterUrl: (id: number) => `/api/v1/admin/sessions/${id}/roster.xlsx`,
  stats: (from?: string, to?: string) => api.get<Items<DayStat>>('/admin/booking/stats' + query({ from, to })),
  rounds: () => api.get<Items<Round>>('/admin/rounds'),
  createRound: (r: { name: string; closes_at: string; session_ids: number[] }) => api.post<Round>('/admin/rounds', r),
  roundResult: (id: number) => api.get<{ round: Round; assignments: Assignment[] }>(`/admin/rounds/${id}`),
  roundAssignments: (id: number, page: number) => api.get<Page<AssignmentLine>>(`/admin/rounds/${id}/assignments` + query({ page, page_size: 50 })),
}
