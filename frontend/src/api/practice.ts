// Practice and mock exams (candidate). Types mirror api/practice_handlers.go
// and api/attempt_handlers.go.
import { api } from './client'

export type Subject = 'national' | 'regional'
export type QuestionType = 'true_false' | 'single' | 'multiple'
export type PracticeMode = 'sequential' | 'chapter' | 'random' | 'wrong' | 'favourites' | 'single' | 'study'

export interface QuestionOption {
  key: string
  text: string
}

export interface PracticeQuestion {
  id: number
  version: number
  subject: Subject
  chapter_id: number
  type: QuestionType
  stem: string
  options: QuestionOption[]
  image_url?: string
  answer?: string[]
  explanation?: string
}

export interface PracticeShown {
  question: PracticeQuestion
  position: number
  total: number
  favourite: boolean
  in_wrong_book: boolean
  answered_before: boolean
}

export interface PracticeChecked {
  correct: boolean
  answer: string[]
  explanation: string
  in_wrong_book: boolean
  streak: number
  next_position?: number
}

export interface PracticeChapter {
  id: number
  subject: Subject
  code: string
  name: string
  questions: number
  answered: number
  attempts: number
  rights: number
  accuracy: number
  in_wrong_book: number
  position: number
}

export interface CardCell {
  position: number
  question_id: number
  state: 'unanswered' | 'right' | 'wrong'
  favourite: boolean
}

export interface PracticeEntry {
  question: PracticeQuestion
  retired: boolean
  attempts: number
  rights: number
  streak: number
  last_correct: boolean
  last_given: string[]
  last_at: string | null
  favourite: boolean
  in_wrong_book: boolean
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface SubjectScore {
  subject: Subject
  score: number
  total: number
  percent: number
  passed: boolean
}

export interface Progress {
  chapters: PracticeChapter[]
  mocks: { attempt_id: number; submitted_at: string; passed: boolean; scores: SubjectScore[] }[]
  readiness: { percent: number; level: 'not_yet' | 'almost' | 'ready'; coverage: number; accuracy: number; mock_avg: number; mocks: number }
}

export interface AttemptSection {
  subject: Subject
  duration_minutes: number
  pass_percent: number
  total_points: number
  questions: number
  score: number | null
  percent: number | null
  correct: number | null
  passed: boolean | null
}

export interface AttemptQuestion {
  position: number
  section: number
  question_id: number
  type: QuestionType
  stem: string
  image_url?: string
  options: QuestionOption[]
  points: number
  given: string[]
  seq: number
  marked: boolean
  answer?: string[]
  explanation?: string
  correct: boolean | null
}

export interface AttemptView {
  id: number
  kind: 'mock' | 'formal'
  status: 'in_progress' | 'submitted'
  started_at: string
  deadline: string
  server_now: string
  remaining_seconds: number
  submitted_at: string | null
  submit_reason?: 'candidate' | 'deadline' | 'proctor'
  passed: boolean | null
  sections: AttemptSection[]
  questions: AttemptQuestion[]
}

export interface AttemptSummary {
  id: number
  status: 'in_progress' | 'submitted'
  started_at: string
  deadline: string
  submitted_at: string | null
  passed: boolean | null
  sections: AttemptSection[]
}

export interface NextQuery {
  mode: PracticeMode
  chapter_id?: number
  subject?: Subject
  position?: number
  seed?: number
  question_id?: number
  exclude?: number
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== 0) p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

export const practiceApi = {
  chapters: () => api.get<{ items: PracticeChapter[] }>('/practice/chapters').then((r) => r.items),
  study: (chapterId: number, page: number) => api.get<Page<PracticeQuestion>>(`/practice/chapters/${chapterId}/study${qs({ page, page_size: 20 })}`),
  card: (chapterId: number) => api.get<{ items: CardCell[] }>(`/practice/chapters/${chapterId}/card`).then((r) => r.items),
  next: (q: NextQuery) => api.get<PracticeShown>(`/practice/next${qs({ ...q })}`),
  answer: (body: { question_id: number; version: number; given: string[]; mode: PracticeMode; chapter_id?: number; position?: number }) =>
    api.post<PracticeChecked>('/practice/answers', body, { idempotent: true }),
  startSession: (mode: PracticeMode, chapterId?: number) => api.post<{ id: number; seed: number }>('/practice/sessions', { mode, chapter_id: chapterId ?? 0 }, { idempotent: true }),
  wrongBook: (page: number) => api.get<Page<PracticeEntry>>(`/practice/wrong-book${qs({ page, page_size: 20 })}`),
  favourites: (page: number) => api.get<Page<PracticeEntry>>(`/practice/favourites${qs({ page, page_size: 20 })}`),
  setFavourite: (questionId: number, on: boolean) =>
    on ? api.put<void>(`/practice/favourites/${questionId}`) : api.delete<void>(`/practice/favourites/${questionId}`),
  progress: () => api.get<Progress>('/practice/progress'),
}

export const mockApi = {
  start: () => api.post<AttemptView>('/mock-exams', undefined, { idempotent: true }),
  list: (page = 1) => api.get<Page<AttemptSummary>>(`/mock-exams${qs({ page })}`),
  get: (id: number) => api.get<AttemptView>(`/mock-exams/${id}`),
  answer: (id: number, questionId: number, body: { given: string[]; seq: number; marked: boolean }) =>
    api.put<{ question_id: number; given: string[]; seq: number; marked: boolean; applied: boolean }>(`/mock-exams/${id}/answers/${questionId}`, body),
  submit: (id: number) => api.post<AttemptView>(`/mock-exams/${id}/submit`),
}
