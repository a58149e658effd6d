package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"taxiexam/internal/auth"
)

// The notification queue through the whole product: a candidate's login
// code is delivered by the queue; the bureau admin sees it (masked, code
// hidden), retries a dead message (audited), and Prometheus sees the counters.
func TestNotifyQueueThroughTheAPI(t *testing.T) {
	ta := newTestApp(t, map[string]string{"EXAMD_SERVER_METRICS_TOKEN": "scrape-token-1"})
	cand := ta.client()
	ta.loginCandidate(t, cand, "13812340001") // the code reaches the log only through the queue's worker

	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)

	type msg struct {
		ID              int64  `json:"id"`
		Template        string `json:"template"`
		RecipientMasked string `json:"recipient_masked"`
		Summary         string `json:"summary"`
		Status          string `json:"status"`
		Attempts        int    `json:"attempts"`
		LastError       string `json:"last_error"`
	}
	type page struct {
		Items []msg `json:"items"`
		Total int   `json:"total"`
	}
	list := func(q string) page {
		t.Helper()
		res := ta.call(t, admin, "GET", "/api/v1/admin/notify/messages"+q, "")
		if res.status != http.StatusOK {
			t.Fatalf("messages%s: %d %s", q, res.status, res.body)
		}
		var p page
		if err := json.Unmarshal([]byte(res.body), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := list("?phone=13812340001")
	if p.Total != 1 || p.Items[0].Template != "verification_code" || p.Items[0].Status != "sent" || p.Items[0].RecipientMasked != "138****0001" || !strings.Contains(p.Items[0].Summary, "******") {
		t.Fatalf("candidate's history = %+v", p)
	}
	if strings.Contains(ta.call(t, admin, "GET", "/api/v1/admin/notify/messages", "").body, "13812340001") {
		t.Fatal("full phone number in the admin list")
	}

	for _, q := range []string{"?status=lost", "?topic=fax", "?phone=123", "?candidate_id=x", "?page_size=500"} {
		if res := ta.call(t, admin, "GET", "/api/v1/admin/notify/messages"+q, ""); res.status != http.StatusUnprocessableEntity {
			t.Errorf("messages%s: %d %s, want 422", q, res.status, res.body)
		}
	}

	// A message that died (the carrier refused it 8 times) is retried by the admin.
	id := p.Items[0].ID
	if err := ta.DB().Conn(context.Background()).Exec("UPDATE notify_outbox SET status = 'dead', attempts = 8, last_error = 'carrier down' WHERE id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	dead := list("?status=dead")
	if dead.Total != 1 || dead.Items[0].LastError != "carrier down" {
		t.Fatalf("dead list = %+v", dead)
	}
	stats := ta.call(t, admin, "GET", "/api/v1/admin/notify/stats", "")
	if stats.status != http.StatusOK || !strings.Contains(stats.body, `"topic":"sms"`) || !strings.Contains(stats.body, `"dead":1`) {
		t.Fatalf("stats: %d %s", stats.status, stats.body)
	}
	if res := ta.call(t, admin, "POST", fmt.Sprintf("/api/v1/admin/notify/messages/%d/retry", id), ""); res.status != http.StatusOK || !strings.Contains(res.body, `"status":"pending"`) {
		t.Fatalf("retry: %d %s", res.status, res.body)
	}
	if res := ta.call(t, admin, "POST", fmt.Sprintf("/api/v1/admin/notify/messages/%d/retry", id), ""); res.status != http.StatusConflict || !strings.Contains(res.body, "message_not_dead") {
		t.Fatalf("second retry: %d %s", res.status, res.body)
	}
	if res := ta.call(t, admin, "POST", "/api/v1/admin/notify/messages/99999/retry", ""); res.status != http.StatusNotFound {
		t.Fatalf("retry of a missing message: %d %s", res.status, res.body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for list("?phone=13812340001").Items[0].Status != "sent" {
		if time.Now().After(deadline) {
			t.Fatal("retried message not sent again")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if audit := ta.call(t, admin, "GET", "/api/v1/admin/audit?action=notify.retry", ""); !strings.Contains(audit.body, fmt.Sprintf(`"target_id":"%d"`, id)) {
		t.Fatalf("retry not audited: %s", audit.body)
	}
	if res := ta.call(t, admin, "GET", "/api/v1/admin/notify/templates", ""); res.status != http.StatusOK || !strings.Contains(res.body, "exam_reminder") {
		t.Fatalf("templates: %d %s", res.status, res.body)
	}

	// Candidates may not look at the queue.
	if res := ta.call(t, cand, "GET", "/api/v1/admin/notify/stats", ""); res.status != http.StatusForbidden {
		t.Fatalf("candidate reading the queue: %d", res.status)
	}

	metrics := ta.scrape(t, "scrape-token-1")
	for _, want := range []string{`examd_notify_sent_total{topic="sms"}`, `examd_notify_enqueued_total{topic="sms"}`, `examd_notify_dead_total{topic="postal"} 0`,
		`examd_notify_oldest_due_seconds{topic="sms"}`, `examd_notify_messages{status="sent",topic="sms"} 1`} {
		if !strings.Contains(metrics.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
