package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"taxiexam/api"
	"taxiexam/cert"
	"taxiexam/exam/registration"
	"taxiexam/internal/auth"
	"taxiexam/internal/demo"
)

// TestReformDemoThroughTheStatisticsAPI fills a fresh database with the
// reform preset (`examd demo`) and reads the reform's figures back through
// the real statistics API as a bureau admin: 2024 compared with 2023.
func TestReformDemoThroughTheStatisticsAPI(t *testing.T) {
	ta := newTestApp(t, nil)
	ctx := context.Background()
	if err := ta.LoadSampleBank(ctx); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runDemo(ctx, ta.App, demoOptions{preset: "reform", scale: 1, previous: true, seed: 2024}, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())

	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	started := time.Now()
	res := ta.call(t, admin, "GET", "/api/v1/stats/dashboard?from=2024-01-01&to=2024-12-31&compare=year", "")
	elapsed := time.Since(started)
	if res.status != http.StatusOK {
		t.Fatalf("dashboard: %d %s", res.status, res.body)
	}
	var d api.StatsDashboard
	if err := json.Unmarshal([]byte(res.body), &d); err != nil {
		t.Fatal(err)
	}
	t.Logf("dashboard of 2024 vs 2023 in %s", elapsed)
	cur, prev := d.Totals, d.Previous
	if prev == nil || d.ComparePeriod == nil || d.ComparePeriod.From != "2023-01-01" || d.ComparePeriod.To != "2023-12-31" {
		t.Fatalf("comparison: %+v", d.ComparePeriod)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"2024 registrations", cur.Registrations, int64(7788)},
		{"2024 online registrations", cur.RegistrationsOnline, int64(7788)},
		{"2024 bookings", cur.Bookings, int64(5886)},
		{"2024 no-show rate", cur.NoShowRate.Percent, 14.97},
		{"2024 pass rate", cur.PassRate.Percent, 72.27},
		{"2024 mail rate", cur.MailRate.Percent, 66.69},
		{"2024 certificates", cur.Certificates, int64(6148)},
		{"2024 practice above 300,000", cur.PracticeSessions > 300000, true},
		{"2024 hours saved (7,788 x 2 x 2)", cur.HoursSaved, int64(31152)},
		{"2023 no-show rate", prev.NoShowRate.Percent, 22.03},
		{"2023 pass rate", prev.PassRate.Percent, 63.8},
		{"2023 certificates", prev.Certificates, int64(5122)},
		{"funnel ends with the certified", d.Funnel[len(d.Funnel)-1].Count, int64(3075)},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(d.Trend) == 0 || len(d.Channels) < 5 || len(d.Centres) != 3 || len(d.Templates) == 0 {
		t.Errorf("breakdowns: %d buckets, %d channels, %d centres, %d templates", len(d.Trend), len(d.Channels), len(d.Centres), len(d.Templates))
	}
	// The demo's results and certificates are in the ledger: it verifies.
	if rep, err := ta.Ledger().Verify(ctx, nil); err != nil || !rep.OK || rep.Subjects == 0 {
		t.Fatalf("ledger after the demo: %v %+v", err, rep.FirstBroken)
	}

	// The demo rolled the settled days up; measured live they are the same.
	if err := ta.DB().Conn(ctx).Exec("DELETE FROM stats_days").Error; err != nil {
		t.Fatal(err)
	}
	live := ta.call(t, admin, "GET", "/api/v1/stats/dashboard?from=2024-01-01&to=2024-12-31&compare=year", "")
	var ld api.StatsDashboard
	if err := json.Unmarshal([]byte(live.body), &ld); err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]any{"totals": {d.Totals, ld.Totals}, "previous": {*d.Previous, *ld.Previous}, "trend": {d.Trend, ld.Trend},
		"centres": {d.Centres, ld.Centres}, "subjects": {d.Subjects, ld.Subjects}, "templates": {d.Templates, ld.Templates}} {
		a, _ := json.Marshal(pair[0])
		b, _ := json.Marshal(pair[1])
		if string(a) != string(b) {
			t.Errorf("rolled up and live %s differ:\n%s\n%s", name, a, b)
		}
	}

	// The demo's rows read as the stores' own: an application, a
	// certificate and its holder decrypt; a second run is refused.
	apps, _, err := ta.Registration().Search(adminCtx(), registration.Filter{Status: registration.StatusApproved, Limit: 1})
	if err != nil || len(apps) != 1 || apps[0].Form.Name == "" {
		t.Fatalf("applications through the store: %v %+v", err, apps)
	}
	if _, msg := registration.ParseIDNumber(apps[0].Form.IDNumber, time.Now()); !msg.IsZero() {
		t.Fatalf("demo ID number %s: %s", apps[0].Form.IDNumber, msg)
	}
	certs, _, err := ta.Certs().Search(adminCtx(), cert.Filter{Limit: 1})
	if err != nil || len(certs) != 1 || !cert.ValidLicenceID(certs[0].LicenceID) || certs[0].HolderName == "" {
		t.Fatalf("certificates through the store: %v %+v", err, certs)
	}
	if err := runDemo(ctx, ta.App, demoOptions{preset: "reform", scale: 1, previous: true}, &out); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second run: %v", err)
	}

	// A proctor sees their own centre's figures only.
	proctor := ta.client()
	ta.loginStaff(t, proctor, auth.RoleProctor)
	res = ta.call(t, proctor, "GET", "/api/v1/stats/dashboard?from=2024-01-01&to=2024-12-31", "")
	var pd api.StatsDashboard
	if err := json.Unmarshal([]byte(res.body), &pd); res.status != http.StatusOK || err != nil {
		t.Fatalf("proctor: %d %s", res.status, res.body)
	}
	if pd.Scope != "centre" || len(pd.Centres) != 1 || pd.Totals.Registrations != 0 || pd.Totals.Bookings == 0 || pd.Totals.Bookings >= cur.Bookings {
		t.Fatalf("proctor scope: %s, %d centres, %d registrations, %d bookings", pd.Scope, len(pd.Centres), pd.Totals.Registrations, pd.Totals.Bookings)
	}
	if res := ta.call(t, proctor, "GET", "/api/v1/stats/dashboard?from=2024-01-01&to=2024-12-31&centre_id=2", ""); res.status != http.StatusNotFound {
		t.Fatalf("proctor asking for another centre: %d %s", res.status, res.body)
	}
}

// TestStatisticsBadInput: a reversed range, one too long, a wrong zone, a
// bad date or mode are 422 with the code and the field; nothing is written.
func TestStatisticsBadInput(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	for _, c := range []struct {
		query, code, field string
	}{
		{"from=2024-12-31&to=2024-01-01", "range_reversed", "to"},
		{"from=2020-01-01&to=2024-12-31", "range_too_long", "to"},
		{"from=2024-01-01&to=2024-12-31&zone=Europe/Berlin", "wrong_zone", "zone"},
		{"from=2024-01-01T00:00:00Z&to=2024-02-01", "wrong_zone", "from"},
		{"from=2024-13-01&to=2024-12-31", "invalid_input", "from"},
		{"from=2024-01-01&to=2024-12-31&compare=decade", "invalid_input", "compare"},
		{"from=2024-01-01&to=2024-12-31&group=hour", "invalid_input", "group"},
	} {
		res := ta.call(t, admin, "GET", "/api/v1/stats/dashboard?"+c.query, "")
		var body api.ErrorBody
		_ = json.Unmarshal([]byte(res.body), &body)
		if res.status != http.StatusUnprocessableEntity || body.Error.Code != c.code || body.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 422 %s on %s", c.query, res.status, res.body, c.code, c.field)
		}
	}
	// the limit is said: the message names the maximum
	res := ta.call(t, admin, "GET", "/api/v1/stats/dashboard?from=2020-01-01&to=2024-12-31", "")
	if !strings.Contains(res.body, "732") {
		t.Errorf("too long does not say the maximum: %s", res.body)
	}
	// an RFC 3339 midnight in the bureau's zone is a day like any other
	if res := ta.call(t, admin, "GET", "/api/v1/stats/dashboard?from=2024-01-01T00:00:00%2B08:00&to=2024-02-01T00:00:00%2B08:00", ""); res.status != http.StatusOK ||
		!strings.Contains(res.body, `"to":"2024-01-31"`) {
		t.Errorf("RFC 3339 midnights: %d %s", res.status, res.body)
	}
	if res := ta.call(t, admin, "POST", "/api/v1/stats/exports", `{"from":"2010-01-01","to":"2024-12-31"}`); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "3653") {
		t.Errorf("export too long: %d %s", res.status, res.body)
	}
}

// TestStatisticsExportJob: an export of a long range runs as a job whose
// progress counts months, and its workbook is only its owner's.
func TestStatisticsExportJob(t *testing.T) {
	ta := newTestApp(t, nil)
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)
	res := ta.call(t, admin, "POST", "/api/v1/stats/exports", `{"from":"2021-01-01","to":"2024-12-31","compare":"year","lang":"en"}`)
	var e api.StatsExport
	if err := json.Unmarshal([]byte(res.body), &e); res.status != http.StatusAccepted || err != nil || e.Total != 96 {
		t.Fatalf("start: %d %s", res.status, res.body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for e.Status != "done" {
		if time.Now().After(deadline) || e.Status == "failed" {
			t.Fatalf("export: %+v", e)
		}
		time.Sleep(100 * time.Millisecond)
		res = ta.call(t, admin, "GET", "/api/v1/stats/exports/"+e.ID, "")
		_ = json.Unmarshal([]byte(res.body), &e)
	}
	if e.Done != e.Total {
		t.Fatalf("done %d of %d", e.Done, e.Total)
	}
	file := ta.call(t, admin, "GET", "/api/v1/stats/exports/"+e.ID+"/file", "")
	if file.status != http.StatusOK || !strings.HasPrefix(file.body, "PK") || !strings.Contains(file.header.Get("Content-Disposition"), "statistics-2021-01-01-2024-12-31.xlsx") {
		t.Fatalf("file: %d %v", file.status, file.header)
	}
	other := ta.client()
	ta.loginStaff(t, other, auth.RoleProctor)
	if res := ta.call(t, other, "GET", "/api/v1/stats/exports/"+e.ID+"/file", ""); res.status != http.StatusNotFound {
		t.Fatalf("another user's export: %d", res.status)
	}
}
