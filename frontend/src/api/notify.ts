// Typed calls for the notification queue console (/api/v1/admin/notify/*,
// bureau_admin only). Types mirror api/notify_handlers.go.
import { api } from './client'
import type { Page } from './admin'

export type NotifyTopic = 'sms' | 'postal'
export type NotifyStatus = 'pending' | 'queued' | 'sending' | 'sent' | 'dead' | 'withdrawn'

export const NOTIFY_STATUSES: readonly NotifyStatus[] = ['pending', 'queued', 'sending', 'sent', 'dead', 'withdrawn']
export const NOTIFY_TOPICS: readonly NotifyTopic[] = ['sms', 'postal']

export interface NotifyTopicStats {
  topic: NotifyTopic
  pending: number
  scheduled: number
  queued: number
  sending: number
  sent: number
  dead: number
  oldest_due_seconds: number
  stream_length: number
  stream_pending: number
}

export interface NotifyMessage {
  id: number
  topic: NotifyTopic
  template: string
  template_title: string
  /** e.g. "138****8000" */
  recipient_masked: string
  candidate_id: number
  /** The text with codes hidden and names masked, or the parcel and its destination. */
  summary: string
  status: NotifyStatus
  attempts: number
  last_error: string
  not_before: string
  created_at: string
  sent_at: string | null
  provider_ref: string
}

export interface NotifyTemplate {
  code: string
  title: string
  text: string
  vars: { name: string; kind: 'plain' | 'secret' | 'name' }[]
  urgent: boolean
}

export interface NotifyMessagesQuery {
  page?: number
  page_size?: number
  topic?: NotifyTopic | ''
  status?: NotifyStatus | ''
  candidate_id?: number | null
  /** Full phone number: one person's history. */
  phone?: string
}

export function notifyStats(): Promise<{ topics: NotifyTopicStats[] }> {
  return api.get('/admin/notify/stats')
}

export function notifyMessages(q: NotifyMessagesQuery): Promise<Page<NotifyMessage>> {
  const p = new URLSearchParams()
  if (q.page) p.set('page', String(q.page))
  if (q.page_size) p.set('page_size', String(q.page_size))
  if (q.topic) p.set('topic', q.topic)
  if (q.status) p.set('status', q.status)
  if (q.candidate_id) p.set('candidate_id', String(q.candidate_id))
  if (q.phone) p.set('phone', q.phone)
  const qs = p.toString()
  return api.get(`/admin/notify/messages${qs ? `?${qs}` : ''}`)
}

/** Sends a dead message again. 409 message_not_dead when it is not dead. */
export function retryNotifyMessage(id: number): Promise<NotifyMessage> {
  return api.post(`/admin/notify/messages/${id}/retry`)
}

export function notifyTemplates(): Promise<{ items: NotifyTemplate[] }> {
  return api.get('/admin/notify/templates')
}
