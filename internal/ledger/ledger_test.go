package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/exam/results"
	"taxiexam/exam/results/resultsdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/ledger"
	"taxiexam/internal/ledger/ledgerdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
	questionbank "taxiexam/question-bank"
)

// sources reads the rows through the real stores, as cmd/examd does.
type sources struct {
	results *resultsdb.Store
	certs   *certdb.Store
}

func (s sources) SubjectResults(ctx context.Context, ids []int64) (map[int64]results.SubjectResult, error) {
	return s.results.ResultsByIDs(ctx, ids)
}
func (s sources) Certificates(ctx context.Context, ids []int64) (map[int64]cert.Certificate, error) {
	return s.certs.CertificatesByIDs(ctx, ids)
}
func (s sources) Deliveries(ctx context.Context, ids []int64) (map[int64]cert.Delivery, error) {
	return s.certs.DeliveriesByIDs(ctx, ids)
}
func (s sources) SubjectResultIDs(ctx context.Context, after int64, n int) ([]int64, error) {
	return s.results.ResultIDs(ctx, after, n)
}
func (s sources) CertificateIDs(ctx context.Context, after int64, n int) ([]int64, error) {
	return s.certs.CertificateIDs(ctx, after, n)
}

type applicants struct{}

func (applicants) Applicant(_ context.Context, id int64) (cert.Applicant, error) {
	return cert.Applicant{ApplicationID: id, CandidateID: id - 1000, Approved: true, Name: "林晓东", IDNumber: "350602199001011236",
		WantTaxi: true, WantRideHailing: true, Delivery: cert.MethodPickup, OfficeID: 1}, nil
}
func (applicants) Photo(context.Context, int64) ([]byte, string, error) {
	return nil, "", apperr.ErrNotFound
}

type offices struct{}

func (offices) Office(_ context.Context, id int64) (cert.Office, error) {
	return cert.Office{ID: id, Name: "芗城发证窗口", Address: "胜利西路1号"}, nil
}

type phones struct{}

func (phones) CandidatePhone(_ context.Context, id int64) (string, error) {
	return fmt.Sprintf("139%08d", id), nil
}

type env struct {
	db      *sqldb.DB
	ledger  *ledger.Service
	certs   *cert.Service
	results *resultsdb.Store
	pii     *pii.Protector
	signer  *signing.Keyring
	clock   *clock.Fake
}

func newLedger(db *sqldb.DB, p *pii.Protector, k *signing.Keyring, clk clock.Clock) *ledger.Service {
	return ledger.NewService(ledger.Deps{Store: ledgerdb.New(db), Sources: sources{resultsdb.New(db), certdb.New(db, p)}, Index: p, Signer: k,
		Tx: db, Audit: audit.NewService(auditdb.New(db), clk.Now), Clock: clk})
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DB(t, schema.All())
	p, k := testenv.Protector(t), testenv.Signer(t)
	clk := clock.NewFake(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC))
	l := newLedger(db, p, k, clk)
	certs := cert.NewService(cert.Deps{Store: certdb.New(db, p), Applicants: applicants{}, Offices: offices{},
		Notify: notify.NewOutbox(notifydb.New(db, p), clk, notify.QuietHours{}), Phones: phones{},
		Audit: audit.NewService(auditdb.New(db), clk.Now), Tx: db, Signer: k, Ledger: l, Clock: clk},
		cert.Config{PublicURL: "https://exam.example.cn", Location: time.FixedZone("CST", 8*3600), Authority: "漳州市交通运输局",
			IssuerCode: "11350600MB0000000X", ValidityYears: 6, DispatchOfficeID: 1})
	return &env{db: db, ledger: l, certs: certs, results: resultsdb.New(db), pii: p, signer: k, clock: clk}
}

var admin = reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin", Username: "admin"}})

func clerk(office int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 9, Kind: "staff", Role: "window_clerk", OfficeID: office}})
}

// addResult records a subject result the way results.RecordAttempt does:
// the row and its entry in one transaction.
func (e *env) addResult(t *testing.T, cand, attempt int64, subj questionbank.Subject, score int) results.SubjectResult {
	t.Helper()
	sat := e.clock.Now().UTC().Truncate(time.Millisecond)
	r := results.SubjectResult{CandidateID: cand, ApplicationID: cand + 1000, AttemptID: attempt, SessionID: 3, CentreID: 2, Subject: subj,
		Score: score, TotalPoints: 100, PassPercent: 80, Passed: score >= 80, SatAt: sat, ValidUntil: results.ValidUntil(sat)}
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		rs := []results.SubjectResult{r}
		if err := e.results.AddResults(ctx, rs); err != nil {
			return err
		}
		r = rs[0]
		return e.ledger.RecordResult(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// journey: two results, two certificates issued, one revoked, one
// replaced, the parcel handed over: entries 1..8.
type journey struct {
	national, regional results.SubjectResult
	taxi, ride, next   cert.Certificate
}

func (e *env) journey(t *testing.T) journey {
	t.Helper()
	var j journey
	j.national = e.addResult(t, 1, 11, questionbank.SubjectNational, 92) // 1
	j.regional = e.addResult(t, 1, 11, questionbank.SubjectRegional, 85) // 2
	list, err := e.certs.IssueForQualified(context.Background(), cert.Qualification{CandidateID: 1, ApplicationID: 1001, QualifiedAt: e.clock.Now(), Ref: "t"})
	if err != nil || len(list) != 2 {
		t.Fatalf("issue: %v %v", list, err) // 3, 4
	}
	for _, c := range list {
		if c.Kind == cert.KindTaxi {
			j.taxi = c
		} else {
			j.ride = c
		}
	}
	if _, err := e.certs.Revoke(admin, j.ride.ID, "违规营运"); err != nil { // 5
		t.Fatal(err)
	}
	next, err := e.certs.Replace(admin, j.taxi.ID, "遗失补办") // 6 (new version issued), 7 (old replaced)
	if err != nil {
		t.Fatal(err)
	}
	j.next = next.Certificate
	parcels, _, err := e.certs.Parcels(clerk(1), cert.DeliveryFilter{Limit: 10})
	if err != nil || len(parcels) != 1 {
		t.Fatalf("parcels: %v %v", parcels, err)
	}
	if _, err := e.certs.MarkArrived(clerk(1), parcels[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.certs.HandOverParcel(clerk(1), parcels[0].ID, cert.HandOver{IDNumber: "350602199001011236"}); err != nil { // 8
		t.Fatal(err)
	}
	e.chain(t)
	return j
}

// chain links every pending record, as the node's worker does within moments.
func (e *env) chain(t *testing.T) {
	t.Helper()
	if err := e.ledger.ChainAll(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	res := e.db.Conn(context.Background()).Exec(sql, args...)
	if res.Error != nil {
		t.Fatalf("%s: %v", sql, res.Error)
	}
	if res.RowsAffected == 0 {
		t.Fatalf("%s: no row changed", sql)
	}
}

func (e *env) verify(t *testing.T, external ...ledger.Checkpoint) ledger.Report {
	t.Helper()
	rep, err := e.ledger.Verify(context.Background(), external)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCleanJourneyVerifies(t *testing.T) {
	e := newEnv(t)
	e.journey(t)
	rep := e.verify(t)
	if !rep.OK || rep.Entries != 8 || rep.Head.Seq != 8 || rep.Subjects != 6 {
		t.Fatalf("report %+v", rep)
	}
	entries, _, err := e.ledger.Recent(context.Background(), ledger.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Kind{ledger.KindCertHandedOver, ledger.KindCertReplaced, ledger.KindCertIssued, ledger.KindCertRevoked,
		ledger.KindCertIssued, ledger.KindCertIssued, ledger.KindSubjectResult, ledger.KindSubjectResult}
	for i, k := range want {
		if entries[i].Kind != k {
			t.Fatalf("entry %d: %s, want %s", entries[i].Seq, entries[i].Kind, k)
		}
	}
	// No personal data in clear in the chain.
	for _, en := range entries {
		if strings.Contains(en.Payload, "林晓东") || strings.Contains(en.Payload, "350602199001011236") {
			t.Fatalf("entry %d holds personal data: %s", en.Seq, en.Payload)
		}
	}
}

// Each case edits the database behind the application's back, as someone
// with SQL access would, and the verification must fail at that entry.
func TestVerifyFindsEditsBehindTheApplicationsBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(t *testing.T, e *env, j journey)
		code    string
		seq     int64
		subject func(j journey) string
		also    *ledger.Problem // another problem the report must list (code and seq)
		check   func(t *testing.T, p ledger.Problem)
	}{
		{name: "score raised in the results table", code: ledger.ProblemSourceMismatch, seq: 1,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "UPDATE exam_subject_results SET score = 100 WHERE id = ?", j.national.ID)
			},
			check: func(t *testing.T, p ledger.Problem) {
				if !slices.ContainsFunc(p.Changes, func(c ledger.Change) bool { return c.Field == "score" && c.Now == "100" && c.Recorded != "100" }) {
					t.Fatalf("the score change is not listed: %+v", p.Changes)
				}
			},
			subject: func(j journey) string { return ledger.ResultSubject(j.national.ID) }},
		{name: "failed subject turned into a pass", code: ledger.ProblemSourceMismatch, seq: 2,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "UPDATE exam_subject_results SET passed = ? WHERE id = ?", false, j.regional.ID)
			},
			subject: func(j journey) string { return ledger.ResultSubject(j.regional.ID) }},
		{name: "validity extended", code: ledger.ProblemSourceMismatch, seq: 1,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "UPDATE exam_subject_results SET valid_until = ? WHERE id = ?", j.national.ValidUntil.AddDate(5, 0, 0), j.national.ID)
			},
			subject: func(j journey) string { return ledger.ResultSubject(j.national.ID) }},
		{name: "revoked certificate made valid again", code: ledger.ProblemSourceMismatch, seq: 5,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "UPDATE certificates SET status = 'valid' WHERE id = ?", j.ride.ID)
			},
			subject: func(j journey) string { return ledger.CertificateSubject(j.ride.ID) }},
		{name: "certificate holder swapped", code: ledger.ProblemSourceMismatch, seq: 6,
			edit: func(t *testing.T, e *env, j journey) {
				enc, _ := e.pii.Encrypt("王某某")
				e.exec(t, "UPDATE certificates SET holder_name_enc = ? WHERE id = ?", enc, j.next.ID)
			},
			subject: func(j journey) string { return ledger.CertificateSubject(j.next.ID) }},
		{name: "hand-over record moved to another clerk", code: ledger.ProblemSourceMismatch, seq: 8,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "UPDATE cert_deliveries SET handed_over_by = 77")
			}},
		{name: "entry payload edited", code: ledger.ProblemHashMismatch, seq: 1,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, `UPDATE ledger_entries SET payload = REPLACE(payload, '"score":"92"', '"score":"99"') WHERE seq = 1`)
			}},
		{name: "entry edited and its hash recomputed", code: ledger.ProblemSourceMismatch, seq: 2, also: &ledger.Problem{Code: ledger.ProblemPrevMismatch, Seq: 3},
			edit: func(t *testing.T, e *env, j journey) {
				rehash(t, e, 2, func(payload string) string { return strings.Replace(payload, `"score":"85"`, `"score":"95"`, 1) })
			}},
		{name: "entry removed", code: ledger.ProblemSeqGap, seq: 4,
			edit: func(t *testing.T, e *env, j journey) { e.exec(t, "DELETE FROM ledger_entries WHERE seq = 4") }},
		{name: "last entry removed", code: ledger.ProblemHeadMismatch, seq: 8,
			edit: func(t *testing.T, e *env, j journey) { e.exec(t, "DELETE FROM ledger_entries WHERE seq = 8") }},
		{name: "replacement entries removed", code: ledger.ProblemSourceMismatch, seq: 3, also: &ledger.Problem{Code: ledger.ProblemHeadMismatch, Seq: 8},
			edit: func(t *testing.T, e *env, j journey) { e.exec(t, "DELETE FROM ledger_entries WHERE seq >= 7") }},
		{name: "result deleted", code: ledger.ProblemSourceMissing, seq: 2,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, "DELETE FROM exam_subject_results WHERE id = ?", j.regional.ID)
			}},
		{name: "forged pass inserted", code: ledger.ProblemUnrecorded, seq: 0,
			edit: func(t *testing.T, e *env, j journey) {
				e.exec(t, `INSERT INTO exam_subject_results (candidate_id, application_id, attempt_id, session_id, centre_id, subject, score, total_points, pass_percent, passed, sat_at, valid_until)
					VALUES (5, 1005, 99, 3, 2, 'national', 95, 100, 80, ?, ?, ?)`, true, j.national.SatAt, j.national.ValidUntil)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			j := e.journey(t)
			if rep := e.verify(t); !rep.OK {
				t.Fatalf("before the edit: %+v", rep.Problems)
			}
			tc.edit(t, e, j)
			rep := e.verify(t)
			if rep.OK || rep.FirstBroken == nil {
				t.Fatalf("the edit went unnoticed: %+v", rep)
			}
			p := *rep.FirstBroken
			if p.Code != tc.code || p.Seq != tc.seq {
				t.Fatalf("first broken %+v, want %s at entry %d (all: %+v)", p, tc.code, tc.seq, rep.Problems)
			}
			if tc.subject != nil && p.Subject != tc.subject(j) {
				t.Fatalf("first broken names %s, want %s", p.Subject, tc.subject(j))
			}
			if tc.check != nil {
				tc.check(t, p)
			}
			if tc.also != nil && !slices.ContainsFunc(rep.Problems, func(q ledger.Problem) bool { return q.Code == tc.also.Code && q.Seq == tc.also.Seq }) {
				t.Fatalf("no %s at entry %d among %+v", tc.also.Code, tc.also.Seq, rep.Problems)
			}
			// A translated screen words each problem from Why and its values, never from Detail.
			for _, q := range rep.Problems {
				if q.Why == "" || (q.Code == ledger.ProblemSourceMismatch && len(q.Changes) == 0) {
					t.Fatalf("problem without a translatable detail: %+v", q)
				}
			}
		})
	}
}

// rehash rewrites entry seq's payload and its hash as an attacker who knows
// the (public) format would; the next entry's link then no longer matches.
// The formula is the documented one (docs/architecture.md, "Ledger"), written out here
// so the test also pins the format external verifiers rely on.
func rehash(t *testing.T, e *env, seq int64, change func(string) string) {
	t.Helper()
	var row struct {
		Seq                                    int64
		PrevHash, Kind, Subject, Payload, Hash string
		At                                     time.Time
	}
	if err := e.db.Conn(context.Background()).Raw("SELECT seq, prev_hash, kind, subject, payload, hash, at FROM ledger_entries WHERE seq = ?", seq).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if got := entryHash(row.Seq, row.PrevHash, row.Kind, row.Subject, row.At, row.Payload); got != row.Hash {
		t.Fatalf("the documented formula gives %s, the ledger stored %s", got, row.Hash)
	}
	payload := change(row.Payload)
	e.exec(t, "UPDATE ledger_entries SET payload = ?, hash = ? WHERE seq = ?", payload, entryHash(row.Seq, row.PrevHash, row.Kind, row.Subject, row.At, payload), seq)
}

func entryHash(seq int64, prev, kind, subject string, at time.Time, payload string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("taxiexam-ledger-v1\n%d\n%s\n%s\n%s\n%s\n%s", seq, prev, kind, subject, at.UTC().Format("2006-01-02T15:04:05.000Z"), payload)))
	return hex.EncodeToString(sum[:])
}

// A chain rewritten end to end (every hash recomputed, the head moved)
// passes its own walk, but not a checkpoint exported before the rewrite.
func TestExportedCheckpointCatchesARewrittenChain(t *testing.T) {
	e := newEnv(t)
	e.journey(t)
	cp, err := e.ledger.CheckpointNow(admin)
	if err != nil || cp.Seq != 8 {
		t.Fatalf("checkpoint %+v %v", cp, err)
	}
	if err := e.ledger.CheckSignature(cp); err != nil {
		t.Fatal(err)
	}
	forged := cp
	forged.Hash = strings.Repeat("ab", 32)
	if err := e.ledger.CheckSignature(forged); !ledger.ErrBadCheckpoint.Is(err) {
		t.Fatalf("forged checkpoint: %v", err)
	}
	again, err := e.ledger.Checkpoint(context.Background())
	if err != nil || again.ID != cp.ID {
		t.Fatalf("head unchanged: the same checkpoint, got %+v %v", again, err)
	}

	// The rewrite: entry 1's score changed (and the row with it), every
	// later hash recomputed, the head and the stored checkpoint with them.
	e.exec(t, "UPDATE exam_subject_results SET score = 99 WHERE score = 92")
	prev := ledger.GenesisHash
	for seq := int64(1); seq <= 8; seq++ {
		var row struct {
			Kind, Subject, Payload string
			At                     time.Time
		}
		if err := e.db.Conn(context.Background()).Raw("SELECT kind, subject, payload, at FROM ledger_entries WHERE seq = ?", seq).Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		payload := strings.Replace(row.Payload, `"score":"92"`, `"score":"99"`, 1)
		h := entryHash(seq, prev, row.Kind, row.Subject, row.At, payload)
		e.exec(t, "UPDATE ledger_entries SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", payload, prev, h, seq)
		prev = h
	}
	e.exec(t, "UPDATE ledger_heads SET hash = ? WHERE id = 1", prev)
	e.exec(t, "DELETE FROM ledger_checkpoints")
	if rep := e.verify(t); !rep.OK {
		t.Fatalf("a consistent rewrite passes the walk on its own (that is what checkpoints are for): %+v", rep.Problems)
	}
	rep := e.verify(t, cp)
	if rep.OK || rep.FirstBroken.Code != ledger.ProblemCheckpointMismatch || rep.FirstBroken.Seq != 8 {
		t.Fatalf("exported checkpoint: %+v", rep)
	}
}

// Events recorded on two nodes at once while both nodes chain: every
// event becomes exactly one entry, no gap, no duplicate, every link intact.
func TestConcurrentAppendsAndChainsFromTwoNodes(t *testing.T) {
	e := newEnv(t)
	other := newLedger(testenv.SecondNode(t, e.db), e.pii, e.signer, e.clock)
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 40; i++ {
		l := e.ledger
		if i%2 == 1 {
			l = other
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- l.Append(context.Background(), ledger.KindSubjectResult, fmt.Sprintf("test:%d", i), time.Now(), ledger.Facts{"n": fmt.Sprint(i)})
			if i%4 < 2 { // chainers on both nodes race the appends
				_, err := l.Chain(context.Background(), 7)
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	e.chain(t)
	rep := e.verify(t)
	if rep.Entries != 40 || rep.Head.Seq != 40 || rep.Pending != 0 || rep.Total != 0 {
		t.Fatalf("report %+v", rep)
	}
	entries, _, err := e.ledger.Recent(context.Background(), ledger.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, en := range entries {
		if seen[en.Subject] {
			t.Fatalf("%s chained twice", en.Subject)
		}
		seen[en.Subject] = true
	}
}

// The record commits with the event or not at all.
func TestEntryRollsBackWithItsEvent(t *testing.T) {
	e := newEnv(t)
	boom := fmt.Errorf("boom")
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		if err := e.ledger.Append(ctx, ledger.KindSubjectResult, "subject_result:1", time.Now(), ledger.Facts{}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatal(err)
	}
	e.chain(t)
	if rep := e.verify(t); rep.Head.Seq != 0 || rep.Head.Hash != ledger.GenesisHash || rep.Pending != 0 {
		t.Fatalf("after rollback: %+v", rep)
	}
}

// Until it is chained, a recorded event counts as the subject's latest
// word: the row verifies against it, an edit is caught, and only one left
// waiting longer than PendingStaleAfter is a problem. The dossier lists it
// without a seq.
func TestPendingEventsVerifyUntilChained(t *testing.T) {
	e := newEnv(t)
	r := e.addResult(t, 1, 11, questionbank.SubjectNational, 92)
	rep := e.verify(t)
	if !rep.OK || rep.Entries != 0 || rep.Pending != 1 || rep.Subjects != 1 {
		t.Fatalf("pending result: %+v", rep)
	}
	list, err := e.ledger.EntriesOf(context.Background(), []string{ledger.ResultSubject(r.ID)})
	if err != nil || len(list) != 1 || list[0].Seq != 0 || list[0].Kind != ledger.KindSubjectResult {
		t.Fatalf("dossier entries: %+v %v", list, err)
	}

	e.exec(t, "UPDATE exam_subject_results SET score = 100 WHERE id = ?", r.ID)
	if rep := e.verify(t); rep.OK || rep.FirstBroken.Code != ledger.ProblemSourceMismatch {
		t.Fatalf("edit of a pending result: %+v", rep)
	}
	e.exec(t, "UPDATE exam_subject_results SET score = 92 WHERE id = ?", r.ID)

	e.clock.Advance(ledger.PendingStaleAfter + time.Second)
	rep = e.verify(t)
	if rep.OK || rep.FirstBroken.Code != ledger.ProblemPendingStale || rep.FirstBroken.Params["count"] != "1" || rep.FirstBroken.Why != "pending_stale" {
		t.Fatalf("stale pending: %+v", rep)
	}

	e.chain(t)
	rep = e.verify(t)
	if !rep.OK || rep.Entries != 1 || rep.Pending != 0 {
		t.Fatalf("after chaining: %+v", rep)
	}
	list, err = e.ledger.EntriesOf(context.Background(), []string{ledger.ResultSubject(r.ID)})
	if err != nil || len(list) != 1 || list[0].Seq != 1 || list[0].Hash == "" {
		t.Fatalf("dossier entries after chaining: %+v %v", list, err)
	}
}

// Chaining neither waits for nor blocks a business transaction: an event
// still uncommitted is skipped, and a business transaction records while a
// chainer holds the head. (SQLite has one writer at a time: MariaDB only.)
func TestChainingDoesNotWaitForBusinessTransactions(t *testing.T) {
	e := newEnv(t)
	if e.db.Dialect() != sqldb.MySQL {
		t.Skip("SQLite serialises every write transaction")
	}
	if err := e.ledger.Append(context.Background(), ledger.KindSubjectResult, "test:committed", time.Now(), ledger.Facts{}); err != nil {
		t.Fatal(err)
	}
	open, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- e.db.InTx(context.Background(), func(ctx context.Context) error {
			if err := e.ledger.Append(ctx, ledger.KindSubjectResult, "test:open", time.Now(), ledger.Facts{}); err != nil {
				return err
			}
			close(open)
			<-release
			return nil
		})
	}()
	<-open
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	n, err := e.ledger.Chain(ctx, ledger.ChainBatch)
	if err != nil || n != 1 {
		t.Fatalf("chain beside an open transaction: %d %v", n, err)
	}
	// A chainer holding the head does not hold up a new record.
	err = e.db.InReadCommittedTx(context.Background(), func(ctx context.Context) error {
		if _, err := ledgerdb.New(e.db).LockHead(ctx); err != nil {
			return err
		}
		ctx2, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return e.ledger.Append(ctx2, ledger.KindSubjectResult, "test:beside-a-chainer", time.Now(), ledger.Facts{})
	})
	if err != nil {
		t.Fatalf("record while the head is locked: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.chain(t)
	if rep := e.verify(t); rep.Entries != 3 || rep.Pending != 0 || rep.Total != 0 {
		t.Fatalf("report %+v", rep)
	}
}

// The worker links what is recorded without being asked.
func TestChainWorker(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- e.ledger.RunChain(ctx, 20*time.Millisecond) }()
	for i := 0; i < 3; i++ {
		if err := e.ledger.Append(context.Background(), ledger.KindSubjectResult, fmt.Sprintf("test:%d", i), time.Now(), ledger.Facts{}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h, err := e.ledger.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if h.Seq == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("head %d after 5 s", h.Seq)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// Rows loaded before the ledger (or by a bulk generator) are unrecorded
// until an operator adopts them.
func TestAdopt(t *testing.T) {
	e := newEnv(t)
	if err := e.results.AddResults(context.Background(), []results.SubjectResult{{CandidateID: 4, ApplicationID: 1004, AttemptID: 40, Subject: questionbank.SubjectNational,
		Score: 90, TotalPoints: 100, PassPercent: 80, Passed: true, SatAt: e.clock.Now().Truncate(time.Millisecond), ValidUntil: results.ValidUntil(e.clock.Now().Truncate(time.Millisecond))}}); err != nil {
		t.Fatal(err)
	}
	if rep := e.verify(t); rep.OK || rep.FirstBroken.Code != ledger.ProblemUnrecorded {
		t.Fatalf("before adoption: %+v", rep)
	}
	n, err := e.ledger.Adopt(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("adopt: %d %v", n, err)
	}
	if rep := e.verify(t); !rep.OK {
		t.Fatalf("after adoption: %+v", rep.Problems)
	}
	if n, _ := e.ledger.Adopt(context.Background()); n != 0 {
		t.Fatalf("second adoption took %d", n)
	}
}
