// Notification queue console texts (English). Same keys as notify.zh-CN.ts.
import type notifyZhCN from './notify.zh-CN'

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> }

const notifyEn: Strings<typeof notifyZhCN> = {
  title: 'SMS and postal queue',
  nav: 'Message queue',
  refresh: 'Refresh',
  autoRefresh: 'Auto refresh',
  topics: { sms: 'SMS', postal: 'Postal orders' },
  statuses: { pending: 'Pending', queued: 'Queued', sending: 'Sending', sent: 'Sent', dead: 'Failed', withdrawn: 'Withdrawn' },
  stats: {
    pending: 'Due',
    scheduled: 'Scheduled / retrying',
    queued: 'Queued',
    sending: 'Sending',
    sent: 'Sent',
    dead: 'Failed',
    oldestDue: 'Oldest due message waiting',
    stream: 'Redis stream: {length} entries, {pending} unacknowledged',
    seconds: '{n} s',
    none: 'no backlog',
  },
  filters: {
    topic: 'Type',
    status: 'Status',
    all: 'All',
    candidateId: 'Candidate ID',
    phone: 'Phone',
    phonePlaceholder: 'Full 11-digit number',
    search: 'Search',
    reset: 'Reset',
    deadOnly: 'Failed only',
  },
  cols: {
    id: 'ID',
    createdAt: 'Created',
    message: 'Message',
    recipient: 'Recipient',
    status: 'Status',
    attempts: 'Attempts',
    notBefore: 'Due',
    sentAt: 'Sent',
    ref: 'Receipt / waybill',
    lastError: 'Last error',
    actions: 'Actions',
  },
  retry: 'Send again',
  retryConfirm: 'Send message {id} again? Its attempts start over.',
  retried: 'Message {id} is queued again',
  empty: 'No messages',
  candidate: 'Candidate {id}',
  templates: {
    title: 'Message templates',
    urgent: 'Urgent (sent during quiet hours too)',
    vars: 'Variables',
  },
}

export default notifyEn
