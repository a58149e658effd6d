package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"taxiexam/api"
	"taxiexam/cert"
	"taxiexam/exam/registration"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authdb"
)

// qualifiedCandidate gives a candidate an approved application and issues
// their certificates through the formal exam's own call (cert.IssueForQualified).
func (ta *testApp) qualifiedCandidate(t *testing.T, phone, name string) (candidateID, applicationID int64) {
	t.Helper()
	ctx := context.Background()
	c, err := authdb.New(ta.DB(), ta.PII()).CandidateByPhone(ctx, phone, true)
	if err != nil {
		t.Fatal(err)
	}
	a := registration.Application{CandidateID: c.ID, Status: registration.StatusApproved, Version: 1, DecidedAt: time.Now(), CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Form: registration.Form{Name: name, IDNumber: idNumberFor(phone), LicenceClass: "C1", LicenceFirstIssued: "2015-03-01", Address: "福建省漳州市芗城区胜利西路1号",
			WantTaxi: true, WantRideHailing: true, Delivery: registration.DeliveryPost,
			Receiver: registration.Receiver{Name: name, Phone: phone, Province: "福建省", City: "漳州市", County: "芗城区", Address: "胜利西路1号3栋"}}}
	if err := registrationdb.New(ta.DB(), ta.PII()).CreateApplication(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Certs().IssueForQualified(ctx, cert.Qualification{CandidateID: c.ID, ApplicationID: a.ID, QualifiedAt: ta.Clock().Now(), Ref: "test"}); err != nil {
		t.Fatal(err)
	}
	return c.ID, a.ID
}

// idNumberFor is a valid GB 11643 ID number made from a phone's last digits.
func idNumberFor(phone string) string {
	body := "35060219900101" + phone[len(phone)-3:]
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

// TestLedgerVerificationOverHTTP: the admin verifies the chain, exports a
// checkpoint; someone edits a certificate in the database; the API and
// `examd verify-ledger` both point at the entry that recorded it.
func TestLedgerVerificationOverHTTP(t *testing.T) {
	ta := newTestApp(t, nil)
	ta.qualifiedCandidate(t, "13955501001", "陈立新")
	if err := ta.Ledger().ChainAll(context.Background()); err != nil { // as the node's worker does within moments
		t.Fatal(err)
	}
	admin := ta.client()
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)

	res := ta.call(t, admin, "POST", "/api/v1/admin/ledger/verify", `{}`)
	rep := decode[api.LedgerReport](t, res.body)
	if res.status != http.StatusOK || !rep.OK || rep.Entries != 2 || rep.FirstBroken != nil {
		t.Fatalf("clean chain: %d %s", res.status, res.body)
	}
	res = ta.call(t, admin, "POST", "/api/v1/admin/ledger/checkpoints", "")
	cp := decode[api.LedgerCheckpoint](t, res.body)
	if res.status != http.StatusCreated || cp.Seq != 2 || cp.Format != api.CheckpointFormat {
		t.Fatalf("checkpoint: %d %s", res.status, res.body)
	}
	res = ta.call(t, admin, "GET", "/api/v1/admin/ledger/checkpoints/"+strconv.FormatInt(cp.ID, 10), "")
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "ledger-checkpoint-2.json") {
		t.Fatalf("export: %d %v", res.status, res.header)
	}
	file := filepath.Join(t.TempDir(), "checkpoint.json")
	if err := os.WriteFile(file, []byte(res.body), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := verifyLedger(context.Background(), ta.App, file, false, &out); err != nil || !strings.Contains(out.String(), "OK:") {
		t.Fatalf("verify-ledger before the edit: %v\n%s", err, out.String())
	}

	// Behind the application's back: a certificate's validity extended.
	if err := ta.DB().Conn(context.Background()).Exec("UPDATE certificates SET expires_on = '2099-12-31' WHERE kind = 'ride_hailing'").Error; err != nil {
		t.Fatal(err)
	}
	res = ta.call(t, admin, "POST", "/api/v1/admin/ledger/verify", `{}`)
	rep = decode[api.LedgerReport](t, res.body)
	if res.status != http.StatusOK || rep.OK || rep.FirstBroken == nil || rep.FirstBroken.Code != "source_mismatch" ||
		!strings.Contains(rep.FirstBroken.Detail, "expires_on") || !strings.HasPrefix(rep.FirstBroken.Subject, "certificate:") {
		t.Fatalf("after the edit: %d %s", res.status, res.body)
	}
	out.Reset()
	err := verifyLedger(context.Background(), ta.App, file, false, &out)
	if !errors.Is(err, errLedgerBroken) || !strings.Contains(out.String(), "BROKEN") ||
		!strings.Contains(out.String(), "at entry "+strconv.FormatInt(rep.FirstBroken.Seq, 10)) {
		t.Fatalf("verify-ledger after the edit: %v\n%s", err, out.String())
	}

	// Bad input: a checkpoint that is not one; an unknown field.
	for body, field := range map[string]string{
		`{"checkpoint":{"format":"taxiexam-ledger-checkpoint/1","seq":2,"hash":"` + strings.Repeat("0", 64) + `","at":"2026-01-01T00:00:00Z","key_id":"x","signature":"AAAA"}}`: "checkpoint",
		`{"checkpoints":null}`: "checkpoints",
	} {
		res := ta.call(t, admin, "POST", "/api/v1/admin/ledger/verify", body)
		e := decodeErr(t, res.body)
		if res.status != http.StatusUnprocessableEntity && res.status != http.StatusBadRequest || e.Error.Fields[field] == "" {
			t.Errorf("%s: %d %s", body, res.status, res.body)
		}
	}
}
