package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
)

// NotifyTopicStats is the state of one topic's queue.
type NotifyTopicStats struct {
	Topic            string  `json:"topic" doc:"sms | postal"`
	Pending          int64   `json:"pending" doc:"due now, waiting for the relay"`
	Scheduled        int64   `json:"scheduled" doc:"waiting for a later time (reminders, quiet hours, retry backoff)"`
	Queued           int64   `json:"queued" doc:"in the Redis stream"`
	Sending          int64   `json:"sending" doc:"held by a worker"`
	Sent             int64   `json:"sent"`
	Dead             int64   `json:"dead" doc:"gave up; an admin can retry"`
	OldestDueSeconds float64 `json:"oldest_due_seconds" doc:"age of the oldest due message not yet sent or dead"`
	StreamLength     int64   `json:"stream_length" doc:"entries in the Redis stream"`
	StreamPending    int64   `json:"stream_pending" doc:"entries delivered to a consumer and not yet acknowledged"`
}

// NotifyStats is the queue depth per topic.
type NotifyStats struct {
	Topics []NotifyTopicStats `json:"topics"`
}

// NotifyMessage is one outbox message as staff see it.
type NotifyMessage struct {
	ID              int64      `json:"id"`
	Topic           string     `json:"topic" doc:"sms | postal"`
	Template        string     `json:"template" doc:"SMS template code; empty for postal orders"`
	TemplateTitle   string     `json:"template_title"`
	RecipientMasked string     `json:"recipient_masked" doc:"phone number, masked (138****8000)"`
	CandidateID     int64      `json:"candidate_id" doc:"0 when not tied to a candidate"`
	Summary         string     `json:"summary" doc:"the text (codes hidden, names masked) or the parcel and its destination"`
	Status          string     `json:"status" doc:"pending | queued | sending | sent | dead"`
	Attempts        int        `json:"attempts"`
	LastError       string     `json:"last_error"`
	NotBefore       time.Time  `json:"not_before" doc:"due time"`
	CreatedAt       time.Time  `json:"created_at"`
	SentAt          *time.Time `json:"sent_at"`
	ProviderRef     string     `json:"provider_ref" doc:"the carrier's id: SMS BizId or the 13-digit waybill number"`
}

// NotifyMessagesQuery filters the message list.
type NotifyMessagesQuery struct {
	PageQuery
	Topic       string `form:"topic" json:"topic" doc:"sms | postal"`
	Status      string `form:"status" json:"status" doc:"pending | queued | sending | sent | dead"`
	CandidateID int64  `form:"candidate_id" json:"candidate_id" doc:"one candidate's history"`
	Phone       string `form:"phone" json:"phone" doc:"one phone number's history (full number; matched by blind index)"`
}

// NotifyTemplateVar is one variable of a template.
type NotifyTemplateVar struct {
	Name string `json:"name"`
	Kind string `json:"kind" doc:"plain | secret (never shown to staff) | name (masked for staff)"`
}

// NotifyTemplate is one message the product sends.
type NotifyTemplate struct {
	Code   string              `json:"code"`
	Title  string              `json:"title"`
	Text   string              `json:"text" doc:"${var} marks each variable"`
	Vars   []NotifyTemplateVar `json:"vars"`
	Urgent bool                `json:"urgent" doc:"sent during quiet hours too"`
}

func (s *Server) notifyMessageJSON(v notify.View) NotifyMessage {
	return NotifyMessage{ID: v.ID, Topic: v.Topic, Template: v.Template, TemplateTitle: v.TemplateTitle, RecipientMasked: v.RecipientMasked,
		CandidateID: v.CandidateID, Summary: v.Summary, Status: string(v.Status), Attempts: v.Attempts, LastError: v.LastError,
		NotBefore: s.at(v.NotBefore), CreatedAt: s.at(v.CreatedAt), SentAt: s.atPtr(v.SentAt), ProviderRef: v.ProviderRef}
}

func (s *Server) notifyStats(c *gin.Context) (NotifyStats, error) {
	stats, err := s.deps.Notify.Stats(c.Request.Context())
	return NotifyStats{Topics: mapSlice(stats, func(t notify.TopicStats) NotifyTopicStats {
		return NotifyTopicStats{Topic: t.Topic, Pending: t.Pending, Scheduled: t.Scheduled, Queued: t.Queued, Sending: t.Sending, Sent: t.Sent,
			Dead: t.Dead, OldestDueSeconds: t.OldestDue.Seconds(), StreamLength: t.StreamLength, StreamPending: t.StreamPending}
	})}, err
}

func (s *Server) notifyMessages(c *gin.Context, p pageReq) ([]NotifyMessage, int64, error) {
	f := notify.Filter{Topic: c.Query("topic"), Status: notify.Status(c.Query("status")), Phone: c.Query("phone"), Offset: p.offset(), Limit: p.size}
	bad := apperr.Fields{}
	f.CandidateID = queryInt(c, bad, "candidate_id", 1, apperr.Positive())
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	list, total, err := s.deps.Notify.List(c.Request.Context(), f)
	return mapSlice(list, s.notifyMessageJSON), total, err
}

func (s *Server) retryNotifyMessage(c *gin.Context, id int64) (NotifyMessage, error) {
	v, err := s.deps.Notify.Retry(c.Request.Context(), id)
	return s.notifyMessageJSON(v), err
}

var varKinds = map[notify.VarKind]string{notify.VarPlain: "plain", notify.VarSecret: "secret", notify.VarName: "name"}

func (s *Server) notifyTemplates(c *gin.Context) (itemList[NotifyTemplate], error) {
	return itemList[NotifyTemplate]{Items: mapSlice(notify.Templates(), func(t notify.Template) NotifyTemplate {
		vars := mapSlice(t.Vars, func(v notify.Var) NotifyTemplateVar { return NotifyTemplateVar{Name: v.Name, Kind: varKinds[v.Kind]} })
		return NotifyTemplate{Code: t.Code, Title: t.Title, Text: t.Text, Vars: vars, Urgent: t.Urgent}
	})}, nil
}
