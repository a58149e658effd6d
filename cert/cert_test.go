package cert_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
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
)

// applicants stands in for registration: approved applications by id.
type applicants struct {
	mu   sync.Mutex
	apps map[int64]cert.Applicant
}

func (a *applicants) add(ap cert.Applicant) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.apps[ap.ApplicationID] = ap
}

func (a *applicants) Applicant(_ context.Context, id int64) (cert.Applicant, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ap, ok := a.apps[id]
	if !ok {
		return cert.Applicant{}, apperr.ErrNotFound
	}
	return ap, nil
}

func (a *applicants) Photo(context.Context, int64) ([]byte, string, error) {
	return []byte("\x89PNG"), "image/png", nil
}

type offices struct{}

func (offices) Office(_ context.Context, id int64) (cert.Office, error) {
	if id != 1 && id != 2 {
		return cert.Office{}, apperr.ErrNotFound
	}
	return cert.Office{ID: id, Name: fmt.Sprintf("第%d发证窗口", id), Address: "思明区湖滨北路1号"}, nil
}

type phones struct{}

func (phones) CandidatePhone(_ context.Context, id int64) (string, error) {
	return fmt.Sprintf("139%08d", id), nil
}

type env struct {
	db     *sqldb.DB
	svc    *cert.Service
	apps   *applicants
	outbox *notifydb.Store
	audit  *auditdb.Store
	clock  *clock.Fake
	signer *signing.Keyring
	pii    *pii.Protector
}

var sender = notify.Address{Name: "市交通运输局", Phone: "13900000000", Province: "福建省", City: "厦门市", County: "思明区", Detail: "湖滨北路1号"}

func node(db *sqldb.DB, p *pii.Protector, apps *applicants, k *signing.Keyring, clk clock.Clock) *cert.Service {
	ob := notify.NewOutbox(notifydb.New(db, p), clk, notify.QuietHours{})
	return cert.NewService(cert.Deps{Store: certdb.New(db, p), Applicants: apps, Offices: offices{}, Notify: ob, Phones: phones{},
		Audit: audit.NewService(auditdb.New(db), clk.Now), Tx: db, Signer: k, Clock: clk},
		cert.Config{PublicURL: "https://exam.example.cn", Location: time.FixedZone("CST", 8*3600), Authority: "厦门市交通运输局",
			IssuerCode: "11350200MB0000000X", ValidityYears: 6, DispatchOfficeID: 1, Sender: sender})
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DB(t, schema.All())
	p := testenv.Protector(t)
	k := testenv.Signer(t)
	clk := clock.NewFake(time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC))
	apps := &applicants{apps: map[int64]cert.Applicant{}}
	return &env{db: db, svc: node(db, p, apps, k, clk), apps: apps, outbox: notifydb.New(db, p), audit: auditdb.New(db), clock: clk, signer: k, pii: p}
}

// idNumber makes a valid GB 11643 number from a sequence number.
func idNumber(n int) string {
	body := fmt.Sprintf("350203199001%05d", n%100000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

func applicant(n int, delivery string, taxi, ride bool) cert.Applicant {
	return cert.Applicant{ApplicationID: int64(1000 + n), CandidateID: int64(n), Approved: true, Name: "王小明", IDNumber: idNumber(n),
		WantTaxi: taxi, WantRideHailing: ride, Delivery: delivery, OfficeID: 2,
		Receiver: cert.Receiver{Name: "王小明", Phone: "13912345678", Province: "福建省", City: "厦门市", County: "湖里区", Address: "江头街道1号"}}
}

func qualify(ap cert.Applicant, at time.Time) cert.Qualification {
	return cert.Qualification{CandidateID: ap.CandidateID, ApplicationID: ap.ApplicationID, QualifiedAt: at, Ref: "test"}
}

func (e *env) messages(t *testing.T, topic string, candidate int64) []notify.Message {
	t.Helper()
	list, _, err := e.outbox.List(context.Background(), notify.Filter{Topic: topic, CandidateID: candidate, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func as(role string, office int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: 7, Kind: "staff", Role: reqctx.Role(role), OfficeID: office}})
}

func asCandidate(id int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: id, Kind: "candidate", Role: "candidate"}})
}

func TestIssueForQualified(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	both := applicant(1, cert.MethodPost, true, true)
	taxiOnly := applicant(2, cert.MethodPickup, true, false)
	neither := applicant(3, cert.MethodPickup, false, false) // default: both
	for _, ap := range []cert.Applicant{both, taxiOnly, neither} {
		e.apps.add(ap)
	}
	for _, tc := range []struct {
		ap    cert.Applicant
		kinds []cert.Kind
	}{
		{both, []cert.Kind{cert.KindTaxi, cert.KindRideHailing}},
		{taxiOnly, []cert.Kind{cert.KindTaxi}},
		{neither, []cert.Kind{cert.KindTaxi, cert.KindRideHailing}},
	} {
		for i := 0; i < 2; i++ { // the second call is a retry: nothing new
			got, err := e.svc.IssueForQualified(ctx, qualify(tc.ap, e.clock.Now()))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.kinds) {
				t.Fatalf("candidate %d call %d: %d certificates, want %d", tc.ap.CandidateID, i, len(got), len(tc.kinds))
			}
			for _, c := range got {
				if c.Status != cert.StatusValid || c.IDNumber != tc.ap.IDNumber || c.Version != 1 || !cert.ValidLicenceID(c.LicenceID) {
					t.Fatalf("certificate %+v", c)
				}
				if want := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC); !c.IssuedOn.Equal(want) || !c.ExpiresOn.Equal(want.AddDate(6, 0, -1)) {
					t.Fatalf("issued %v expires %v", c.IssuedOn, c.ExpiresOn)
				}
			}
		}
		if n := len(e.messages(t, notify.TopicSMS, tc.ap.CandidateID)); n != 1 {
			t.Errorf("candidate %d: %d SMS, want 1", tc.ap.CandidateID, n)
		}
		wantPost := 0
		if tc.ap.Delivery == cert.MethodPost {
			wantPost = 1
		}
		if n := len(e.messages(t, notify.TopicPostal, tc.ap.CandidateID)); n != wantPost {
			t.Errorf("candidate %d: %d postal orders, want %d", tc.ap.CandidateID, n, wantPost)
		}
	}
	cards, err := e.svc.MyCertificates(asCandidate(1))
	if err != nil || len(cards) != 2 {
		t.Fatalf("MyCertificates: %v, %v", len(cards), err)
	}
	if n := e.count(t, "certificate_events"); n != 5 {
		t.Fatalf("%d history lines, want one per certificate (5)", n)
	}
	if cards[0].MaskedIDNumber != pii.MaskIDNumber(both.IDNumber) || cards[0].MaskedName != "王**" {
		t.Fatalf("card masks: %+v", cards[0])
	}
	if _, err := e.svc.MyCertificate(asCandidate(2), cards[0].ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another candidate's certificate: %v", err)
	}
}

func TestIssueRefusesWhoIsNotQualified(t *testing.T) {
	e := newEnv(t)
	pending := applicant(5, cert.MethodPost, true, true)
	pending.Approved = false
	e.apps.add(pending)
	other := applicant(6, cert.MethodPost, true, true)
	e.apps.add(other)
	for name, q := range map[string]cert.Qualification{
		"not approved":          qualify(pending, e.clock.Now()),
		"unknown application":   {CandidateID: 5, ApplicationID: 999, QualifiedAt: e.clock.Now()},
		"someone else's":        {CandidateID: 5, ApplicationID: other.ApplicationID, QualifiedAt: e.clock.Now()},
		"no qualification time": {CandidateID: 6, ApplicationID: other.ApplicationID},
	} {
		if _, err := e.svc.IssueForQualified(context.Background(), q); !errors.Is(err, cert.ErrNotQualified) {
			t.Errorf("%s: %v, want not_qualified", name, err)
		}
	}
	if n := len(e.messages(t, "", 0)); n != 0 {
		t.Fatalf("%d messages queued", n)
	}
}

// TestIssuanceRace: 500 qualifications (each of 250 applications reported
// once on each of two nodes, all at once) issue exactly one certificate per
// wanted kind, one parcel and one SMS per application.
func TestIssuanceRace(t *testing.T) {
	e := newEnv(t)
	second := node(testenv.SecondNode(t, e.db), e.pii, e.apps, e.signer, e.clock)
	const n = 250
	wantCerts := 0
	var qs []cert.Qualification
	for i := 1; i <= n; i++ {
		ap := applicant(i, []string{cert.MethodPost, cert.MethodPickup}[i%2], i%3 != 1, i%3 != 2)
		e.apps.add(ap)
		wantCerts += len(ap.Kinds())
		qs = append(qs, qualify(ap, e.clock.Now()))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	sem := make(chan struct{}, 24)
	for _, q := range qs {
		for _, svc := range []*cert.Service{e.svc, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if _, err := svc.IssueForQualified(context.Background(), q); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ctx := as("bureau_admin", 0)
	_, total, err := e.svc.Search(ctx, cert.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != int64(wantCerts) {
		t.Fatalf("%d certificates, want %d", total, wantCerts)
	}
	f, err := e.svc.Figures(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var parcels int64
	for _, c := range f.ByStatus {
		parcels += c
	}
	if f.Issued != int64(wantCerts) || f.Candidates != n || parcels != n || f.Posted != n/2 {
		t.Fatalf("figures %+v", f)
	}
	if n := e.count(t, "certificate_events"); n != int64(wantCerts) {
		t.Fatalf("%d history lines, want %d", n, wantCerts)
	}
	_, sms, _ := e.outbox.List(context.Background(), notify.Filter{Topic: notify.TopicSMS, Limit: 1})
	_, post, _ := e.outbox.List(context.Background(), notify.Filter{Topic: notify.TopicPostal, Limit: 1})
	if sms != n || post != n/2 {
		t.Fatalf("%d SMS, %d postal orders; want %d and %d", sms, post, n, n/2)
	}
}

func auditFilter(action string) audit.Filter { return audit.Filter{Action: action, Limit: 10} }

// TestIssueJoinsTheCallersTransaction: the formal exam calls the hook in its
// submit transaction; when that transaction rolls back, no certificate,
// parcel or message remains.
func TestIssueJoinsTheCallersTransaction(t *testing.T) {
	e := newEnv(t)
	ap := applicant(1, cert.MethodPost, true, true)
	e.apps.add(ap)
	boom := errors.New("the submit failed after grading")
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		got, err := e.svc.IssueForQualified(ctx, qualify(ap, e.clock.Now()))
		if err != nil || len(got) != 2 {
			t.Fatalf("inside the transaction: %d, %v", len(got), err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if cards, _ := e.svc.MyCertificates(asCandidate(1)); len(cards) != 0 {
		t.Fatalf("%d certificates survived the rollback", len(cards))
	}
	if n := len(e.messages(t, "", 1)); n != 0 {
		t.Fatalf("%d messages survived the rollback", n)
	}
}

func (e *env) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := e.db.Conn(context.Background()).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
