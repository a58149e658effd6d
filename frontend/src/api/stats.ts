// Statistics of the management end (server: api/statistics_handlers.go,
// internal/statistics). Every figure's definition: docs/statistics.md and
// the page's tooltips (i18n stats.defs).
import { api } from './client'

/** The server's limits (internal/statistics MaxDays, MaxExportDays). */
export const STATS_MAX_DAYS = 732
export const STATS_MAX_EXPORT_DAYS = 3653

export type Compare = '' | 'previous' | 'year'
export type Group = 'day' | 'week' | 'month'

export interface StatsQuery {
  from: string
  to: string
  compare?: Compare
  group?: Group
  centre_id?: number
}

export interface Ratio {
  num: number
  den: number
  percent: number
}

export interface Figures {
  scans: number
  registrations: number
  registrations_online: number
  registrations_window: number
  approved: number
  returned: number
  rejected: number
  review_avg_hours: number
  review_within_week: Ratio
  practice_sessions: number
  practice_answers: number
  practice_accuracy: Ratio
  mock_started: number
  mock_submitted: number
  mock_passed: number
  bookings: number
  cancelled: number
  rescheduled: number
  sittings: number
  no_shows: number
  no_show_rate: Ratio
  graded: number
  passed: number
  pass_rate: Ratio
  first_pass_rate: Ratio
  qualified: number
  certificates: number
  certificates_taxi: number
  certificates_ride_hailing: number
  replacements: number
  mailed: number
  collected: number
  mail_rate: Ratio
  certified: number
  issue_to_dispatch_hours: number
  dispatch_to_delivered_hours: number
  issue_to_collected_hours: number
  sms_sent: number
  hours_saved: number
}

export type TrendMetric =
  | 'scans'
  | 'registrations'
  | 'approved'
  | 'practice_sessions'
  | 'practice_answers'
  | 'mock_started'
  | 'bookings'
  | 'sittings'
  | 'no_shows'
  | 'graded'
  | 'passed'
  | 'cert_issued'
  | 'cert_mailed'
  | 'sms_sent'

export interface Bucket {
  label: string
  from: string
  to: string
  values: Record<TrendMetric, number>
}

export interface Period {
  from: string
  to: string
  days: number
}

export interface Dashboard {
  zone: string
  scope: 'bureau' | 'centre'
  centre_id: number
  group: Group
  compare: Compare
  period: Period
  compare_period: Period | null
  totals: Figures
  previous: Figures | null
  trend: Bucket[]
  previous_trend: Bucket[]
  channels: { id: number; code: string; name: string; kind: string; scans: number; registrations: number; conversion: Ratio }[]
  centres: { id: number; name: string; bookings: number; sittings: number; no_shows: number; no_show_rate: Ratio; graded: number; passed: number; pass_rate: Ratio }[]
  subjects: { subject: string; graded: number; passed: number; pass_rate: Ratio; first_graded: number; first_passed: number; first_pass_rate: Ratio }[]
  certificates: { kind: string; issued: number; mailed: number; collected: number; mail_rate: Ratio; replacements: number }[]
  templates: { template: string; sent: number }[]
  funnel: { step: string; count: number }[]
  generated_at: string
}

export type ExportTable = 'summary' | 'trend' | 'channels' | 'centres' | 'subjects' | 'certificates' | 'sms' | 'funnel'

export interface ExportJob {
  id: string
  status: 'queued' | 'running' | 'done' | 'failed'
  done: number
  total: number
  error?: string
  name: string
  size: number
}

function qs(q: StatsQuery): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== '' && v !== 0 && v !== null) p.set(k, String(v))
  }
  return '?' + p.toString()
}

export const statsApi = {
  dashboard: (q: StatsQuery, signal?: AbortSignal) => api.get<Dashboard>('/stats/dashboard' + qs(q), { signal }),
  startExport: (q: StatsQuery, lang: string, tables?: ExportTable[]) => api.post<ExportJob>('/stats/exports', { ...q, lang, tables: tables ?? [] }),
  exportStatus: (id: string) => api.get<ExportJob>(`/stats/exports/${encodeURIComponent(id)}`),
  exportFileUrl: (id: string) => `/api/v1/stats/exports/${encodeURIComponent(id)}/file`,
}

/** Days from a to b inclusive (civil dates "2006-01-02"). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86_400_000) + 1
}
