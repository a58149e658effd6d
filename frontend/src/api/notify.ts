// Typed calls for the notification queue console (/api/v1/admin/notify/*,
// bureau_admin only). Types are generated from the route table (types.ts).
import { api } from './client'
import type { Schemas } from './types'
import { query, type Page } from './types'

export type NotifyTopic = 'sms' | 'postal'
export type NotifyStatus = 'pending' | 'queued' | 'sending' | 'sent' | 'dead' | 'withdrawn'

export const NOTIFY_STATUSES: readonly NotifyStatus[] = ['pending', 'queued', 'sending', 'sent', 'dead', 'withdrawn']
export const NOTIFY_TOPICS: readonly NotifyTopic[] = ['sms', 'postal']

export type NotifyTopicStats = Schemas['NotifyTopicStats']

export type NotifyMessage = Schemas['NotifyMessage']

export type NotifyTemplate = Schemas['NotifyTemplate']

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
  const { page, page_size, topic, status, candidate_id, phone } = q
  return api.get(`/admin/notify/messages${query({ page, page_size, topic, status, candidate_id, phone })}`)
}

/** Sends a dead message again. 409 message_not_dead when it is not dead. */
export function retryNotifyMessage(id: number): Promise<NotifyMessage> {
  return api.post(`/admin/notify/messages/${id}/retry`)
}

export function notifyTemplates(): Promise<{ items: NotifyTemplate[] }> {
  return api.get('/admin/notify/templates')
}
