package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"taxiexam/cert"
	"taxiexam/exam/attempt"
	"taxiexam/exam/booking"
	"taxiexam/exam/registration"
	"taxiexam/exam/results"
	"taxiexam/internal/audit"
	"taxiexam/internal/auth"
	"taxiexam/internal/ledger"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
	questionbank "taxiexam/question-bank"
)

// ---------------------------------------------------------------- what the archive reads

// Candidates is auth's candidates.
type Candidates interface {
	CandidateByID(ctx context.Context, id int64) (auth.Candidate, error)
	// CandidateByPhone finds a candidate (apperr.ErrNotFound if none).
	CandidateByPhone(ctx context.Context, phone string) (auth.Candidate, error)
}

// Applications is registration: applications, their history, channels,
// offices, and the candidates whose applications were opened in a period.
type Applications interface {
	ApplicationsOf(ctx context.Context, candidateID int64) ([]registration.Application, error)
	Events(ctx context.Context, applicationID int64) ([]registration.Event, error)
	ChannelByID(ctx context.Context, id int64) (registration.Channel, error)
	OfficeByID(ctx context.Context, id int64) (registration.Office, error)
	// CandidatesIn lists candidates with an application created in
	// [from, to), after afterID, ascending (bulk exports).
	CandidatesIn(ctx context.Context, from, to time.Time, afterID int64, limit int) ([]int64, error)
	CountCandidatesIn(ctx context.Context, from, to time.Time) (int, error)
	// CandidatesByIDNumber and RecentCandidates find candidates to open.
	CandidatesByIDNumber(ctx context.Context, idNumber string) ([]int64, error)
	RecentCandidates(ctx context.Context, offset, limit int) ([]int64, int64, error)
}

// Bookings is booking: a candidate's bookings and the sessions they name.
type Bookings interface {
	BookingsOf(ctx context.Context, candidateID int64) ([]booking.Booking, error)
	Session(ctx context.Context, id int64) (booking.SessionView, error)
}

// Attempts is the attempt engine: a candidate's attempts and their papers.
type Attempts interface {
	AttemptsOf(ctx context.Context, candidateID int64, kind attempt.Kind) ([]attempt.Attempt, error)
	Paper(ctx context.Context, kind attempt.Kind, id int64) (attempt.View, error)
}

// Results is exam/results.
type Results interface {
	CandidateResults(ctx context.Context, candidateID int64) ([]results.SubjectResult, error)
}

// Certificates is cert: certificates with their history, and parcels.
type Certificates interface {
	CertificatesOfCandidate(ctx context.Context, candidateID int64) ([]cert.Certificate, error)
	Events(ctx context.Context, certificateID int64) ([]cert.Event, error)
	DeliveriesOf(ctx context.Context, candidateID int64) ([]cert.Delivery, error)
}

// Messages is the notification queue's list (masked, codes hidden).
type Messages interface {
	List(ctx context.Context, f notify.Filter) ([]notify.View, int64, error)
}

// AuditLog lists and records audit entries.
type AuditLog interface {
	List(ctx context.Context, f audit.Filter) ([]audit.Record, int64, error)
	Record(ctx context.Context, e audit.Entry) error
}

// Ledger lists the entries of the candidate's results and certificates.
type Ledger interface {
	EntriesOf(ctx context.Context, subjects []string) ([]ledger.Entry, error)
}

// FormVersions are the submitted forms (archivedb).
type FormVersions interface {
	Versions(ctx context.Context, applicationID int64) ([]FormVersion, error)
}

// FormVersion is a form as submitted the n-th time.
type FormVersion struct {
	ApplicationID int64
	Version       int
	SubmittedAt   time.Time
	Form          registration.Form
}

// Printer renders a dossier as a PDF (archivepdf).
type Printer interface {
	PDF(r Record, papers []PaperRecord) ([]byte, error)
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Deps are the collaborators of the service.
type Deps struct {
	Candidates   Candidates
	Applications Applications
	Bookings     Bookings
	Attempts     Attempts
	Results      Results
	Certificates Certificates
	Messages     Messages
	Audit        AuditLog
	Ledger       Ledger
	Forms        FormVersions
	Exports      ExportStore
	Files        ExportFiles
	Retention    RetentionCounter
	Printer      Printer
	Tx           Transactor
	Clock        clock.Clock
}

// Config is the archive's part of the configuration.
type Config struct {
	Location  *time.Location
	Retention []RetentionRule
	// MaxExportDays bounds a bulk export's period.
	MaxExportDays int
}

// Service builds dossiers, exports and the retention report.
type Service struct {
	d   Deps
	cfg Config
}

// NewService wires the archive.
func NewService(d Deps, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.MaxExportDays <= 0 {
		cfg.MaxExportDays = 366
	}
	return &Service{d: d, cfg: cfg}
}

// ---------------------------------------------------------------- scope

// viewer is what the caller may see: the bureau everything; a proctor the
// bookings, attempts and results of their own centre; a window clerk the
// certificates and parcels of their own office. A dossier with nothing in
// the caller's scope is "not found", as if it did not exist.
type viewer struct {
	actor  *reqctx.Actor
	centre int64 // proctor
	office int64 // window clerk
}

func (v viewer) bureau() bool { return v.centre == 0 && v.office == 0 }

func (v viewer) scope() string {
	switch {
	case v.centre != 0:
		return "centre:" + strconv.FormatInt(v.centre, 10)
	case v.office != 0:
		return "office:" + strconv.FormatInt(v.office, 10)
	}
	return "bureau"
}

func viewerOf(ctx context.Context) (viewer, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return viewer{}, apperr.ErrUnauthenticated
	}
	if a.Kind != reqctx.KindStaff {
		return viewer{}, apperr.ErrForbidden
	}
	switch auth.Role(a.Role) {
	case auth.RoleBureauAdmin:
		return viewer{actor: a}, nil
	case auth.RoleProctor:
		if a.CentreID == 0 {
			return viewer{}, apperr.ErrForbidden.WithMessage("this proctor account is not bound to an exam centre")
		}
		return viewer{actor: a, centre: a.CentreID}, nil
	case auth.RoleWindowClerk:
		if a.OfficeID == 0 {
			return viewer{}, apperr.ErrForbidden.WithMessage("this window clerk account is not bound to an issuing office")
		}
		return viewer{actor: a, office: a.OfficeID}, nil
	}
	return viewer{}, apperr.ErrForbidden
}

// ---------------------------------------------------------------- the dossier

// Dossier is one candidate's dossier as the caller may see it. full shows
// personal data unmasked: the bureau only, and the view is audited in the
// same transaction that reads it.
func (s *Service) Dossier(ctx context.Context, candidateID int64, full bool) (Record, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return Record{}, err
	}
	if full && !v.bureau() {
		return Record{}, ErrFullDataForbidden
	}
	var r Record
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.build(ctx, v, candidateID, full); err != nil {
			return err
		}
		if !full {
			return nil
		}
		return s.d.Audit.Record(ctx, audit.Entry{Action: "archive.view_full", TargetType: "candidate", TargetID: itoa(candidateID),
			After: map[string]any{"screen": "dossier"}})
	})
	return r, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// masker shows personal data in full or masked.
type masker bool

func (m masker) name(s string) string {
	if m {
		return s
	}
	return pii.MaskName(s)
}
func (m masker) id(s string) string {
	if m {
		return s
	}
	return pii.MaskIDNumber(s)
}
func (m masker) phone(s string) string {
	if m {
		return s
	}
	return pii.MaskPhone(s)
}
func (m masker) addr(s string) string {
	if m {
		return s
	}
	return pii.MaskAddress(s)
}
func (m masker) receiver(r registration.Receiver) ReceiverRecord {
	return ReceiverRecord{Name: m.name(r.Name), Phone: m.phone(r.Phone), Province: r.Province, City: r.City, County: r.County, Address: m.addr(r.Address)}
}

func (s *Service) at(t time.Time) time.Time { return t.In(s.cfg.Location) }

func (s *Service) atPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	x := s.at(t)
	return &x
}

// build reads every domain's part of the journey and keeps what v may see.
func (s *Service) build(ctx context.Context, v viewer, cid int64, full bool) (Record, error) {
	m := masker(full)
	c, err := s.d.Candidates.CandidateByID(ctx, cid)
	if err != nil {
		return Record{}, err
	}
	r := Record{Format: Format, GeneratedAt: s.at(s.d.Clock.Now()), FullData: full, Scope: v.scope(),
		Candidate: Person{CandidateID: c.ID, Phone: m.phone(c.Phone), RegisteredAt: s.at(c.CreatedAt)}}

	apps, err := s.d.Applications.ApplicationsOf(ctx, cid)
	if err != nil {
		return Record{}, err
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	if len(apps) > 0 {
		latest := apps[len(apps)-1].Form
		r.Candidate.Name, r.Candidate.IDNumber = m.name(latest.Name), m.id(latest.IDNumber)
	}

	bookings, err := s.bookings(ctx, cid)
	if err != nil {
		return Record{}, err
	}
	res, err := s.d.Results.CandidateResults(ctx, cid)
	if err != nil {
		return Record{}, err
	}
	certs, err := s.d.Certificates.CertificatesOfCandidate(ctx, cid)
	if err != nil {
		return Record{}, err
	}
	deliveries, err := s.d.Certificates.DeliveriesOf(ctx, cid)
	if err != nil {
		return Record{}, err
	}

	// Scope: keep the caller's centre's or office's part; nothing = not found.
	switch {
	case v.centre != 0:
		bookings = slices.DeleteFunc(bookings, func(b BookingRecord) bool { return b.CentreID != v.centre })
		res = slices.DeleteFunc(res, func(x results.SubjectResult) bool { return x.CentreID != v.centre })
		if len(bookings) == 0 && len(res) == 0 {
			return Record{}, apperr.ErrNotFound
		}
		certs, deliveries = nil, nil
	case v.office != 0:
		deliveries = slices.DeleteFunc(deliveries, func(d cert.Delivery) bool { return d.OfficeID != v.office })
		if len(deliveries) == 0 {
			return Record{}, apperr.ErrNotFound
		}
		apps2 := map[int64]bool{}
		for _, d := range deliveries {
			apps2[d.ApplicationID] = true
		}
		certs = slices.DeleteFunc(certs, func(c cert.Certificate) bool { return !apps2[c.ApplicationID] })
		bookings, res = nil, nil
	}

	r.Bookings = bookings
	if v.bureau() {
		if r.Applications, err = s.applications(ctx, apps, m); err != nil {
			return Record{}, err
		}
	}
	attempts, err := s.attempts(ctx, cid, v, res)
	if err != nil {
		return Record{}, err
	}
	r.Attempts = attempts
	today := s.d.Clock.Now()
	for _, x := range res {
		r.Results = append(r.Results, ResultRecord{ID: x.ID, AttemptID: x.AttemptID, SessionID: x.SessionID, CentreID: x.CentreID, Subject: string(x.Subject),
			Score: x.Score, TotalPoints: x.TotalPoints, PassPercent: x.PassPercent, Passed: x.Passed, SatAt: s.at(x.SatAt),
			ValidUntil: s.at(x.ValidUntil), ValidNow: x.ValidAt(today)})
	}
	if r.Certificates, err = s.certificates(ctx, certs, m); err != nil {
		return Record{}, err
	}
	for _, d := range deliveries {
		r.Deliveries = append(r.Deliveries, DeliveryRecord{ID: d.ID, ApplicationID: d.ApplicationID, OfficeID: d.OfficeID, Method: d.Method, Status: string(d.Status),
			Receiver: m.receiver(registration.Receiver(d.Receiver)), Waybill: d.Waybill, Returned: d.Returned, OrderedAt: s.atPtr(d.OrderedAt),
			DispatchedAt: s.atPtr(d.DispatchedAt), DeliveredAt: s.atPtr(d.DeliveredAt), ArrivedAt: s.atPtr(d.ArrivedAt), CollectedAt: s.atPtr(d.CollectedAt),
			CollectedBy: m.name(d.CollectedBy), Proxy: d.Proxy, ProxyReason: d.ProxyReason, HandedOverBy: d.HandedOverBy})
	}
	if v.bureau() {
		if r.Messages, err = s.messages(ctx, cid, c.Phone); err != nil {
			return Record{}, err
		}
		if r.StaffActions, err = s.actions(ctx, cid, r); err != nil {
			return Record{}, err
		}
		if r.Ledger, err = s.ledgerLines(ctx, r); err != nil {
			return Record{}, err
		}
	}
	return r.nonNil(), nil
}

// nonNil gives every list [] instead of null in the JSON.
func (r Record) nonNil() Record {
	r.Applications = orEmpty(r.Applications)
	r.Bookings = orEmpty(r.Bookings)
	r.Attempts = orEmpty(r.Attempts)
	r.Results = orEmpty(r.Results)
	r.Certificates = orEmpty(r.Certificates)
	r.Deliveries = orEmpty(r.Deliveries)
	r.Messages = orEmpty(r.Messages)
	r.StaffActions = orEmpty(r.StaffActions)
	r.Ledger = orEmpty(r.Ledger)
	return r
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) form(ctx context.Context, f registration.Form, m masker) FormRecord {
	out := FormRecord{Name: m.name(f.Name), IDNumber: m.id(f.IDNumber), LicenceClass: f.LicenceClass, LicenceFirstIssued: f.LicenceFirstIssued,
		Address: m.addr(f.Address), Pledge: orEmpty(slices.Clone(f.Pledge)), WantTaxi: f.WantTaxi, WantRideHailing: f.WantRideHailing,
		Delivery: f.Delivery, Receiver: m.receiver(f.Receiver)}
	if f.OfficeID != 0 {
		if o, err := s.d.Applications.OfficeByID(ctx, f.OfficeID); err == nil {
			out.Office = o.Name
		}
	}
	return out
}

func (s *Service) applications(ctx context.Context, apps []registration.Application, m masker) ([]ApplicationRecord, error) {
	var out []ApplicationRecord
	for _, a := range apps {
		rec := ApplicationRecord{ID: a.ID, Status: string(a.Status), CreatedAt: s.at(a.CreatedAt), SubmittedAt: s.atPtr(a.SubmittedAt),
			DecidedAt: s.atPtr(a.DecidedAt), SubmitCount: a.SubmitCount, Form: s.form(ctx, a.Form, m), Checks: a.Checks,
			ReasonCode: a.ReasonCode, Reason: a.Reason, PhotoOnFile: a.PhotoKey != ""}
		if rec.Checks == nil {
			rec.Checks = map[string]string{}
		}
		if a.ChannelID != 0 {
			if ch, err := s.d.Applications.ChannelByID(ctx, a.ChannelID); err == nil {
				rec.Channel = ch.Name
			}
		}
		evs, err := s.d.Applications.Events(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			rec.History = append(rec.History, StatusRecord{At: s.at(e.At), Status: string(e.Status), Actor: actor(e.ActorKind, e.ActorID), Note: e.Note, SMS: e.SMSTemplate})
		}
		vs, err := s.d.Forms.Versions(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		// Compared in clear (masks hide most of a change), shown as the viewer may see them.
		var prev *FormRecord
		for _, fv := range vs {
			clear := s.form(ctx, fv.Form, masker(true))
			rec.Versions = append(rec.Versions, FormVersionRecord{Version: fv.Version, SubmittedAt: s.at(fv.SubmittedAt), Form: s.form(ctx, fv.Form, m), Changed: changed(prev, clear)})
			prev = &clear
		}
		rec.History, rec.Versions = orEmpty(rec.History), orEmpty(rec.Versions)
		out = append(out, rec)
	}
	return out, nil
}

// changed lists the form fields that differ from the version before.
func changed(prev *FormRecord, f FormRecord) []string {
	if prev == nil {
		return []string{}
	}
	p := *prev
	out := []string{}
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("name", p.Name != f.Name)
	add("id_number", p.IDNumber != f.IDNumber)
	add("licence_class", p.LicenceClass != f.LicenceClass)
	add("licence_first_issued", p.LicenceFirstIssued != f.LicenceFirstIssued)
	add("address", p.Address != f.Address)
	add("pledge", !slices.Equal(p.Pledge, f.Pledge))
	add("want_taxi", p.WantTaxi != f.WantTaxi)
	add("want_ride_hailing", p.WantRideHailing != f.WantRideHailing)
	add("delivery", p.Delivery != f.Delivery)
	add("receiver", p.Receiver != f.Receiver)
	add("office", p.Office != f.Office)
	return out
}

func actor(kind string, id int64) string {
	switch kind {
	case "staff":
		return "staff:" + itoa(id)
	case "":
		return "system"
	}
	return kind
}

func (s *Service) bookings(ctx context.Context, cid int64) ([]BookingRecord, error) {
	list, err := s.d.Bookings.BookingsOf(ctx, cid)
	if err != nil {
		return nil, err
	}
	sessions := map[int64]booking.SessionView{}
	var out []BookingRecord
	for _, b := range list {
		sv, ok := sessions[b.SessionID]
		if !ok {
			if sv, err = s.d.Bookings.Session(ctx, b.SessionID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return nil, err
			}
			sessions[b.SessionID] = sv
		}
		out = append(out, BookingRecord{ID: b.ID, SessionID: b.SessionID, CentreID: sv.CentreID, Centre: sv.CentreName, Room: sv.RoomName,
			StartsAt: s.at(sv.StartsAt), Seat: b.SeatNumber, TicketNo: b.TicketNo, Status: string(b.Status), ReplacesID: b.ReplacesID,
			CreatedAt: s.at(b.CreatedAt), ChangedAt: s.at(b.ChangedAt), CheckedInAt: s.atPtr(b.CheckedInAt)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// attempts lists mock and formal attempts; a proctor sees the formal ones
// whose results were sat at their centre.
func (s *Service) attempts(ctx context.Context, cid int64, v viewer, res []results.SubjectResult) ([]AttemptRecord, error) {
	if v.office != 0 {
		return nil, nil
	}
	var out []AttemptRecord
	kinds := []attempt.Kind{attempt.KindFormal, attempt.KindMock}
	mine := map[int64]bool{}
	for _, x := range res {
		mine[x.AttemptID] = true
	}
	if v.centre != 0 {
		kinds = kinds[:1]
	}
	for _, k := range kinds {
		list, err := s.d.Attempts.AttemptsOf(ctx, cid, k)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if v.centre != 0 && !mine[a.ID] {
				continue
			}
			out = append(out, s.attemptRecord(a))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, nil
}

func (s *Service) attemptRecord(a attempt.Attempt) AttemptRecord {
	rec := AttemptRecord{ID: a.ID, Kind: string(a.Kind), StartedAt: s.at(a.StartedAt), Deadline: s.at(a.Deadline), SubmittedAt: s.atPtr(a.SubmittedAt),
		Reason: a.Reason, Passed: a.Passed, Sections: []SectionRecord{}}
	for _, sec := range a.Sections {
		rec.Sections = append(rec.Sections, SectionRecord{Subject: string(sec.Subject), Questions: sec.Count, Correct: sec.Correct, Score: sec.Score,
			TotalPoints: sec.TotalPoints, PassPercent: sec.PassPercent, Passed: sec.Passed})
	}
	return rec
}

func (s *Service) certificates(ctx context.Context, certs []cert.Certificate, m masker) ([]CertificateRecord, error) {
	today := s.d.Clock.Now().In(s.cfg.Location)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var out []CertificateRecord
	for _, c := range certs {
		evs, err := s.d.Certificates.Events(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		rec := CertificateRecord{ID: c.ID, Kind: string(c.Kind), Version: c.Version, LicenceID: c.LicenceID, Holder: m.name(c.HolderName),
			IDNumber: m.id(c.IDNumber), IssuedOn: c.IssuedOn.Format(time.DateOnly), ExpiresOn: c.ExpiresOn.Format(time.DateOnly),
			Status: string(c.LiveStatus(day)), Reason: c.Reason, ReplacedBy: c.ReplacedBy, History: []CertEventRecord{}}
		for _, e := range evs {
			rec.History = append(rec.History, CertEventRecord{At: s.at(e.At), Action: e.Action, Actor: actor(e.ActorKind, e.ActorID), Reason: e.Reason})
		}
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// messages are every SMS and postal order of the candidate: those linked
// to them and those sent to their phone (login codes; the codes hidden).
func (s *Service) messages(ctx context.Context, cid int64, phone string) ([]MessageRecord, error) {
	seen := map[int64]bool{}
	var out []MessageRecord
	for _, f := range []notify.Filter{{CandidateID: cid}, {Phone: phone}} {
		if f.Phone == "" && f.CandidateID == 0 {
			continue
		}
		for off := 0; ; off += 100 {
			f.Offset, f.Limit = off, 100
			list, _, err := s.d.Messages.List(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, x := range list {
				if seen[x.ID] {
					continue
				}
				seen[x.ID] = true
				out = append(out, MessageRecord{ID: x.ID, Topic: x.Topic, Template: x.Template, Title: x.TemplateTitle, To: x.RecipientMasked,
					Summary: x.Summary, Status: string(x.Status), CreatedAt: s.at(x.CreatedAt), SentAt: s.atPtr(x.SentAt)})
			}
			if len(list) < 100 {
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// actions are the audit entries about the candidate and every record of
// theirs, oldest first.
func (s *Service) actions(ctx context.Context, cid int64, r Record) ([]ActionRecord, error) {
	targets := []audit.Target{{Type: "candidate", ID: itoa(cid)}}
	for _, a := range r.Applications {
		targets = append(targets, audit.Target{Type: "application", ID: itoa(a.ID)})
	}
	for _, b := range r.Bookings {
		targets = append(targets, audit.Target{Type: "exam_booking", ID: itoa(b.ID)})
	}
	for _, a := range r.Attempts {
		targets = append(targets, audit.Target{Type: "exam_attempt", ID: itoa(a.ID)})
	}
	for _, c := range r.Certificates {
		targets = append(targets, audit.Target{Type: "certificate", ID: itoa(c.ID)})
	}
	for _, d := range r.Deliveries {
		targets = append(targets, audit.Target{Type: "cert_delivery", ID: itoa(d.ID)})
	}
	var out []ActionRecord
	for off := 0; ; off += 200 {
		list, _, err := s.d.Audit.List(ctx, audit.Filter{Targets: targets, Offset: off, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			who := e.ActorName
			if who == "" {
				who = e.ActorKind
			}
			if e.ActorRole != "" {
				who += " (" + e.ActorRole + ")"
			}
			out = append(out, ActionRecord{At: s.at(e.At), Actor: who, Action: e.Action, Target: e.TargetType + ":" + e.TargetID, IP: e.IP, Before: e.Before, After: e.After})
		}
		if len(list) < 200 {
			break
		}
	}
	slices.Reverse(out) // the log lists newest first
	return out, nil
}

func (s *Service) ledgerLines(ctx context.Context, r Record) ([]LedgerRecord, error) {
	var subjects []string
	for _, x := range r.Results {
		subjects = append(subjects, ledger.ResultSubject(x.ID))
	}
	for _, c := range r.Certificates {
		subjects = append(subjects, ledger.CertificateSubject(c.ID))
	}
	for _, d := range r.Deliveries {
		subjects = append(subjects, ledger.DeliverySubject(d.ID))
	}
	entries, err := s.d.Ledger.EntriesOf(ctx, subjects)
	if err != nil {
		return nil, err
	}
	out := make([]LedgerRecord, len(entries))
	for i, e := range entries {
		out[i] = LedgerRecord{Seq: e.Seq, Kind: string(e.Kind), Subject: e.Subject, At: s.at(e.At), Hash: e.Hash}
	}
	return out, nil
}

// ---------------------------------------------------------------- papers

// Paper is the exact paper of one of the candidate's attempts, as the
// caller may see it (the attempt must be in the dossier they see).
func (s *Service) Paper(ctx context.Context, candidateID, attemptID int64) (PaperRecord, error) {
	r, err := s.Dossier(ctx, candidateID, false)
	if err != nil {
		return PaperRecord{}, err
	}
	for _, a := range r.Attempts {
		if a.ID == attemptID {
			return s.paper(ctx, attempt.Kind(a.Kind), a.ID)
		}
	}
	return PaperRecord{}, apperr.ErrNotFound
}

func (s *Service) paper(ctx context.Context, kind attempt.Kind, id int64) (PaperRecord, error) {
	v, err := s.d.Attempts.Paper(ctx, kind, id)
	if err != nil {
		return PaperRecord{}, err
	}
	out := PaperRecord{AttemptID: id, Kind: string(kind), Questions: []PaperQuestion{}}
	for _, q := range v.Questions {
		pq := PaperQuestion{Position: q.Position, QuestionID: q.QuestionID, Version: q.Version, Type: string(q.Type), Stem: q.Stem,
			Given: questionbank.SortedKeys(q.Given), Answer: questionbank.SortedKeys(q.Answer), Correct: q.Correct, Points: q.Points, AnsweredAt: s.atPtr(q.AnsweredAt), Options: []OptionRecord{}}
		if q.Section >= 0 && q.Section < len(v.Sections) {
			pq.Subject = string(v.Sections[q.Section].Subject)
		}
		for _, o := range q.Options {
			pq.Options = append(pq.Options, OptionRecord{Key: o.Key, Text: o.Text})
		}
		out.Questions = append(out.Questions, pq)
	}
	return out, nil
}

// papers are the exact papers of every attempt in r (exports).
func (s *Service) papers(ctx context.Context, r Record) ([]PaperRecord, error) {
	var out []PaperRecord
	for _, a := range r.Attempts {
		if a.SubmittedAt == nil {
			continue // in progress: no key to show yet
		}
		p, err := s.paper(ctx, attempt.Kind(a.Kind), a.ID)
		if err != nil {
			return nil, fmt.Errorf("paper of attempt %d: %w", a.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Hit is a candidate found by the bureau's archive search (masked).
type Hit struct {
	CandidateID   int64
	Name          string
	IDNumber      string
	Phone         string
	ApplicationID int64  // the newest application (0 if none)
	Status        string // of that application
	UpdatedAt     time.Time
}

// Search finds candidates by full ID number, phone number or candidate id;
// an empty query lists those with the newest applications first. The
// bureau only (proctors and clerks open a dossier by candidate id).
func (s *Service) Search(ctx context.Context, q string, offset, limit int) ([]Hit, int64, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !v.bureau() {
		return nil, 0, apperr.ErrForbidden
	}
	q = strings.ToUpper(strings.TrimSpace(q))
	var ids []int64
	var total int64
	switch searchKind(q) {
	case "id_number":
		if ids, err = s.d.Applications.CandidatesByIDNumber(ctx, q); err != nil {
			return nil, 0, err
		}
		total = int64(len(ids))
	case "phone":
		c, err := s.d.Candidates.CandidateByPhone(ctx, q)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, 0, err
		}
		if err == nil {
			ids, total = []int64{c.ID}, 1
		}
	case "candidate_id":
		id, _ := strconv.ParseInt(q, 10, 64)
		if _, err := s.d.Candidates.CandidateByID(ctx, id); err == nil {
			ids, total = []int64{id}, 1
		}
	default:
		if q != "" {
			return nil, 0, apperr.Invalid(apperr.Fields{"q": rsnTheFull18CharacterIdNumber})
		}
		if ids, total, err = s.d.Applications.RecentCandidates(ctx, offset, limit); err != nil {
			return nil, 0, err
		}
	}
	out := make([]Hit, 0, len(ids))
	for _, id := range ids {
		c, err := s.d.Candidates.CandidateByID(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		h := Hit{CandidateID: id, Phone: pii.MaskPhone(c.Phone), UpdatedAt: s.at(c.CreatedAt)}
		apps, err := s.d.Applications.ApplicationsOf(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		if len(apps) > 0 {
			a := apps[0] // newest first
			h.Name, h.IDNumber, h.ApplicationID, h.Status, h.UpdatedAt = pii.MaskName(a.Form.Name), pii.MaskIDNumber(a.Form.IDNumber), a.ID, string(a.Status), s.at(a.UpdatedAt)
		}
		out = append(out, h)
	}
	return out, total, nil
}

// searchDigits tells an ID number, a phone number and an id apart.
func searchKind(q string) string {
	q = strings.TrimSpace(q)
	switch {
	case len(q) == 18:
		return "id_number"
	case len(q) == 11 && strings.Trim(q, "0123456789") == "":
		return "phone"
	case q != "" && len(q) <= 12 && strings.Trim(q, "0123456789") == "":
		return "candidate_id"
	}
	return ""
}

// withBureau makes ctx act as the bureau admin by (background builds of
// what that admin asked for).
func withBureau(ctx context.Context, by int64) context.Context {
	r := reqctx.From(ctx)
	r.Actor = &reqctx.Actor{UserID: by, Kind: reqctx.KindStaff, Role: auth.RoleBureauAdmin, Username: "archive-export"}
	return reqctx.With(ctx, r)
}

func reqctxActor(ctx context.Context) *reqctx.Actor { return reqctx.ActorFrom(ctx) }
