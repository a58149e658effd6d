// Exam day (the formal exam at the centre): the proctor console, the exam
// terminal and the scores console. Server: api/proctoring_handlers.go and
// api/results_handlers.go.
import { api } from './client'
import type { Schemas } from './types'
import type { AttemptView } from './practice'
import { query, type Page } from './types'

export type SeatState = 'not_arrived' | 'refused' | 'absent' | 'checked_in' | 'answering' | 'idle' | 'disconnected' | 'submitted'

export type ExamSession = Schemas['ExamSessionJSON']

export type SeatLine = Schemas['SeatLineJSON']

export type SeatMap = Schemas['SeatMapJSON']

export type Terminal = Schemas['TerminalJSON']

export type ExamRoom = Schemas['ExamRoomJSON']

export type Incident = Schemas['IncidentJSON']

export type SubjectResult = Schemas['SubjectResultJSON']

export type SubjectStat = Schemas['SubjectStatJSON']

export interface ScoresFilter {
  centre_id?: number
  session_id?: number
  from?: string
  to?: string
}

const S = (id: number) => `/proctor/sessions/${id}`

export const proctorApi = {
  sessions: (centreId?: number) => api.get<{ items: ExamSession[] }>(`/proctor/sessions${query({ centre_id: centreId })}`).then((r) => r.items),
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
  list: (f: ScoresFilter, page = 1) => api.get<Page<SubjectResult>>(`/scores${query({ ...f, page, page_size: 20 })}`),
  stats: (f: ScoresFilter) => api.get<{ items: SubjectStat[] }>(`/scores/stats${query({ ...f })}`).then((r) => r.items),
  exportUrl: (f: ScoresFilter) => `/api/v1/scores/export.xlsx${query({ ...f })}`,
  candidate: (id: number) => api.get<{ items: SubjectResult[] }>(`/scores/candidates/${id}`).then((r) => r.items),
  appeal: (attemptId: number) => api.get<{ paper: AttemptView; results: SubjectResult[] }>(`/scores/attempts/${attemptId}/paper`),
}
