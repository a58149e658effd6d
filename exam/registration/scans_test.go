package registration_test

import (
	"errors"
	"testing"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/internal/platform/apperr"
)

// TestLandingCountsScansPerChannelAndHour: an active channel's landing is a
// scan in its hour's counter; disabled or unknown codes count nothing.
func TestLandingCountsScansPerChannelAndHour(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	online, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Code: "poster-a", Name: "海报 A"})
	if err != nil {
		t.Fatal(err)
	}
	window, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Code: "hall", Name: "服务大厅窗口", Kind: registration.ChannelWindow})
	if err != nil {
		t.Fatal(err)
	}
	off, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Code: "old", Name: "旧海报"})
	if err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := f.svc.UpdateChannel(f.admin, off.ID, registration.ChannelChange{Version: off.Version, Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if online.Kind != registration.ChannelOnline || window.Kind != registration.ChannelWindow {
		t.Fatalf("kinds: %q %q", online.Kind, window.Kind)
	}

	for _, step := range []struct {
		code    string
		advance time.Duration
		wantErr error
	}{
		{"poster-a", 0, nil},
		{"poster-a", 10 * time.Minute, nil},
		{"hall", 0, nil},
		{"poster-a", time.Hour, nil}, // next hour
		{"old", 0, nil},              // disabled: shown, not counted
		{"nope", 0, registration.ErrChannelUnknown},
	} {
		f.clock.Advance(step.advance)
		_, err := f.svc.OpenLanding(t.Context(), step.code)
		if step.wantErr == nil && err != nil || step.wantErr != nil && !errors.Is(err, step.wantErr) {
			t.Fatalf("%s: %v, want %v", step.code, err, step.wantErr)
		}
	}
	var rows []struct {
		ChannelID int64
		Scans     int64
	}
	if err := f.db.Conn(t.Context()).Raw("SELECT channel_id, scans FROM registration_channel_scans ORDER BY channel_id, hour").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, n int64 }{{online.ID, 2}, {online.ID, 1}, {window.ID, 1}}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		if rows[i].ChannelID != w.id || rows[i].Scans != w.n {
			t.Fatalf("row %d: %+v, want %+v", i, rows[i], w)
		}
	}

	_, err = f.svc.CreateChannel(f.admin, registration.NewChannel{Name: "柜台", Kind: "kiosk"})
	if e, ok := apperr.As(err); !ok || e.Fields["kind"].IsZero() {
		t.Fatalf("bad kind: %v", err)
	}
}
