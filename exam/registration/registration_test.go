package registration_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/exam/registration/photofs"
	"taxiexam/exam/registration/registrationdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/auth/authdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/imagecheck"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

type fixture struct {
	svc   *registration.Service
	db    *sqldb.DB
	clock *clock.Fake
	auth  *authdb.Store
	audit *audit.Service
	msgs  *notify.Service
	store *registrationdb.Store
	staff context.Context // police reviewer 900
	admin context.Context // bureau admin 901
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	p := testenv.Protector(t)
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai))
	au := audit.NewService(auditdb.New(db), clk.Now)
	as := authdb.New(db, p)
	ns := notifydb.New(db, p)
	photos, err := photofs.New(filepath.Join(t.TempDir(), "uploads", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	phones := registration.PhonesFunc(func(ctx context.Context, id int64) (string, error) {
		c, err := as.CandidateByID(ctx, id)
		return c.Phone, err
	})
	msgs := notify.NewService(ns, nil, db, au, clk)
	store := registrationdb.New(db, p)
	svc := registration.NewService(store, notify.NewOutbox(ns, clk, notify.QuietHours{}), phones, photos, au, db, clk,
		registration.Config{PublicURL: "https://exam.example.cn/", City: "漳州市", Location: shanghai, PhotoMaxBytes: 2 << 20}).WithMessages(msgs)
	return &fixture{svc: svc, db: db, clock: clk, auth: as, audit: au, msgs: msgs, store: store,
		staff: staffCtx(900, "police_reviewer"), admin: staffCtx(901, "bureau_admin")}
}

func staffCtx(id int64, role string) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", ClientIP: "10.0.0.1", Actor: &reqctx.Actor{UserID: id, Kind: "staff", Role: reqctx.Role(role), Username: role}})
}

func (f *fixture) candidate(t *testing.T, phone string) context.Context {
	t.Helper()
	c, err := f.auth.CandidateByPhone(context.Background(), phone, true)
	if err != nil {
		t.Fatal(err)
	}
	return reqctx.With(context.Background(), reqctx.Request{ID: "c", Actor: &reqctx.Actor{UserID: c.ID, Kind: "candidate", Role: "candidate"}})
}

func photo(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func allPledges() []string {
	var out []string
	for _, it := range registration.PledgeItems {
		out = append(out, it.Code)
	}
	return out
}

// goodForm is complete and valid on 2026-11-23.
func goodForm(id string) registration.Form {
	return registration.Form{Name: "张三", IDNumber: id, LicenceClass: "C1", LicenceFirstIssued: "2015-03-01",
		Address: "福建省漳州市芗城区胜利路1号", Pledge: allPledges(), WantTaxi: true, WantRideHailing: true,
		Delivery: registration.DeliveryPost, Receiver: registration.Receiver{Name: "张三", Phone: "13800138000",
			Province: "福建省", City: "漳州市", County: "芗城区", Address: "胜利路1号3栋"}}
}

const (
	idA = "35050219900101123X"
	idB = "350602198506152020"
)

func errCode(err error) string {
	e, ok := apperr.As(err)
	if !ok {
		if err == nil {
			return ""
		}
		return "not-app-error: " + err.Error()
	}
	return e.Code
}

// fields maps each invalid field to its reason code.
func fields(err error) map[string]string {
	e, _ := apperr.As(err)
	if e == nil {
		return nil
	}
	out := map[string]string{}
	for k, r := range e.Fields {
		out[k] = r.Code()
	}
	return out
}

// ready makes a draft with a photo and the given form, ready to submit.
func (f *fixture) ready(t *testing.T, ctx context.Context, form registration.Form) registration.Application {
	t.Helper()
	a, _, err := f.svc.StartApplication(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.UploadPhoto(ctx, a.ID, photo(t, 300, 400, "jpeg")); err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.SaveDraft(ctx, a.ID, a.Version, form); err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) templatesSent(t *testing.T, candidateID int64) []string {
	t.Helper()
	views, _, err := f.msgs.List(context.Background(), notify.Filter{CandidateID: candidateID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(views) - 1; i >= 0; i-- { // oldest first
		out = append(out, views[i].Template)
	}
	return out
}

func TestApplicationFromChannelToApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ch, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Name: "行政服务中心窗口"})
	if err != nil {
		t.Fatal(err)
	}
	cand := f.candidate(t, "13800138000")
	a, created, err := f.svc.StartApplication(cand, ch.Code)
	if err != nil || !created || a.ChannelID != ch.ID || a.Status != registration.StatusDraft || !a.Form.WantTaxi || !a.Form.WantRideHailing {
		t.Fatalf("start: %+v %v %v", a, created, err)
	}
	// Starting again returns the same draft.
	again, created, err := f.svc.StartApplication(cand, "")
	if err != nil || created || again.ID != a.ID {
		t.Fatalf("second start: %+v %v %v", again, created, err)
	}

	// A bad ID number: a field error, nothing changes.
	bad := goodForm("35050219900101123A")
	a, err = f.svc.SaveDraft(cand, a.ID, a.Version, bad)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.UploadPhoto(cand, a.ID, photo(t, 300, 400, "png")); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Submit(cand, a.ID, a.Version)
	if errCode(err) != "invalid_input" || fields(err)["id_number"] == "" {
		t.Fatalf("bad id: %v", err)
	}
	if got, _, _ := f.svc.MyApplication(cand, a.ID); got.Status != registration.StatusDraft || got.Version != a.Version {
		t.Fatalf("bad submit changed the application: %+v", got)
	}
	if sent := f.templatesSent(t, a.CandidateID); len(sent) != 0 {
		t.Fatalf("SMS for a refused submit: %v", sent)
	}

	// Fixed: submitted, SMS queued.
	if a, err = f.svc.SaveDraft(cand, a.ID, a.Version, goodForm(idA)); err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.Submit(cand, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if a.Status != registration.StatusSubmitted || a.SubmitCount != 1 || a.QueuedAt.IsZero() {
		t.Fatalf("after submit: %+v", a)
	}
	// A submitted application cannot be edited.
	if _, err := f.svc.SaveDraft(cand, a.ID, a.Version, goodForm(idA)); !errors.Is(err, registration.ErrNotEditable) {
		t.Fatalf("edit after submit: %v", err)
	}
	if _, err := f.svc.UploadPhoto(cand, a.ID, photo(t, 300, 400, "png")); !errors.Is(err, registration.ErrNotEditable) {
		t.Fatalf("photo after submit: %v", err)
	}

	// The reviewer's queue has it; opening it shows the full ID number and is audited.
	q, total, err := f.svc.Queue(f.staff, false, 0, 20)
	if err != nil || total != 1 || q[0].ID != a.ID {
		t.Fatalf("queue: %v %d %v", q, total, err)
	}
	// The read-only view changes nothing and audits nothing.
	if pre, _, err := f.svc.ReviewPreview(f.staff, a.ID); err != nil || pre.Status != registration.StatusSubmitted || pre.Version != a.Version {
		t.Fatalf("preview: %+v %v", pre, err)
	}
	if recs, _, _ := f.audit.List(context.Background(), audit.Filter{Action: "application.view_id_number", TargetID: itoa(a.ID)}); len(recs) != 0 {
		t.Fatalf("the read-only view wrote %d audit entries", len(recs))
	}
	view, _, err := f.svc.TakeCase(f.staff, a.ID)
	if err != nil || view.Form.IDNumber != idA || view.Status != registration.StatusUnderCheck {
		t.Fatalf("review view: %+v %v", view, err)
	}
	recs, _, _ := f.audit.List(context.Background(), audit.Filter{Action: "application.view_id_number", TargetID: itoa(a.ID)})
	if len(recs) != 1 || recs[0].ActorID != 900 {
		t.Fatalf("view not audited: %+v", recs)
	}

	checks := map[string]string{}
	for _, it := range registration.PledgeItems {
		checks[it.Code] = registration.CheckClear
	}
	a, err = f.svc.Decide(f.staff, a.ID, registration.Decision{Version: view.Version, Checks: checks, Outcome: registration.OutcomeApprove})
	if err != nil || a.Status != registration.StatusApproved {
		t.Fatalf("approve: %+v %v", a, err)
	}
	// Twice: refused, nothing changes.
	if _, err := f.svc.Decide(f.staff, a.ID, registration.Decision{Checks: checks, Outcome: registration.OutcomeReject, ReasonCode: "other", Reason: "x"}); !errors.Is(err, registration.ErrAlreadyDecided) {
		t.Fatalf("second decision: %v", err)
	}
	recs, _, _ = f.audit.List(context.Background(), audit.Filter{Action: "application.decide", TargetID: itoa(a.ID)})
	if len(recs) != 1 {
		t.Fatalf("decisions audited: %d", len(recs))
	}

	_, events, err := f.svc.MyApplication(cand, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, e := range events {
		statuses = append(statuses, string(e.Status))
	}
	if got := strings.Join(statuses, ","); got != "draft,submitted,under_check,approved" {
		t.Fatalf("timeline %s", got)
	}
	if got := strings.Join(f.templatesSent(t, a.CandidateID), ","); got != "application_received,background_check_passed" {
		t.Fatalf("SMS sent: %s", got)
	}

	// The channel counts it; statistics per channel and status.
	list, err := f.svc.Channels(f.admin)
	if err != nil || len(list) != 1 || list[0].Applications != 1 {
		t.Fatalf("channels: %+v %v", list, err)
	}
	stats, err := f.svc.Stats(f.admin, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if s.ChannelID == ch.ID && (s.Total != 1 || s.ByStatus[registration.StatusApproved] != 1) {
			t.Fatalf("stats %+v", s)
		}
	}
	// A date range that excludes it.
	stats, _ = f.svc.Stats(f.admin, f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour))
	for _, s := range stats {
		if s.Total != 0 {
			t.Fatalf("out of range counted: %+v", s)
		}
	}

	// Dossier: everything, with the messages; audited.
	d, err := f.svc.Dossier(f.admin, a.ID)
	if err != nil || d.Phone != "13800138000" || d.Channel == nil || d.Channel.ID != ch.ID || len(d.Messages) != 2 || len(d.Events) != 4 {
		t.Fatalf("dossier %+v %v", d, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBadInputIsAFieldErrorAndChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	closed, err := f.svc.CreateOffice(f.admin, registration.OfficeInput{Name: "旧窗口", Address: "漳州市某路1号", Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*registration.Form)
		field string
	}{
		{"wrong checksum", func(x *registration.Form) { x.IDNumber = "350502199001011231" }, "id_number"},
		{"impossible birth date", func(x *registration.Form) { x.IDNumber = "350502199002301234" }, "id_number"},
		{"licence held under 3 years", func(x *registration.Form) { x.LicenceFirstIssued = "2024-01-10" }, "licence_first_issued"},
		{"licence exactly one day short", func(x *registration.Form) { x.LicenceFirstIssued = "2023-11-24" }, "licence_first_issued"},
		{"licence in the future", func(x *registration.Form) { x.LicenceFirstIssued = "2027-01-01" }, "licence_first_issued"},
		{"licence before 18", func(x *registration.Form) { x.LicenceFirstIssued = "2005-01-01" }, "licence_first_issued"},
		{"unknown licence class", func(x *registration.Form) { x.LicenceClass = "D" }, "licence_class"},
		{"missing pledge item", func(x *registration.Form) { x.Pledge = x.Pledge[1:] }, "pledge"},
		{"no pledge", func(x *registration.Form) { x.Pledge = nil }, "pledge"},
		{"no certificate", func(x *registration.Form) { x.WantTaxi, x.WantRideHailing = false, false }, "certificates"},
		{"no delivery", func(x *registration.Form) { x.Delivery = "" }, "delivery"},
		{"post without receiver phone", func(x *registration.Form) { x.Receiver.Phone = "" }, "receiver.phone"},
		{"pickup without office", func(x *registration.Form) { x.Delivery = registration.DeliveryPickup }, "office_id"},
		{"pickup at a closed office", func(x *registration.Form) { x.Delivery, x.OfficeID = registration.DeliveryPickup, closed.ID }, "office_id"},
		{"pickup at an unknown office", func(x *registration.Form) { x.Delivery, x.OfficeID = registration.DeliveryPickup, 99999 }, "office_id"},
		{"name with digits", func(x *registration.Form) { x.Name = "张3" }, "name"},
	}
	cand := f.candidate(t, "13900139000")
	a := f.ready(t, cand, goodForm(idA))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := goodForm(idA)
			tt.edit(&form)
			cur, _, err := f.svc.MyApplication(cand, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			cur, err = f.svc.SaveDraft(cand, a.ID, cur.Version, form)
			if err != nil {
				t.Fatalf("draft save refused: %v", err)
			}
			_, err = f.svc.Submit(cand, a.ID, cur.Version)
			if errCode(err) != "invalid_input" || fields(err)[tt.field] == "" {
				t.Fatalf("want a %s field error, got %v", tt.field, err)
			}
			after, _, _ := f.svc.MyApplication(cand, a.ID)
			if after.Status != registration.StatusDraft || after.Version != cur.Version {
				t.Fatalf("changed: %+v", after)
			}
		})
	}
	// Missing photo.
	other := f.candidate(t, "13900139001")
	b, _, _ := f.svc.StartApplication(other, "")
	b, _ = f.svc.SaveDraft(other, b.ID, b.Version, goodForm(idB))
	if _, err := f.svc.Submit(other, b.ID, b.Version); fields(err)["photo"] == "" {
		t.Fatalf("no photo: %v", err)
	}
	// A draft value that can never be valid is refused at once.
	if _, err := f.svc.SaveDraft(other, b.ID, b.Version, registration.Form{IDNumber: strings.Repeat("1", 19)}); fields(err)["id_number"] == "" {
		t.Fatalf("long id: %v", err)
	}
	// A stale version conflicts.
	if _, err := f.svc.SaveDraft(other, b.ID, b.Version-1, goodForm(idB)); !errors.Is(err, apperr.ErrVersionConflict) {
		t.Fatalf("stale version: %v", err)
	}
	// Unknown and disabled channels.
	if _, _, err := f.svc.StartApplication(f.candidate(t, "13900139002"), "nope-nope"); fields(err)["channel"] == "" {
		t.Fatalf("unknown channel: %v", err)
	}
	ch, _ := f.svc.CreateChannel(f.admin, registration.NewChannel{Code: "wechat", Name: "微信公众号"})
	yes := true
	if _, err := f.svc.UpdateChannel(f.admin, ch.ID, registration.ChannelChange{Version: ch.Version, Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StartApplication(f.candidate(t, "13900139003"), "wechat"); !errors.Is(err, registration.ErrChannelDisabled) {
		t.Fatalf("disabled channel: %v", err)
	}
	if c, err := f.svc.ChannelLanding(context.Background(), "wechat"); err != nil || !c.Disabled {
		t.Fatalf("landing of a disabled code: %+v %v", c, err)
	}
	if _, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Code: "wechat", Name: "again"}); !errors.Is(err, registration.ErrChannelCodeTaken) {
		t.Fatalf("duplicate code: %v", err)
	}
}

func TestOneActiveApplicationPerIDNumberAcrossPhones(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c1, c2 := f.candidate(t, "13700137001"), f.candidate(t, "13700137002")
	a1 := f.ready(t, c1, goodForm(idA))
	a2 := f.ready(t, c2, goodForm(idA))
	if _, err := f.svc.Submit(c1, a1.ID, a1.Version); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Submit(c2, a2.ID, a2.Version)
	if fields(err)["id_number"] == "" {
		t.Fatalf("duplicate ID number: %v", err)
	}
	if got, _, _ := f.svc.MyApplication(c2, a2.ID); got.Status != registration.StatusDraft {
		t.Fatalf("second changed: %+v", got)
	}
	// Once the first is rejected, the number is free again.
	view, _, _ := f.svc.TakeCase(f.staff, a1.ID)
	if _, err := f.svc.Decide(f.staff, a1.ID, registration.Decision{Version: view.Version, Outcome: registration.OutcomeReject, ReasonCode: "identity_mismatch", Reason: "身份信息不一致"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(c2, a2.ID, a2.Version); err != nil {
		t.Fatalf("after rejection: %v", err)
	}
	// The rejected candidate may start a new application.
	n, created, err := f.svc.StartApplication(c1, "")
	if err != nil || !created || n.ID == a1.ID {
		t.Fatalf("new after rejection: %+v %v %v", n, created, err)
	}
	if got := strings.Join(f.templatesSent(t, a1.CandidateID), ","); got != "application_received,background_check_rejected" {
		t.Fatalf("SMS: %s", got)
	}
}

func TestCandidatesSeeOnlyTheirOwnApplications(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	owner, other := f.candidate(t, "13600136001"), f.candidate(t, "13600136002")
	a := f.ready(t, owner, goodForm(idA))
	if _, _, err := f.svc.MyApplication(other, a.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("read other's: %v", err)
	}
	if _, err := f.svc.SaveDraft(other, a.ID, a.Version, goodForm(idB)); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("edit other's: %v", err)
	}
	if _, err := f.svc.Submit(other, a.ID, a.Version); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("submit other's: %v", err)
	}
	if _, _, err := f.svc.Photo(other, a.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("photo of other's: %v", err)
	}
	if _, _, err := f.svc.MyApplication(other, 987654); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	got, _, _ := f.svc.MyApplication(owner, a.ID)
	if got.Version != a.Version || got.Form.IDNumber != idA {
		t.Fatalf("changed by another: %+v", got)
	}
	b, ctype, err := f.svc.Photo(owner, a.ID)
	if err != nil || ctype != "image/jpeg" || len(b) == 0 {
		t.Fatalf("own photo: %v %s", err, ctype)
	}
}

func TestReviewerRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cand := f.candidate(t, "13500135001")
	a := f.ready(t, cand, goodForm(idA))
	clear := map[string]string{}
	for _, it := range registration.PledgeItems {
		clear[it.Code] = registration.CheckClear
	}
	// Outside the queue: a draft.
	if _, err := f.svc.Decide(f.staff, a.ID, registration.Decision{Checks: clear, Outcome: registration.OutcomeApprove}); !errors.Is(err, registration.ErrNotInQueue) {
		t.Fatalf("draft decided: %v", err)
	}
	if _, _, err := f.svc.TakeCase(f.staff, a.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("draft viewed: %v", err)
	}
	if _, err := f.svc.Decide(f.staff, 424242, registration.Decision{Checks: clear, Outcome: registration.OutcomeApprove}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing decided: %v", err)
	}
	a, _ = f.svc.Submit(cand, a.ID, a.Version)

	found := map[string]string{}
	for k, v := range clear {
		found[k] = v
	}
	found["drug_use"] = registration.CheckFound
	invalid := []struct {
		name  string
		d     registration.Decision
		field string
	}{
		{"approve with a record found", registration.Decision{Checks: found, Outcome: registration.OutcomeApprove}, "checks.drug_use"},
		{"approve with items missing", registration.Decision{Checks: map[string]string{"drug_use": "clear"}, Outcome: registration.OutcomeApprove}, "checks.violent_crime"},
		{"reject without reason code", registration.Decision{Checks: found, Outcome: registration.OutcomeReject, Reason: "x"}, "reason_code"},
		{"reject without reason", registration.Decision{Checks: found, Outcome: registration.OutcomeReject, ReasonCode: "record_found"}, "reason"},
		{"return without reason", registration.Decision{Outcome: registration.OutcomeReturn}, "reason"},
		{"unknown outcome", registration.Decision{Outcome: "maybe"}, "outcome"},
		{"bad check value", registration.Decision{Checks: map[string]string{"drug_use": "perhaps"}, Outcome: registration.OutcomeReturn, Reason: "x"}, "checks.drug_use"},
	}
	for _, tt := range invalid {
		if _, err := f.svc.Decide(f.staff, a.ID, tt.d); fields(err)[tt.field] == "" {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if got, _, _ := f.svc.MyApplication(cand, a.ID); got.Status != registration.StatusSubmitted || got.Version != a.Version {
		t.Fatalf("invalid decisions changed it: %+v", got)
	}

	// Return for correction: the candidate edits and resubmits; the reason is on the timeline.
	a, err := f.svc.Decide(f.staff, a.ID, registration.Decision{Outcome: registration.OutcomeReturn, Reason: "照片不清晰，请重新上传"})
	if err != nil || a.Status != registration.StatusReturned {
		t.Fatalf("return: %+v %v", a, err)
	}
	mine, events, _ := f.svc.MyApplication(cand, a.ID)
	if last := events[len(events)-1]; last.Status != registration.StatusReturned || last.Note != "照片不清晰，请重新上传" {
		t.Fatalf("timeline: %+v", last)
	}
	if mine, err = f.svc.UploadPhoto(cand, a.ID, photo(t, 320, 420, "png")); err != nil {
		t.Fatal(err)
	}
	if mine, err = f.svc.Submit(cand, a.ID, mine.Version); err != nil || mine.SubmitCount != 2 {
		t.Fatalf("resubmit: %+v %v", mine, err)
	}

	// Two reviewers decide at once: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Decide(staffCtx(int64(910+i), "police_reviewer"), a.ID, registration.Decision{Checks: clear, Outcome: registration.OutcomeApprove})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, registration.ErrAlreadyDecided):
			t.Errorf("concurrent decision: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d decisions succeeded", ok)
	}
	if got := strings.Join(f.templatesSent(t, a.CandidateID), ","); got != "application_received,returned_for_correction,application_received,background_check_passed" {
		t.Fatalf("SMS: %s", got)
	}
}

func TestPhotoChecks(t *testing.T) {
	t.Parallel()
	good := photo(t, 300, 400, "jpeg")
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"jpeg", good, ""},
		{"png", photo(t, 295, 413, "png"), ""},
		{"not an image", []byte("%PDF-1.4 definitely not a photo"), "photo_invalid"},
		{"html disguised", []byte("<html><script>alert(1)</script></html>"), "photo_invalid"},
		{"too large", append(append([]byte{}, good...), make([]byte, 3<<20)...), "photo_too_large"},
		{"too small", photo(t, 100, 120, "png"), "photo_invalid"},
		{"landscape", photo(t, 600, 400, "jpeg"), "photo_invalid"},
		{"truncated", good[:len(good)/2], "photo_invalid"},
	}
	for _, tt := range tests {
		_, _, err := registration.CheckPhoto(context.Background(), imagecheck.NewDecoder(1), tt.data, 2<<20)
		if errCode(err) != tt.code {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.code)
		}
	}
}

func TestChannelQRDecodesToTheRegistrationURL(t *testing.T) {
	t.Parallel()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg (zbar-tools) is required in CI")
		}
		t.Skip("zbarimg not installed")
	}
	f := newFixture(t)
	ch, err := f.svc.CreateChannel(f.admin, registration.NewChannel{Name: "市交通运输局官网"})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://exam.example.cn/m/r/" + ch.Code
	if got := f.svc.RegistrationURL(ch); got != want {
		t.Fatalf("url %s", got)
	}
	dir := t.TempDir()
	for _, size := range []int{256, 1024} {
		b, _, err := f.svc.ChannelQRPNG(f.admin, ch.ID, size)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != size {
			t.Fatalf("png %d: %+v %v", size, cfg, err)
		}
		p := filepath.Join(dir, "qr.png")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--raw", "-q", p).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Fatalf("decoded %q, want %q", got, want)
		}
	}
	if _, _, err := f.svc.ChannelQRPNG(f.admin, ch.ID, 50); fields(err)["size"] == "" {
		t.Fatalf("tiny size: %v", err)
	}
	svg, _, err := f.svc.ChannelQRSVG(f.admin, ch.ID)
	if err != nil || !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Fatalf("svg: %v", err)
	}
	poster, err := f.svc.ChannelPoster(f.admin, ch.ID)
	if err != nil || !bytes.Contains(poster, []byte(want)) || !bytes.Contains(poster, []byte("<svg")) || !bytes.Contains(poster, []byte("市交通运输局官网")) {
		t.Fatalf("poster: %v", err)
	}
}

// TestPhotoDecompressionBomb: a small PNG declaring a 6000 x 6000 canvas is
// refused from its header, before its pixels cost any memory, and nothing
// is stored. (Not parallel: it measures the process's allocations.)
func TestPhotoDecompressionBomb(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 6000, 6000))); err != nil {
		t.Fatal(err)
	}
	bomb := buf.Bytes()
	f := newFixture(t)
	cand := f.candidate(t, "13900139077")
	a, _, err := f.svc.StartApplication(cand, "")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = f.svc.UploadPhoto(cand, a.ID, bomb)
	runtime.ReadMemStats(&after)
	if errCode(err) != "photo_invalid" {
		t.Fatalf("%d-byte bomb: %v", len(bomb), err)
	}
	if cost := after.TotalAlloc - before.TotalAlloc; cost > 8<<20 {
		t.Fatalf("refusing a %d-byte bomb allocated %d MB", len(bomb), cost>>20)
	}
	if got, _, _ := f.svc.MyApplication(cand, a.ID); got.PhotoKey != "" {
		t.Fatal("the bomb was stored")
	}
}
