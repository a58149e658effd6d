// Typed calls for the question bank console (/api/v1/bank/*; question
// editors and bureau admins). Types are generated from the route table (types.ts).
import { API_BASE, CSRF_HEADER, CSRF_VALUE, api, parseApiError, ApiError } from './client'
import { query, type Page, type Schemas } from './types'


export type Subject = 'national' | 'regional'
export type QuestionType = 'true_false' | 'single' | 'multiple'
export type QuestionStatus = 'draft' | 'in_review' | 'published' | 'retired'
export type QuestionContext = 'both' | 'taxi' | 'ride_hailing'

export type Chapter = Schemas['BankChapter']

export type Option = Schemas['BankOption']

export type Question = Schemas['BankQuestion']

export type QuestionInput = Schemas['QuestionRequest']

export type Version = Schemas['BankVersion']

export interface SearchQuery {
  subject?: Subject | ''
  chapter_id?: number
  type?: QuestionType | ''
  status?: QuestionStatus | ''
  text?: string
  page?: number
  page_size?: number
}

export type RowError = Schemas['ImportRowError']

export type ImportPreview = Schemas['ImportPreview']

export type BlueprintItem = Schemas['BlueprintItemJSON']

export type BlueprintSection = Schemas['BlueprintSectionJSON']

export type Blueprint = Schemas['BankBlueprint']

export type Image = Schemas['BankImage']

export const listChapters = () => api.get<{ items: Chapter[] }>('/bank/chapters').then((r) => r.items)
export const createChapter = (c: { subject: Subject; code: string; name: string; sort: number }) => api.post<Chapter>('/bank/chapters', c)
export const updateChapter = (id: number, c: { version: number; name: string; sort: number }) => api.patch<Chapter>(`/bank/chapters/${id}`, c)
export const deleteChapter = (id: number) => api.delete<void>(`/bank/chapters/${id}`)

export const searchQuestions = (q: SearchQuery) => api.get<Page<Question>>('/bank/questions' + query(q))
export const getQuestion = (id: number) => api.get<Question>(`/bank/questions/${id}`)
export const questionVersions = (id: number) => api.get<{ items: Version[] }>(`/bank/questions/${id}/versions`).then((r) => r.items)
export const createQuestion = (q: QuestionInput) => api.post<Question>('/bank/questions', q)
export const updateQuestion = (id: number, rowVersion: number, q: QuestionInput) => api.put<Question>(`/bank/questions/${id}`, { row_version: rowVersion, ...q })
export const submitQuestion = (id: number, rowVersion: number) => api.post<Question>(`/bank/questions/${id}/submit`, { row_version: rowVersion })
export const approveQuestion = (id: number, rowVersion: number) => api.post<Question>(`/bank/questions/${id}/approve`, { row_version: rowVersion })
export const rejectQuestion = (id: number, rowVersion: number, note: string) => api.post<Question>(`/bank/questions/${id}/reject`, { row_version: rowVersion, note })
export const retireQuestion = (id: number, rowVersion: number) => api.post<Question>(`/bank/questions/${id}/retire`, { row_version: rowVersion })

export const listBlueprints = () => api.get<{ items: Blueprint[] }>('/bank/blueprints').then((r) => r.items)
export type BlueprintInput = Omit<Blueprint, 'id' | 'shortfalls'>
export const createBlueprint = (b: BlueprintInput) => api.post<Blueprint>('/bank/blueprints', b)
export const updateBlueprint = (id: number, b: BlueprintInput) => api.put<Blueprint>(`/bank/blueprints/${id}`, b)

/** Sends a file as multipart/form-data (field "file"). */
async function upload<T>(path: string, file: File): Promise<T> {
  const fd = new FormData()
  fd.append('file', file, file.name)
  let res: Response
  try {
    res = await fetch(API_BASE + path, { method: 'POST', body: fd, credentials: 'same-origin', headers: { [CSRF_HEADER]: CSRF_VALUE, Accept: 'application/json' } })
  } catch (e) {
    throw new ApiError({ status: 0, code: 'network_error', message: e instanceof Error ? e.message : String(e) })
  }
  const text = await res.text()
  if (!res.ok) throw parseApiError(res.status, text, res.statusText, res.headers.get('Retry-After'))
  return JSON.parse(text) as T
}

export const uploadImage = (file: File) => upload<Image>('/bank/images', file)
export const previewImport = (file: File) => upload<ImportPreview>('/bank/imports', file)
export const getImport = (id: number) => api.get<ImportPreview>(`/bank/imports/${id}`)
export const confirmImport = (id: number) => api.post<{ imported: number; status: string }>(`/bank/imports/${id}/confirm`)

/** The error report (xlsx) of a checked import, in the given language. */
export const errorReportURL = (id: number, lang: string) => `${API_BASE}/bank/imports/${id}/errors.xlsx?lang=${encodeURIComponent(lang)}`
export const templateURL = (format: 'xlsx' | 'csv') => `${API_BASE}/bank/template?format=${format}`
export const exportURL = (format: 'xlsx' | 'csv', q: SearchQuery) => `${API_BASE}/bank/export` + query({ ...q, format, page: undefined, page_size: undefined })
