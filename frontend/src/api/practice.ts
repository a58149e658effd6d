// Practice and mock exams (candidate). Types are generated
// from the route table (types.ts).
import { api } from './client'
import { query, type Page, type Schemas } from './types'

export type Subject = 'national' | 'regional'
export type QuestionType = 'true_false' | 'single' | 'multiple'
export type PracticeMode = 'sequential' | 'chapter' | 'random' | 'wrong' | 'favourites' | 'single' | 'study'

export type QuestionOption = Schemas['QuestionOption']

export type PracticeQuestion = Schemas['PracticeQuestion']

export type PracticeShown = Schemas['PracticeShown']

export type PracticeChecked = Schemas['PracticeChecked']

export type PracticeChapter = Schemas['PracticeChapter']

export type CardCell = Schemas['PracticeCardCell']

export type PracticeEntry = Schemas['PracticeEntry']


export type SubjectScore = Schemas['SubjectScore']

export type Progress = Schemas['PracticeProgress']

export type AttemptSection = Schemas['AttemptSection']

export type AttemptQuestion = Schemas['AttemptQuestion']

export type AttemptView = Schemas['AttemptView']

export type AttemptSummary = Schemas['AttemptSummary']

export interface NextQuery {
  mode: PracticeMode
  chapter_id?: number
  subject?: Subject
  position?: number
  seed?: number
  question_id?: number
  exclude?: number
}

export const practiceApi = {
  chapters: () => api.get<{ items: PracticeChapter[] }>('/practice/chapters').then((r) => r.items),
  study: (chapterId: number, page: number) => api.get<Page<PracticeQuestion>>(`/practice/chapters/${chapterId}/study${query({ page, page_size: 20 })}`),
  card: (chapterId: number) => api.get<{ items: CardCell[] }>(`/practice/chapters/${chapterId}/card`).then((r) => r.items),
  next: (q: NextQuery) => api.get<PracticeShown>(`/practice/next${query({ ...q })}`),
  answer: (body: { question_id: number; version: number; given: string[]; mode: PracticeMode; chapter_id?: number; position?: number }) =>
    api.post<PracticeChecked>('/practice/answers', body, { idempotent: true }),
  startSession: (mode: PracticeMode, chapterId?: number) => api.post<{ id: number; seed: number }>('/practice/sessions', { mode, chapter_id: chapterId ?? 0 }, { idempotent: true }),
  wrongBook: (page: number) => api.get<Page<PracticeEntry>>(`/practice/wrong-book${query({ page, page_size: 20 })}`),
  favourites: (page: number) => api.get<Page<PracticeEntry>>(`/practice/favourites${query({ page, page_size: 20 })}`),
  setFavourite: (questionId: number, on: boolean) =>
    on ? api.put<void>(`/practice/favourites/${questionId}`) : api.delete<void>(`/practice/favourites/${questionId}`),
  progress: () => api.get<Progress>('/practice/progress'),
}

/** GET /mock-exams/rules: what the next mock exam is, before its clock starts. */
export type MockRules = Schemas['MockRulesJSON']

export const mockApi = {
  rules: () => api.get<MockRules>('/mock-exams/rules'),
  start: () => api.post<AttemptView>('/mock-exams', undefined, { idempotent: true }),
  list: (page = 1) => api.get<Page<AttemptSummary>>(`/mock-exams${query({ page })}`),
  get: (id: number) => api.get<AttemptView>(`/mock-exams/${id}`),
  answer: (id: number, questionId: number, body: { given: string[]; seq: number; marked: boolean }) =>
    api.put<{ question_id: number; given: string[]; seq: number; marked: boolean; applied: boolean }>(`/mock-exams/${id}/answers/${questionId}`, body),
  submit: (id: number) => api.post<AttemptView>(`/mock-exams/${id}/submit`),
}
