// Package registration is the candidate's start of the journey (报名端) and
// the police background check (公安审核端): registration channels with QR
// codes, the application form (GB 11643 ID number, the 3-year licence rule,
// the pledge, photo, delivery choice), the status timeline, the police
// queue and decisions, the weekly xlsx feedback, and the public list of
// ride-hailing platforms (供需对接).
//
// The package knows neither HTTP nor SQL: it declares Store, Notifier,
// Phones, Photos, Auditor and Transactor, and cmd/examd plugs in
// registrationdb, the notification outbox, auth's candidates, the photo
// directory and the audit log.
package registration

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/imagecheck"
	"taxiexam/internal/platform/reqctx"
)

// Store persists channels, applications, their history, platforms and
// offices (registrationdb). Update* load the row for update, let fn change
// it and save it, in one transaction.
type Store interface {
	CreateChannel(ctx context.Context, c *Channel) error
	ChannelByID(ctx context.Context, id int64) (Channel, error)
	ChannelByCode(ctx context.Context, code string) (Channel, error)
	UpdateChannel(ctx context.Context, id int64, fn func(*Channel) error) (Channel, error)
	ListChannels(ctx context.Context) ([]ChannelCount, error)
	// RecordScan counts one opening of a channel's QR landing at time at.
	RecordScan(ctx context.Context, channelID int64, at time.Time) error

	// CreateApplication returns apperr.ErrDuplicate when the candidate
	// already has an open application.
	CreateApplication(ctx context.Context, a *Application) error
	ApplicationByID(ctx context.Context, id int64) (Application, error)
	// UpdateApplication returns ErrIDNumberTaken when the new state would
	// give the ID number two active applications.
	UpdateApplication(ctx context.Context, id int64, fn func(*Application) error) (Application, error)
	ApplicationsOf(ctx context.Context, candidateID int64) ([]Application, error)
	// SearchApplications lists by filter; queue=true lists submitted and
	// under-check ones oldest first, otherwise newest first.
	SearchApplications(ctx context.Context, f Filter, queue bool) ([]Application, int64, error)
	AddEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, applicationID int64) ([]Event, error)
	Stats(ctx context.Context, from, to time.Time) ([]ChannelStat, error)

	CreatePlatform(ctx context.Context, p *Platform) error
	UpdatePlatform(ctx context.Context, id int64, fn func(*Platform) error) (Platform, error)
	ListPlatforms(ctx context.Context, includeDisabled bool) ([]Platform, error)

	CreateOffice(ctx context.Context, o *Office) error
	OfficeByID(ctx context.Context, id int64) (Office, error)
	UpdateOffice(ctx context.Context, id int64, fn func(*Office) error) (Office, error)
	ListOffices(ctx context.Context, includeDisabled bool) ([]Office, error)
}

// Notifier queues SMS through the notification outbox, in the caller's
// transaction (notify.Outbox). A repeated DedupeKey queues nothing new.
type Notifier interface {
	EnqueueSMS(ctx context.Context, m notify.SMS) (int64, error)
}

// Messages lists the messages sent to a candidate (notify.Service), for the
// dossier.
type Messages interface {
	List(ctx context.Context, f notify.Filter) ([]notify.View, int64, error)
}

// FormVersions keeps every submitted form (the archive's application
// versions), written in the submit transaction.
type FormVersions interface {
	Keep(ctx context.Context, a Application) error
}

// Phones gives a candidate's verified phone number (auth's candidates).
type Phones interface {
	CandidatePhone(ctx context.Context, candidateID int64) (string, error)
}

// PhonesFunc adapts a function to Phones.
type PhonesFunc func(ctx context.Context, candidateID int64) (string, error)

// CandidatePhone implements Phones.
func (f PhonesFunc) CandidatePhone(ctx context.Context, id int64) (string, error) { return f(ctx, id) }

// Photos keeps uploaded photos outside the web root.
type Photos interface {
	Save(ctx context.Context, data []byte, ext string) (key string, err error)
	Open(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// Auditor records staff actions inside their transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config is what the package needs from the configuration.
type Config struct {
	PublicURL     string         // QR codes point at PublicURL + RegisterPath + code
	City          string         // shown on posters
	Location      *time.Location // the bureau's zone: "today" and shown times
	PhotoMaxBytes int            // upload limit for the ID photo
	// Images bounds concurrent photo decodes (shared with other uploads
	// of this process); default: two at a time.
	Images *imagecheck.Decoder
}

// RegisterPath is the web app's public registration route; a channel's QR
// code encodes PublicURL + RegisterPath + code.
const RegisterPath = "/m/r/"

// Service implements registration and background checks.
type Service struct {
	store  Store
	notify Notifier
	phones Phones
	photos Photos
	audit  Auditor
	tx     Transactor
	clock  clock.Clock
	cfg    Config
	msgs   Messages
	forms  FormVersions
}

// WithFormVersions keeps each submitted form for the archive.
func (s *Service) WithFormVersions(v FormVersions) *Service {
	s.forms = v
	return s
}

// WithMessages lets the dossier list the candidate's messages.
func (s *Service) WithMessages(m Messages) *Service {
	s.msgs = m
	return s
}

// NewService wires the service.
func NewService(store Store, n Notifier, phones Phones, photos Photos, a Auditor, tx Transactor, clk clock.Clock, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.PhotoMaxBytes <= 0 {
		cfg.PhotoMaxBytes = 2 << 20
	}
	if cfg.Images == nil {
		cfg.Images = imagecheck.NewDecoder(2)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{store: store, notify: n, phones: phones, photos: photos, audit: a, tx: tx, clock: clk, cfg: cfg}
}

// Location is the bureau's time zone.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// today is the bureau's current civil date at UTC midnight.
func (s *Service) today() time.Time {
	n := s.clock.Now().In(s.cfg.Location)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// ---------------------------------------------------------------- candidate

// own loads an application of the calling candidate; someone else's is
// reported as not found.
func (s *Service) own(ctx context.Context, id int64) (Application, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Application{}, err
	}
	a, err := s.store.ApplicationByID(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if a.CandidateID != cid {
		return Application{}, apperr.ErrNotFound
	}
	return a, nil
}

// ChannelLanding resolves a QR code's channel (disabled ones too: the page
// says so).
func (s *Service) ChannelLanding(ctx context.Context, code string) (Channel, error) {
	code = strings.TrimSpace(code)
	if !validChannelCode(code) {
		return Channel{}, ErrChannelUnknown
	}
	c, err := s.store.ChannelByCode(ctx, code)
	if err != nil {
		if apperr.ErrNotFound.Is(err) {
			return Channel{}, ErrChannelUnknown
		}
		return Channel{}, err
	}
	return c, nil
}

// OpenLanding is ChannelLanding for the page a QR code opens: an active
// channel's opening is counted as one scan (per channel and hour, no
// visitor data), which the statistics set against its registrations.
func (s *Service) OpenLanding(ctx context.Context, code string) (Channel, error) {
	c, err := s.ChannelLanding(ctx, code)
	if err != nil || c.Disabled {
		return c, err
	}
	return c, s.store.RecordScan(ctx, c.ID, s.clock.Now().UTC())
}

// MyApplications lists the caller's applications, newest first.
func (s *Service) MyApplications(ctx context.Context) ([]Application, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.ApplicationsOf(ctx, cid)
}

// StartApplication returns the caller's open application, or creates a
// draft remembering the channel the candidate came through (by its code;
// empty = none). The bool reports a new draft.
func (s *Service) StartApplication(ctx context.Context, channelCode string) (Application, bool, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Application{}, false, err
	}
	var channelID int64
	if code := strings.TrimSpace(channelCode); code != "" {
		c, err := s.ChannelLanding(ctx, code)
		if err != nil {
			if apperr.ErrNotFound.Is(err) || ErrChannelUnknown.Is(err) {
				return Application{}, false, apperr.Invalid(apperr.Fields{"channel": rsnUnknownRegistrationCode})
			}
			return Application{}, false, err
		}
		if c.Disabled {
			return Application{}, false, ErrChannelDisabled
		}
		channelID = c.ID
	}
	if open, ok, err := s.openOf(ctx, cid); err != nil || ok {
		return open, false, err
	}
	a := Application{CandidateID: cid, ChannelID: channelID, Status: StatusDraft, Version: 1,
		Form: Form{WantTaxi: true, WantRideHailing: true}}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateApplication(ctx, &a); err != nil {
			return err
		}
		return s.store.AddEvent(ctx, &Event{ApplicationID: a.ID, At: s.clock.Now().UTC(), Status: StatusDraft, ActorKind: "candidate", ActorID: cid})
	})
	if apperr.ErrDuplicate.Is(err) { // a parallel request created it
		open, _, err := s.openOf(ctx, cid)
		return open, false, err
	}
	return a, err == nil, err
}

func (s *Service) openOf(ctx context.Context, cid int64) (Application, bool, error) {
	list, err := s.store.ApplicationsOf(ctx, cid)
	if err != nil {
		return Application{}, false, err
	}
	for _, a := range list {
		if a.Status.Open() {
			return a, true, nil
		}
	}
	return Application{}, false, nil
}

// MyApplication returns one of the caller's applications with its timeline.
func (s *Service) MyApplication(ctx context.Context, id int64) (Application, []Event, error) {
	a, err := s.own(ctx, id)
	if err != nil {
		return Application{}, nil, err
	}
	ev, err := s.store.Events(ctx, id)
	return a, ev, err
}

// SaveDraft replaces the form of an editable application (drafts save as
// the candidate types). Only the shape is checked here; Submit checks the
// rules. version is the one the client read.
func (s *Service) SaveDraft(ctx context.Context, id int64, version int, f Form) (Application, error) {
	if _, err := s.own(ctx, id); err != nil {
		return Application{}, err
	}
	f = normalise(f)
	if err := draftShape(f); err != nil {
		return Application{}, err
	}
	return s.store.UpdateApplication(ctx, id, func(a *Application) error {
		if !a.Status.Editable() {
			return ErrNotEditable
		}
		if version != a.Version {
			return apperr.ErrVersionConflict
		}
		a.Form = f
		a.Version++
		return nil
	})
}

// UploadPhoto checks and stores a recent ID photo for an editable
// application, replacing any earlier one.
func (s *Service) UploadPhoto(ctx context.Context, id int64, data []byte) (Application, error) {
	cur, err := s.own(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if !cur.Status.Editable() {
		return Application{}, ErrNotEditable
	}
	ctype, ext, err := CheckPhoto(ctx, s.cfg.Images, data, s.cfg.PhotoMaxBytes)
	if err != nil {
		return Application{}, err
	}
	key, err := s.photos.Save(ctx, data, ext)
	if err != nil {
		return Application{}, err
	}
	var old string
	a, err := s.store.UpdateApplication(ctx, id, func(a *Application) error {
		if !a.Status.Editable() {
			return ErrNotEditable
		}
		old = a.PhotoKey
		a.PhotoKey, a.PhotoType = key, ctype
		a.Version++
		return nil
	})
	if err != nil {
		_ = s.photos.Delete(context.WithoutCancel(ctx), key)
		return Application{}, err
	}
	if old != "" && old != key {
		_ = s.photos.Delete(context.WithoutCancel(ctx), old)
	}
	return a, nil
}

// Photo returns an application's photo: to its candidate, to police
// reviewers and bureau admins.
func (s *Service) Photo(ctx context.Context, id int64) ([]byte, string, error) {
	actor := reqctx.ActorFrom(ctx)
	if actor == nil {
		return nil, "", apperr.ErrUnauthenticated
	}
	var a Application
	var err error
	switch {
	case actor.IsCandidate():
		a, err = s.own(ctx, id)
	case actor.IsStaff() && actor.Is(reqctx.RolePoliceReviewer, reqctx.RoleBureauAdmin):
		a, err = s.store.ApplicationByID(ctx, id)
	default:
		return nil, "", apperr.ErrForbidden
	}
	if err != nil {
		return nil, "", err
	}
	if a.PhotoKey == "" {
		return nil, "", ErrNoPhoto
	}
	b, err := s.photos.Open(ctx, a.PhotoKey)
	if err != nil {
		return nil, "", err
	}
	return b, a.PhotoType, nil
}

// Submit checks every rule and puts the application in the police queue;
// the candidate gets an SMS. A returned application is resubmitted the same
// way.
func (s *Service) Submit(ctx context.Context, id int64, version int) (Application, error) {
	cur, err := s.own(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if !cur.Status.Editable() {
		return Application{}, ErrNotEditable
	}
	if err := s.validate(ctx, cur); err != nil {
		return Application{}, err
	}
	now := s.clock.Now().UTC()
	var out Application
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.UpdateApplication(ctx, id, func(a *Application) error {
			if !a.Status.Editable() {
				return ErrNotEditable
			}
			if version != a.Version {
				return apperr.ErrVersionConflict
			}
			a.Status = StatusSubmitted
			a.SubmitCount++
			if a.SubmittedAt.IsZero() {
				a.SubmittedAt = now
			}
			a.QueuedAt = now
			a.ReasonCode, a.Reason, a.Checks = "", "", nil
			a.Version++
			return nil
		})
		if err != nil {
			if ErrIDNumberTaken.Is(err) {
				return apperr.Invalid(apperr.Fields{"id_number": rsnAnotherActiveApplicationAlreadyUsesThis})
			}
			return err
		}
		out = a
		if s.forms != nil {
			if err := s.forms.Keep(ctx, a); err != nil {
				return err
			}
		}
		return s.changed(ctx, a, StatusSubmitted, "candidate", a.CandidateID, "", notify.TplApplicationReceived,
			map[string]string{"name": a.Form.Name}, fmt.Sprintf("application:%d:submitted:%d", a.ID, a.SubmitCount))
	})
	return out, err
}

// changed records the new status in the history and queues its SMS.
func (s *Service) changed(ctx context.Context, a Application, st Status, actorKind string, actorID int64, note, tpl string, params map[string]string, dedupe string) error {
	e := Event{ApplicationID: a.ID, At: s.clock.Now().UTC(), Status: st, ActorKind: actorKind, ActorID: actorID, Note: note, SMSTemplate: tpl}
	if err := s.store.AddEvent(ctx, &e); err != nil {
		return err
	}
	if tpl == "" {
		return nil
	}
	phone, err := s.phones.CandidatePhone(ctx, a.CandidateID)
	if err != nil {
		return fmt.Errorf("candidate %d phone: %w", a.CandidateID, err)
	}
	_, err = s.notify.EnqueueSMS(ctx, notify.SMS{Phone: phone, Template: tpl, Params: params, DedupeKey: dedupe, CandidateID: a.CandidateID})
	return err
}

// ---------------------------------------------------------------- validation

func normalise(f Form) Form {
	t := strings.TrimSpace
	f.Name, f.IDNumber, f.LicenceClass = t(f.Name), strings.ToUpper(t(f.IDNumber)), strings.ToUpper(t(f.LicenceClass))
	f.LicenceFirstIssued, f.Address, f.Delivery = t(f.LicenceFirstIssued), t(f.Address), t(f.Delivery)
	r := &f.Receiver
	r.Name, r.Phone, r.Province, r.City, r.County, r.Address = t(r.Name), t(r.Phone), t(r.Province), t(r.City), t(r.County), t(r.Address)
	seen := map[string]bool{}
	var pledge []string
	for _, p := range f.Pledge {
		if p = t(p); p != "" && !seen[p] {
			seen[p] = true
			pledge = append(pledge, p)
		}
	}
	f.Pledge = pledge
	return f
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func knownItem(list []Item, code string) bool {
	for _, it := range list {
		if it.Code == code {
			return true
		}
	}
	return false
}

// draftShape rejects values that can never become valid (too long, unknown
// codes); incomplete values are fine in a draft.
func draftShape(f Form) error {
	v := apperr.Fields{}
	v.Check(runes(f.Name) <= 50, "name", apperr.MaxChars(50))
	v.Check(len(f.IDNumber) <= 18, "id_number", rsnMustBe18Characters)
	v.Check(len(f.LicenceClass) <= 4, "licence_class", rsnUnknownLicenceClass)
	v.Check(len(f.LicenceFirstIssued) <= 10, "licence_first_issued", rsnMustBeADateLike2020)
	v.Check(runes(f.Address) <= 200, "address", apperr.MaxChars(200))
	for _, p := range f.Pledge {
		v.Check(knownItem(PledgeItems, p), "pledge", rsnUnknownPledge.With("item", p))
	}
	v.Check(f.Delivery == "" || f.Delivery == DeliveryPost || f.Delivery == DeliveryPickup, "delivery", apperr.OneOf("post", "pickup"))
	r := f.Receiver
	v.Check(runes(r.Name) <= 50, "receiver.name", apperr.MaxChars(50))
	v.Check(len(r.Phone) <= 11, "receiver.phone", apperr.Mobile())
	v.Check(runes(r.Province) <= 30, "receiver.province", apperr.MaxChars(30))
	v.Check(runes(r.City) <= 30, "receiver.city", apperr.MaxChars(30))
	v.Check(runes(r.County) <= 30, "receiver.county", apperr.MaxChars(30))
	v.Check(runes(r.Address) <= 200, "receiver.address", apperr.MaxChars(200))
	v.Check(f.OfficeID >= 0, "office_id", rsnUnknownIssuingWindow)
	return v.Err()
}

func validName(n string) bool {
	c := runes(n)
	if c < 2 || c > 30 {
		return false
	}
	for _, r := range n {
		if !(r >= 0x4e00 && r <= 0x9fff) && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && r != '·' && r != ' ' && r != '.' {
			return false
		}
	}
	return true
}

func validMobile(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
		return false
	}
	return strings.Trim(p, "0123456789") == ""
}

// ParseDate reads a civil date "2006-01-02".
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// CheckForm applies every rule of a complete application as of today (a
// civil date) and returns the per-field reasons. Offices and the photo are
// checked by the service.
func CheckForm(f Form, today time.Time) apperr.Fields {
	v := apperr.Fields{}
	if err, ok := apperr.As(draftShape(f)); ok {
		for k, r := range err.Fields {
			v.Add(k, r)
		}
	}
	v.Check(validName(f.Name), "name", rsn2To30CharactersAsOn)
	id, reason := ParseIDNumber(f.IDNumber, today)
	if f.IDNumber == "" {
		reason = apperr.Required()
	}
	v.Check(reason.IsZero(), "id_number", reason)
	classOK := false
	for _, c := range LicenceClasses {
		classOK = classOK || c == f.LicenceClass
	}
	v.Check(classOK, "licence_class", apperr.OneOf(LicenceClasses...))
	if first, ok := ParseDate(f.LicenceFirstIssued); !ok {
		v.Add("licence_first_issued", rsnMustBeADateLike2020)
	} else {
		switch {
		case first.After(today):
			v.Add("licence_first_issued", rsnCannotBeInTheFuture)
		case reason.IsZero() && first.Before(id.BirthDate.AddDate(18, 0, 0)):
			v.Add("licence_first_issued", rsnIsBeforeTheHolderS18th)
		case first.AddDate(LicenceMinYears, 0, 0).After(today):
			v.Add("licence_first_issued", rsnLicenceTooRecent.With("n", LicenceMinYears).With("date", today.AddDate(-LicenceMinYears, 0, 0).Format(time.DateOnly)))
		}
	}
	v.Check(runes(f.Address) >= 5, "address", apperr.MinChars(5))
	for _, it := range PledgeItems {
		found := false
		for _, p := range f.Pledge {
			found = found || p == it.Code
		}
		if !found {
			v.Add("pledge", rsnPledgeMissing.With("item", it.Code))
			break
		}
	}
	v.Check(f.WantTaxi || f.WantRideHailing, "certificates", rsnChooseAtLeastOneCertificate)
	switch f.Delivery {
	case DeliveryPost:
		r := f.Receiver
		v.Check(validName(r.Name), "receiver.name", apperr.CharsBetween(2, 30))
		v.Check(validMobile(r.Phone), "receiver.phone", apperr.Mobile())
		v.Check(r.Province != "", "receiver.province", apperr.Required())
		v.Check(r.City != "", "receiver.city", apperr.Required())
		v.Check(r.County != "", "receiver.county", apperr.Required())
		v.Check(runes(r.Address) >= 5, "receiver.address", apperr.MinChars(5))
	case DeliveryPickup:
		v.Check(f.OfficeID > 0, "office_id", rsnChooseAnIssuingWindow)
	default:
		v.Add("delivery", rsnChoosePostOrPickup)
	}
	return v
}

func (s *Service) validate(ctx context.Context, a Application) error {
	v := CheckForm(a.Form, s.today())
	v.Check(a.PhotoKey != "", "photo", rsnUploadARecentIdPhoto)
	if a.Form.Delivery == DeliveryPickup && a.Form.OfficeID > 0 {
		o, err := s.store.OfficeByID(ctx, a.Form.OfficeID)
		switch {
		case apperr.ErrNotFound.Is(err):
			v.Add("office_id", rsnUnknownIssuingWindow)
		case err != nil:
			return err
		case o.Disabled:
			v.Add("office_id", rsnThisIssuingWindowIsClosed)
		}
	}
	return v.Err()
}
