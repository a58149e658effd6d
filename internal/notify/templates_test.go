package notify_test

import (
	"strings"
	"testing"
	"time"

	"taxiexam/internal/notify"
)

func TestEveryTemplateRendersAllItsVariables(t *testing.T) {
	want := []string{notify.TplVerificationCode, notify.TplApplicationReceived, notify.TplBackgroundPassed, notify.TplBackgroundRejected,
		notify.TplReturnedForCorrection, notify.TplBookingConfirmed, notify.TplExamReminder, notify.TplResult, notify.TplCertificatesIssued,
		notify.TplCertificateMailed, notify.TplReadyForPickup, notify.TplCertificateReturned, notify.TplCertificateReplaced, notify.TplCertificateRevoked,
		notify.TplBookingRescheduled, notify.TplBookingCancelled, notify.TplWaitlistOffer, notify.TplSessionCancelled}
	if got := len(notify.Templates()); got != len(want) {
		t.Fatalf("%d templates, want %d", got, len(want))
	}
	for _, code := range want {
		tpl, ok := notify.TemplateByCode(code)
		if !ok {
			t.Fatalf("template %s missing", code)
		}
		params := map[string]string{}
		for _, v := range tpl.Vars {
			params[v.Name] = "<" + v.Name + ">"
			if !strings.Contains(tpl.Text, "${"+v.Name+"}") {
				t.Errorf("%s declares %s but its text does not use it", code, v.Name)
			}
		}
		if err := tpl.Check(params); err != nil {
			t.Errorf("%s: %v", code, err)
		}
		text := tpl.Render(params)
		if strings.Contains(text, "${") {
			t.Errorf("%s: unfilled variable in %q", code, text)
		}
		if tpl.Title == "" {
			t.Errorf("%s has no title", code)
		}
	}
	code, _ := notify.TemplateByCode(notify.TplVerificationCode)
	if !code.Urgent {
		t.Fatal("verification codes must ignore quiet hours")
	}
	if s := code.RenderForStaff(map[string]string{"code": "123456"}); strings.Contains(s, "123456") {
		t.Fatalf("staff see the code: %s", s)
	}
}

func TestQuietHours(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	q, err := notify.ParseQuietHours("22:00", "08:00", sh)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sh) }
	cases := []struct {
		in, want time.Time
	}{
		{at(23, 21, 59), at(23, 21, 59)},
		{at(23, 22, 0), at(24, 8, 0)},
		{at(23, 23, 30), at(24, 8, 0)},
		{at(24, 0, 10), at(24, 8, 0)},
		{at(24, 7, 59), at(24, 8, 0)},
		{at(24, 8, 0), at(24, 8, 0)},
		{at(24, 12, 0), at(24, 12, 0)},
	}
	for _, c := range cases {
		if got := q.Release(c.in.UTC()); !got.Equal(c.want) {
			t.Errorf("Release(%s) = %s, want %s", c.in, got.In(sh), c.want)
		}
	}
	day, _ := notify.ParseQuietHours("12:00", "14:00", sh)
	if got := day.Release(at(24, 13, 0)); !got.Equal(at(24, 14, 0)) {
		t.Errorf("midday quiet: %s", got)
	}
	if _, err := notify.ParseQuietHours("25:00", "08:00", sh); err == nil {
		t.Error("bad time accepted")
	}
	if got := (notify.QuietHours{}).Release(at(24, 23, 0)); !got.Equal(at(24, 23, 0)) {
		t.Error("zero quiet hours hold messages")
	}
}

func TestBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	c := notify.Config{BackoffBase: time.Second, BackoffMax: 10 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 10: 10 * time.Second} {
		for range 20 {
			d := c.Backoff(n)
			if d < want/2 || d >= want {
				t.Fatalf("Backoff(%d) = %s, want in [%s, %s)", n, d, want/2, want)
			}
		}
	}
}
