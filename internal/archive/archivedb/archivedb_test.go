package archivedb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/internal/archive"
	"taxiexam/internal/archive/archivedb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

func TestFormVersionsAreKeptEncryptedOncePerSubmission(t *testing.T) {
	db := testenv.DB(t, schema.All())
	s := archivedb.New(db, testenv.Protector(t))
	ctx := context.Background()
	a := registration.Application{ID: 7, CandidateID: 3, SubmitCount: 1, QueuedAt: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC),
		Form: registration.Form{Name: "林晓东", IDNumber: "350602199001011235", Address: "胜利西路1号"}}
	for _, addr := range []string{"胜利西路1号", "胜利西路1号（重复提交）"} { // the second Keep of version 1 writes nothing
		a.Form.Address = addr
		if err := s.Keep(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	a.SubmitCount, a.Form.Address = 2, "胜利西路1号3栋502室"
	if err := s.Keep(ctx, a); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions(ctx, 7)
	if err != nil || len(vs) != 2 || vs[0].Form.Address != "胜利西路1号" || vs[1].Form.Address != "胜利西路1号3栋502室" || vs[1].Version != 2 {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	var raw []string
	if err := db.Conn(ctx).Raw("SELECT form_enc FROM archive_form_versions").Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		if strings.Contains(r, "350602") || strings.Contains(r, "林晓东") {
			t.Fatalf("stored in clear: %s", r)
		}
	}
}

// Two nodes race for one export: one builds it; a node that dies is
// replaced once its lease runs out.
func TestExportClaims(t *testing.T) {
	db := testenv.DB(t, schema.All())
	p := testenv.Protector(t)
	a, b := archivedb.New(db, p), archivedb.New(testenv.SecondNode(t, db), p)
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	e := archive.Export{From: "2026-01-01", To: "2026-01-31", Status: archive.ExportQueued, CreatedBy: 1, CreatedAt: now}
	if err := a.CreateExport(ctx, &e); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		node  *archivedb.Store
		at    time.Time
		claim bool
	}{
		{"first node", a, now, true},
		{"second node while the lease holds", b, now.Add(30 * time.Second), false},
		{"second node after the lease ran out", b, now.Add(2 * time.Minute), true},
		{"first node again", a, now.Add(2 * time.Minute), false},
	} {
		ok, err := tc.node.ClaimExport(ctx, e.ID, tc.at, tc.at.Add(time.Minute))
		if err != nil || ok != tc.claim {
			t.Fatalf("%s: %v %v", tc.name, ok, err)
		}
	}
	if err := b.Progress(ctx, e.ID, 10, 4, now.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := b.FinishExport(ctx, e.ID, archive.ExportDone, 1234, "", now.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := a.ExportByID(ctx, e.ID)
	if err != nil || got.Status != archive.ExportDone || got.Total != 10 || got.Done != 4 || got.Bytes != 1234 {
		t.Fatalf("export: %+v %v", got, err)
	}
	if due, _ := a.DueExports(ctx, now.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("a finished export is due again: %v", due)
	}
}

func TestRetentionCounts(t *testing.T) {
	db := testenv.DB(t, schema.All())
	s := archivedb.New(db, testenv.Protector(t))
	ctx := context.Background()
	old, recent := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{old, old.AddDate(0, 1, 0), recent} {
		if err := db.Conn(ctx).Exec(`INSERT INTO audit_log (at, actor_id, actor_kind, actor_role, actor_name, action, target_type, target_id, ip, request_id, `+"`before`, `after`"+`)
			VALUES (?, 1, 'staff', 'bureau_admin', 'a', 'x', 'candidate', '1', '', '', '', '')`, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		rule    string
		records int64
	}{
		{archive.RetainAuditLog, 2},
		{archive.RetainMessages, 0},
		{archive.RetainPractice, 0},
		{archive.RetainUnqualified, 0},
		{archive.RetainCertHolders, 0},
	} {
		line := archive.RetentionLine{Cutoff: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := s.Count(ctx, archive.RetentionRule{What: tc.rule}, &line); err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if line.Records != tc.records {
			t.Errorf("%s: %d records, want %d", tc.rule, line.Records, tc.records)
		}
		if tc.records > 0 && !line.Oldest.Equal(old) {
			t.Errorf("%s: oldest %v", tc.rule, line.Oldest)
		}
	}
}
