// Exam day (the formal exam at the centre): the proctor console, the exam
// terminal and the scores console. Server: api/proctoring_handlers.go and
// api/results_handlers.go.
import { api } from './client'
import type { AttemptView, Page, Subject } from './practice'

export type SeatState = 'not_arrived' | 'refused' | 'absent' | 'checked_in' | 'answering' | 'idle' | 'disconnected' | 'submitted'

export interface ExamSession {
  id: number
  centre_id: number
  centre_name: string
  room_id: number
  room_name: string
  starts_at: string
  duration_minutes: number
  status: string
}

export interface SeatLine {
  booking_id: number
  candidate_id: number
  ticket_no: string
  seat: number
  name: string
  id_number_masked: string
  has_photo: boolean
  state: SeatState
  reason?: string
  terminal_id: number
  terminal_seat: number
  attempt_id: number
  answered: number
  total: number
  last_answer_at: string | null
  deadline: string | null
  passed: boolean | null
  score: number | null
  subjects: Subject[]
}

export interface SeatMap {
  session: ExamSession
  run: { started_at: string | null; ended_at: string | null }
  server_now: string
  lines: SeatLine[]
}

export interface Terminal {
  id: number
  status: 'pending' | 'active' | 'revoked'
  code?: string
  centre_id: number
  room_id: number
  seat: number
  name: string
  enrolled_at: string | null
  last_seen_at: string | null
}

export interface ExamRoom {
  id: number
  name: string
  seats: number
}

export interface Incident {
  id: number
  booking_id: number
  note: string
  by: number
  at: string
}

export interface SubjectResult {
  id: number
  candidate_id: number
  application_id: number
  attempt_id: number
  session_id: number
  centre_id: number
  subject: Subject
  score: number
  total_points: number
  percent: number
  pass_percent: number
  passed: boolean
  sat_at: string
  valid_until: string | null
}

export interface SubjectStat {
  subject: Subject
  sat: number
  passed: number
  pass_rate_pct: number
}

export interface ScoresFilter {
  centre_id?: number
  session_id?: number
  from?: string
  to?: string
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== 0) p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

const S = (id: number) => `/proctor/sessions/${id}`

export const proctorApi = {
  sessions: (centreId?: number) => api.get<{ items: ExamSession[] }>(`/proctor/sessions${qs({ centre_id: centreId })}`).then((r) => r.items),
  seatMap: (id: number) => api.get<SeatMap>(`${S(id)}/seat-map`),
  checkTicket: (id: number, code: string) => api.post<{ line: SeatLine; late: boolean }>(`${S(id)}/ticket-check`, { code }),
  decide: (id: number, bookingId: number, admit: boolean, reason = '') =>
    api.post<SeatLine>(`${S(id)}/decisions`, { booking_id: bookingId, admit, reason }),
  absent: (id: number, bookingId: number, reason = '') => api.post<SeatLine>(`${S(id)}/absent`, { booking_id: bookingId, reason }),
  photoUrl: (id: number, bookingId: number) => `/api/v1${S(id)}/bookings/${bookingId}/photo`,
  start: (id: number) => api.post<{ started_at: string | null }>(`${S(id)}/start`),
  end: (id: number, reason = '') => api.post<SeatMap>(`${S(id)}/end`, { reason }),
  extend: (id: number, bookingId: number, minutes: number, reason: string) =>
    api.post<SeatLine>(`${S(id)}/extend`, { booking_id: bookingId, minutes, reason }),
  move: (id: number, bookingId: number, terminalId: number, reason: string) =>
    api.post<SeatLine>(`${S(id)}/move`, { booking_id: bookingId, terminal_id: terminalId, reason }),
  forceSubmit: (id: number, bookingId: number, reason: string) => api.post<SeatLine>(`${S(id)}/force-submit`, { booking_id: bookingId, reason }),
  incidents: (id: number) => api.get<{ items: Incident[] }>(`${S(id)}/incidents`).then((r) => r.items),
  addIncident: (id: number, note: string, bookingId = 0) => api.post<Incident>(`${S(id)}/incidents`, { booking_id: bookingId, note }),
  rooms: () => api.get<{ items: ExamRoom[] }>('/proctor/rooms').then((r) => r.items),
  terminals: () => api.get<{ items: Terminal[] }>('/proctor/terminals').then((r) => r.items),
  enrol: (code: string, roomId: number, seat: number, name = '') => api.post<Terminal>('/proctor/terminals', { code, room_id: roomId, seat, name }),
  revoke: (id: number, reason: string) => api.post<Terminal>(`/proctor/terminals/${id}/revoke`, { reason }),
}

export const terminalApi = {
  // These calls never trigger the login redirect: the terminal page handles 401 itself.
  beginEnrolment: () => api.post<Terminal>('/terminal/enrolment', undefined, { skipAuthRedirect: true }),
  self: () => api.get<Terminal>('/terminal', { skipAuthRedirect: true }),
  login: (ticketNo: string, idNumber: string) =>
    api.post<{ booking_id: number; seat: number }>('/terminal/login', { ticket_no: ticketNo, id_number: idNumber }, { skipAuthRedirect: true }),
  paper: () => api.get<AttemptView>('/terminal/exam', { skipAuthRedirect: true }),
  answer: (questionId: number, body: { given: string[]; seq: number; marked: boolean }) =>
    api.put<{ question_id: number; given: string[]; seq: number; marked: boolean; applied: boolean }>(`/terminal/exam/answers/${questionId}`, body, {
      skipAuthRedirect: true,
    }),
  submit: () => api.post<AttemptView>('/terminal/exam/submit', undefined, { skipAuthRedirect: true }),
}

export const scoresApi = {
  list: (f: ScoresFilter, page = 1) => api.get<Page<SubjectResult>>(`/scores${qs({ ...f, page, page_size: 20 })}`),
  stats: (f: ScoresFilter) => api.get<{ items: SubjectStat[] }>(`/scores/stats${qs({ ...f })}`).then((r) => r.items),
  exportUrl: (f: ScoresFilter) => `/api/v1/scores/export.xlsx${qs({ ...f })}`,
  candidate: (id: number) => api.get<{ items: SubjectResult[] }>(`/scores/candidates/${id}`).then((r) => r.items),
  appeal: (attemptId: number) => api.get<{ paper: AttemptView; results: SubjectResult[] }>(`/scores/attempts/${attemptId}/paper`),
}
