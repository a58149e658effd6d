package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/registration"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
)

// ---- request and response types: registration and background check ----

// Option is one entry of a fixed list.
type Option struct {
	Code    string `json:"code"`
	Label   string `json:"label" doc:"Chinese"`
	LabelEn string `json:"label_en" doc:"English"`
}

// RegistrationOptions are the fixed lists of the application form.
type RegistrationOptions struct {
	PledgeItems     []Option `json:"pledge_items" doc:"the disqualifying records pledged (and checked by the police)"`
	LicenceClasses  []string `json:"licence_classes"`
	LicenceMinYears int      `json:"licence_min_years"`
	RejectReasons   []Option `json:"reject_reasons"`
	PhotoMaxBytes   int      `json:"photo_max_bytes"`
	PhotoMinWidth   int      `json:"photo_min_width"`
	PhotoMinHeight  int      `json:"photo_min_height"`
	City            string   `json:"city"`
}

// ChannelLanding is what a QR code's page shows.
type ChannelLanding struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Active bool   `json:"active" doc:"false: the code is disabled; the page says so"`
}

// PlatformJSON is a compliant ride-hailing platform (供需对接).
type PlatformJSON struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	LicenceNo     string `json:"licence_no"`
	Contact       string `json:"contact"`
	DriversWanted int    `json:"drivers_wanted"`
	UpdatedOn     string `json:"updated_on" doc:"date, 2006-01-02"`
	Disabled      bool   `json:"disabled"`
	Version       int    `json:"version"`
}

// PlatformRequest creates or edits a platform.
type PlatformRequest struct {
	Version       int    `json:"version" doc:"edits only: the version you read"`
	Name          string `json:"name"`
	LicenceNo     string `json:"licence_no" doc:"网络预约出租汽车经营许可证号"`
	Contact       string `json:"contact"`
	DriversWanted int    `json:"drivers_wanted"`
	UpdatedOn     string `json:"updated_on" doc:"date, 2006-01-02; empty = today"`
	Disabled      bool   `json:"disabled"`
}

// OfficeJSON is an issuing window for certificate pick-up.
type OfficeJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Hours    string `json:"hours"`
	Disabled bool   `json:"disabled"`
	Version  int    `json:"version"`
}

// OfficeRequest creates or edits an issuing window.
type OfficeRequest struct {
	Version  int    `json:"version" doc:"edits only"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Hours    string `json:"hours"`
	Disabled bool   `json:"disabled"`
}

// ReceiverJSON is where certificates are posted.
type ReceiverJSON struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Province string `json:"province"`
	City     string `json:"city"`
	County   string `json:"county"`
	Address  string `json:"address"`
}

// ApplicationForm is everything the candidate fills in.
type ApplicationForm struct {
	Name               string       `json:"name"`
	IDNumber           string       `json:"id_number" doc:"18 characters, GB 11643"`
	LicenceClass       string       `json:"licence_class" doc:"A1 A2 A3 B1 B2 C1 C2"`
	LicenceFirstIssued string       `json:"licence_first_issued" doc:"date, 2006-01-02; held at least 3 years"`
	Address            string       `json:"address"`
	Pledge             []string     `json:"pledge" doc:"codes of the pledge items confirmed (all are required to submit)"`
	WantTaxi           bool         `json:"want_taxi"`
	WantRideHailing    bool         `json:"want_ride_hailing"`
	Delivery           string       `json:"delivery" doc:"post | pickup; empty in a draft until chosen"`
	Receiver           ReceiverJSON `json:"receiver" doc:"post only"`
	OfficeID           int64        `json:"office_id" doc:"pickup only: an issuing window"`
}

// StartApplicationRequest opens (or returns) the candidate's application.
type StartApplicationRequest struct {
	Channel string `json:"channel" doc:"the registration code from the QR (empty = none)"`
}

// SaveDraftRequest replaces the form of an editable application.
type SaveDraftRequest struct {
	Version int              `json:"version" doc:"the version you read; a stale one gets 409"`
	Form    *ApplicationForm `json:"form" doc:"required: the whole form as it stands (a save without it changes nothing)"`
}

// SubmitRequest submits (or resubmits) an application.
type SubmitRequest struct {
	Version int `json:"version"`
}

// TimelineEntry is one status change.
type TimelineEntry struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty" doc:"the reviewer's reason for a return or rejection"`
	SMS    string    `json:"sms,omitempty" doc:"template of the SMS queued with this change"`
}

// Derived is what the ID number tells.
type Derived struct {
	BirthDate string `json:"birth_date"`
	Sex       string `json:"sex" doc:"male | female"`
}

// MyApplication is the candidate's own application.
type MyApplication struct {
	ID          int64           `json:"id"`
	Status      string          `json:"status" doc:"draft | submitted | under_check | approved | returned | rejected"`
	Version     int             `json:"version"`
	Editable    bool            `json:"editable"`
	ChannelID   int64           `json:"channel_id"`
	Form        ApplicationForm `json:"form"`
	Derived     *Derived        `json:"derived" doc:"null until the ID number is valid"`
	HasPhoto    bool            `json:"has_photo"`
	SubmittedAt *time.Time      `json:"submitted_at"`
	DecidedAt   *time.Time      `json:"decided_at"`
	ReasonCode  string          `json:"reason_code,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Timeline    []TimelineEntry `json:"timeline"`
}

// MyApplications lists the candidate's applications.
type MyApplications struct {
	Items []MyApplication `json:"items"`
}

// ApplicationSummary is a list line: personal data masked.
type ApplicationSummary struct {
	ID             int64      `json:"id"`
	Status         string     `json:"status"`
	NameMasked     string     `json:"name_masked"`
	IDNumberMasked string     `json:"id_number_masked"`
	ChannelID      int64      `json:"channel_id"`
	CreatedAt      time.Time  `json:"created_at"`
	QueuedAt       *time.Time `json:"queued_at"`
	DecidedAt      *time.Time `json:"decided_at"`
	WaitingDays    int        `json:"waiting_days"`
	Overdue        bool       `json:"overdue" doc:"waiting more than 7 days (weekly feedback)"`
}

// ReviewApplication is the review screen: the full ID number, shown only
// here and in the dossier (every view is audited).
type ReviewApplication struct {
	ID                 int64             `json:"id"`
	Status             string            `json:"status"`
	Version            int               `json:"version"`
	Name               string            `json:"name"`
	IDNumber           string            `json:"id_number" doc:"masked on the read-only view; in full once the case is taken"`
	IdentityShown      bool              `json:"identity_shown" doc:"true when answered by POST .../take (full ID number, audited)"`
	Derived            *Derived          `json:"derived"`
	LicenceClass       string            `json:"licence_class"`
	LicenceFirstIssued string            `json:"licence_first_issued"`
	Address            string            `json:"address"`
	Pledge             []Option          `json:"pledge" doc:"the items the candidate pledged"`
	HasPhoto           bool              `json:"has_photo"`
	SubmitCount        int               `json:"submit_count"`
	QueuedAt           *time.Time        `json:"queued_at"`
	WaitingDays        int               `json:"waiting_days"`
	Overdue            bool              `json:"overdue"`
	Checks             map[string]string `json:"checks"`
	ReasonCode         string            `json:"reason_code"`
	Reason             string            `json:"reason"`
	Timeline           []TimelineEntry   `json:"timeline"`
}

// DecisionRequest is a reviewer's verdict.
type DecisionRequest struct {
	Version    int               `json:"version" doc:"the version on the review screen"`
	Checks     map[string]string `json:"checks" doc:"pledge item code -> clear | found"`
	Outcome    string            `json:"outcome" doc:"approve | return | reject"`
	ReasonCode string            `json:"reason_code" doc:"reject: record_found | false_pledge | identity_mismatch | other"`
	Reason     string            `json:"reason" doc:"return: what to correct; reject: why"`
}

// QueueQuery filters the police queue.
type QueueQuery struct {
	PageQuery
	Overdue bool `form:"overdue" json:"overdue" doc:"only applications waiting more than 7 days"`
}

// ImportResultJSON says what an import did.
type ImportResultJSON struct {
	Applied int `json:"applied"`
	Skipped int `json:"skipped" doc:"rows without an outcome (still pending)"`
}

// ChannelJSON is a registration channel.
type ChannelJSON struct {
	ID           int64     `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind" doc:"online | window (the QR at the service hall's counter)"`
	Disabled     bool      `json:"disabled"`
	Version      int       `json:"version"`
	URL          string    `json:"url" doc:"what the QR code encodes"`
	Applications int64     `json:"applications"`
	CreatedAt    time.Time `json:"created_at"`
}

// ChannelList lists channels with their counts.
type ChannelList struct {
	Items []ChannelJSON `json:"items"`
}

// CreateChannelRequest creates a channel.
type CreateChannelRequest struct {
	Code string `json:"code" doc:"optional: 3-32 of a-z 0-9 -; generated when empty"`
	Name string `json:"name"`
	Kind string `json:"kind" doc:"online (default) | window"`
}

// UpdateChannelRequest renames, disables or enables a channel.
type UpdateChannelRequest struct {
	Version  int     `json:"version"`
	Name     *string `json:"name,omitempty"`
	Kind     *string `json:"kind,omitempty" doc:"online | window"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// QRQuery sizes a PNG QR code.
type QRQuery struct {
	Size int `form:"size" json:"size" doc:"edge in pixels, 128-4096, default 1024"`
}

// DateRangeQuery bounds statistics and searches by creation date.
type DateRangeQuery struct {
	From string `form:"from" json:"from" doc:"first day, 2006-01-02 (bureau time) or RFC 3339"`
	To   string `form:"to" json:"to" doc:"last day, inclusive, 2006-01-02 or RFC 3339 (exclusive)"`
}

// ChannelStatJSON counts one channel's applications.
type ChannelStatJSON struct {
	ChannelID int64            `json:"channel_id" doc:"0 = opened without a QR code"`
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Total     int64            `json:"total"`
	ByStatus  map[string]int64 `json:"by_status"`
}

// RegistrationStats is applications per channel and status.
type RegistrationStats struct {
	From  *time.Time        `json:"from"`
	To    *time.Time        `json:"to"`
	Total int64             `json:"total"`
	Items []ChannelStatJSON `json:"items"`
}

// ApplicationSearchQuery filters the bureau's search.
type ApplicationSearchQuery struct {
	PageQuery
	DateRangeQuery
	Status    string `form:"status" json:"status"`
	ChannelID int64  `form:"channel_id" json:"channel_id"`
}

// DossierMessage is one message sent to the candidate.
type DossierMessage struct {
	ID        int64      `json:"id"`
	Topic     string     `json:"topic"`
	Template  string     `json:"template"`
	Title     string     `json:"title"`
	Summary   string     `json:"summary"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Dossier is the whole application for the archive.
type Dossier struct {
	Application ReviewApplication `json:"application"`
	CandidateID int64             `json:"candidate_id" doc:"for ending the candidate's sessions (POST /admin/candidates/:id/revoke-sessions)"`
	Phone       string            `json:"phone"`
	Channel     *ChannelJSON      `json:"channel"`
	Form        ApplicationForm   `json:"form"`
	Office      *OfficeJSON       `json:"office"`
	CreatedAt   time.Time         `json:"created_at"`
	DecidedAt   *time.Time        `json:"decided_at"`
	Messages    []DossierMessage  `json:"messages"`
}

// ---- conversion ----

func formJSON(f registration.Form) ApplicationForm {
	return ApplicationForm{Name: f.Name, IDNumber: f.IDNumber, LicenceClass: f.LicenceClass, LicenceFirstIssued: f.LicenceFirstIssued,
		Address: f.Address, Pledge: nonNil(f.Pledge), WantTaxi: f.WantTaxi, WantRideHailing: f.WantRideHailing, Delivery: f.Delivery,
		Receiver: ReceiverJSON(f.Receiver), OfficeID: f.OfficeID}
}

func formOf(f ApplicationForm) registration.Form {
	return registration.Form{Name: f.Name, IDNumber: f.IDNumber, LicenceClass: f.LicenceClass, LicenceFirstIssued: f.LicenceFirstIssued,
		Address: f.Address, Pledge: f.Pledge, WantTaxi: f.WantTaxi, WantRideHailing: f.WantRideHailing, Delivery: f.Delivery,
		Receiver: registration.Receiver(f.Receiver), OfficeID: f.OfficeID}
}

func (s *Server) derived(id string) *Derived {
	if id == "" {
		return nil
	}
	p, reason := registration.ParseIDNumber(id, s.now())
	if !reason.IsZero() {
		return nil
	}
	return &Derived{BirthDate: p.BirthDate.Format(time.DateOnly), Sex: p.Sex}
}

func (s *Server) timeline(ev []registration.Event) []TimelineEntry {
	return mapSlice(ev, func(e registration.Event) TimelineEntry {
		return TimelineEntry{Status: string(e.Status), At: s.at(e.At), Note: e.Note, SMS: e.SMSTemplate}
	})
}

func (s *Server) myApplication(a registration.Application, ev []registration.Event) MyApplication {
	return MyApplication{ID: a.ID, Status: string(a.Status), Version: a.Version, Editable: a.Status.Editable(), ChannelID: a.ChannelID,
		Form: formJSON(a.Form), Derived: s.derived(a.Form.IDNumber), HasPhoto: a.PhotoKey != "",
		SubmittedAt: s.atPtr(a.SubmittedAt), DecidedAt: s.atPtr(a.DecidedAt), ReasonCode: a.ReasonCode, Reason: a.Reason, Timeline: s.timeline(ev)}
}

func (s *Server) summary(a registration.Application) ApplicationSummary {
	reg := s.deps.Registration
	return ApplicationSummary{ID: a.ID, Status: string(a.Status), NameMasked: pii.MaskName(a.Form.Name), IDNumberMasked: pii.MaskIDNumber(a.Form.IDNumber),
		ChannelID: a.ChannelID, CreatedAt: s.at(a.CreatedAt), QueuedAt: s.atPtr(a.QueuedAt), DecidedAt: s.atPtr(a.DecidedAt),
		WaitingDays: reg.WaitingDays(a), Overdue: reg.Overdue(a)}
}

func (s *Server) reviewJSON(a registration.Application, ev []registration.Event) ReviewApplication {
	reg := s.deps.Registration
	var pledge []Option
	for _, it := range registration.PledgeItems {
		for _, p := range a.Form.Pledge {
			if p == it.Code {
				pledge = append(pledge, Option(it))
			}
		}
	}
	checks := a.Checks
	if checks == nil {
		checks = map[string]string{}
	}
	return ReviewApplication{ID: a.ID, Status: string(a.Status), Version: a.Version, Name: a.Form.Name, IDNumber: a.Form.IDNumber, IdentityShown: true,
		Derived: s.derived(a.Form.IDNumber), LicenceClass: a.Form.LicenceClass, LicenceFirstIssued: a.Form.LicenceFirstIssued,
		Address: a.Form.Address, Pledge: nonNil(pledge), HasPhoto: a.PhotoKey != "", SubmitCount: a.SubmitCount, QueuedAt: s.atPtr(a.QueuedAt),
		WaitingDays: reg.WaitingDays(a), Overdue: reg.Overdue(a), Checks: checks, ReasonCode: a.ReasonCode, Reason: a.Reason,
		Timeline: s.timeline(ev)}
}

func (s *Server) channelJSON(c registration.Channel, n int64) ChannelJSON {
	return ChannelJSON{ID: c.ID, Code: c.Code, Name: c.Name, Kind: c.Kind, Disabled: c.Disabled, Version: c.Version,
		URL: s.deps.Registration.RegistrationURL(c), Applications: n, CreatedAt: s.at(c.CreatedAt)}
}

func options(items []registration.Item) []Option {
	return mapSlice(items, func(it registration.Item) Option { return Option(it) })
}

// dateRange reads from/to: a civil date in the bureau's zone (to inclusive)
// or an RFC 3339 time (to exclusive).
func (s *Server) dateRange(c *gin.Context) (from, to time.Time, err error) {
	bad := apperr.Fields{}
	parse := func(name string, endOfDay bool) time.Time {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return time.Time{}
		}
		if d, err := time.ParseInLocation(time.DateOnly, v, s.deps.Config.Location); err == nil {
			if endOfDay {
				return d.AddDate(0, 0, 1)
			}
			return d
		}
		t, err := time.Parse(time.RFC3339, v)
		bad.Check(err == nil, name, apperr.DateOrTime())
		return t
	}
	from, to = parse("from", false), parse("to", true)
	if bad.Err() == nil && !from.IsZero() && !to.IsZero() && !to.After(from) {
		bad.Add("to", apperr.NotBeforeFrom())
	}
	return from, to, bad.Err()
}

// ---- public ----

func (s *Server) registrationOptions(c *gin.Context) (RegistrationOptions, error) {
	return RegistrationOptions{PledgeItems: options(registration.PledgeItems), LicenceClasses: registration.LicenceClasses,
		LicenceMinYears: registration.LicenceMinYears, RejectReasons: options(registration.RejectReasons),
		PhotoMaxBytes: s.photoMaxBytes(), PhotoMinWidth: registration.PhotoMinWidth, PhotoMinHeight: registration.PhotoMinHeight,
		City: s.deps.Config.City}, nil
}

func (s *Server) photoMaxBytes() int {
	return min(int(s.deps.Config.Server.UploadLimitBytes)-4096, 2<<20)
}

func (s *Server) channelLanding(c *gin.Context) (ChannelLanding, error) {
	ch, err := s.deps.Registration.OpenLanding(c.Request.Context(), c.Param("code"))
	return ChannelLanding{Code: ch.Code, Name: ch.Name, Active: !ch.Disabled}, err
}

func platformJSON(p registration.Platform) PlatformJSON { return PlatformJSON(p) }

func officeJSON(o registration.Office) OfficeJSON { return OfficeJSON(o) }

func (s *Server) listPlatforms(includeDisabled bool) gin.HandlerFunc {
	return noBody(func(c *gin.Context) (itemList[PlatformJSON], error) {
		list, err := s.deps.Registration.Platforms(c.Request.Context(), includeDisabled)
		return itemList[PlatformJSON]{Items: mapSlice(list, platformJSON)}, err
	})
}

func (s *Server) listOffices(includeDisabled bool) gin.HandlerFunc {
	return noBody(func(c *gin.Context) (itemList[OfficeJSON], error) {
		list, err := s.deps.Registration.Offices(c.Request.Context(), includeDisabled)
		return itemList[OfficeJSON]{Items: mapSlice(list, officeJSON)}, err
	})
}

// ---- candidate ----

func (s *Server) myApplications(c *gin.Context) (MyApplications, error) {
	list, err := s.deps.Registration.MyApplications(c.Request.Context())
	return MyApplications{Items: mapSlice(list, func(a registration.Application) MyApplication { return s.myApplication(a, nil) })}, err
}

func (s *Server) startApplication(c *gin.Context, req StartApplicationRequest) (MyApplication, error) {
	ctx := c.Request.Context()
	a, _, err := s.deps.Registration.StartApplication(ctx, req.Channel)
	if err != nil {
		return MyApplication{}, err
	}
	_, ev, err := s.deps.Registration.MyApplication(ctx, a.ID)
	return s.myApplication(a, ev), err
}

func (s *Server) getMyApplication(c *gin.Context, id int64) (MyApplication, error) {
	a, ev, err := s.deps.Registration.MyApplication(c.Request.Context(), id)
	return s.myApplication(a, ev), err
}

func (s *Server) saveDraft(c *gin.Context, id int64, req SaveDraftRequest) (MyApplication, error) {
	if req.Form == nil {
		return MyApplication{}, apperr.Invalid(apperr.Fields{"form": apperr.Required()})
	}
	a, err := s.deps.Registration.SaveDraft(c.Request.Context(), id, req.Version, formOf(*req.Form))
	return s.myApplication(a, nil), err
}

func (s *Server) submitApplication(c *gin.Context, id int64, req SubmitRequest) (MyApplication, error) {
	ctx := c.Request.Context()
	if _, err := s.deps.Registration.Submit(ctx, id, req.Version); err != nil {
		return MyApplication{}, err
	}
	a, ev, err := s.deps.Registration.MyApplication(ctx, id)
	return s.myApplication(a, ev), err
}

func (s *Server) uploadPhoto(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	limit := s.photoMaxBytes()
	data, _, err := uploadedFile(c, int64(limit), registration.ErrPhotoTooLarge.WithMessage("the file is larger than %d KB", limit/1024))
	if err != nil {
		fail(c, err)
		return
	}
	a, err := s.deps.Registration.UploadPhoto(c.Request.Context(), id, data)
	respond(c, s.myApplication(a, nil), err)
}

func (s *Server) applicationPhoto(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, ctype, err := s.deps.Registration.Photo(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, ctype, b)
}

// ---- police ----

func (s *Server) reviewQueue(c *gin.Context, p pageReq) ([]ApplicationSummary, int64, error) {
	overdue := false
	if v := c.Query("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, 0, apperr.Invalid(apperr.Fields{"overdue": apperr.Bool()})
		}
		overdue = b
	}
	list, total, err := s.deps.Registration.Queue(c.Request.Context(), overdue, p.offset(), p.size)
	return mapSlice(list, s.summary), total, err
}

// reviewApplication is the read-only review screen: nothing changes and
// the ID number is masked until the reviewer takes the case.
func (s *Server) reviewApplication(c *gin.Context, id int64) (ReviewApplication, error) {
	a, ev, err := s.deps.Registration.ReviewPreview(c.Request.Context(), id)
	if err != nil {
		return ReviewApplication{}, err
	}
	c.Header("Cache-Control", "no-store")
	v := s.reviewJSON(a, ev)
	v.IDNumber, v.IdentityShown = pii.MaskIDNumber(v.IDNumber), false
	return v, nil
}

// takeCase takes the application under check and shows the full identity.
func (s *Server) takeCase(c *gin.Context, id int64) (ReviewApplication, error) {
	a, ev, err := s.deps.Registration.TakeCase(c.Request.Context(), id)
	if err != nil {
		return ReviewApplication{}, err
	}
	c.Header("Cache-Control", "no-store")
	return s.reviewJSON(a, ev), nil
}

func (s *Server) decideApplication(c *gin.Context, id int64, req DecisionRequest) (ApplicationSummary, error) {
	if req.Version <= 0 {
		return ApplicationSummary{}, apperr.Invalid(apperr.Fields{"version": rsnRequiredTheVersionOnTheReview})
	}
	a, err := s.deps.Registration.Decide(c.Request.Context(), id, registration.Decision{Version: req.Version, Checks: req.Checks,
		Outcome: req.Outcome, ReasonCode: req.ReasonCode, Reason: req.Reason})
	return s.summary(a), err
}

func (s *Server) exportPending(c *gin.Context) {
	b, _, err := s.deps.Registration.ExportPending(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	name := "pending-" + s.now().Format("20060102") + ".xlsx"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

func (s *Server) importResults(c *gin.Context) {
	limit := int(s.deps.Config.Server.UploadLimitBytes)
	data, _, err := uploadedFile(c, int64(limit), errBodyTooLarge.WithMessage("the file is larger than %d KB", limit/1024))
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.deps.Registration.ImportResults(c.Request.Context(), data)
	respond(c, ImportResultJSON(res), err)
}

// ---- bureau ----

func (s *Server) listChannels(c *gin.Context) (ChannelList, error) {
	list, err := s.deps.Registration.Channels(c.Request.Context())
	return ChannelList{Items: mapSlice(list, func(ch registration.ChannelCount) ChannelJSON { return s.channelJSON(ch.Channel, ch.Applications) })}, err
}

func (s *Server) createChannel(c *gin.Context, req CreateChannelRequest) (ChannelJSON, error) {
	ch, err := s.deps.Registration.CreateChannel(c.Request.Context(), registration.NewChannel{Code: req.Code, Name: req.Name, Kind: req.Kind})
	return s.channelJSON(ch, 0), err
}

func (s *Server) updateChannel(c *gin.Context, id int64, req UpdateChannelRequest) (ChannelJSON, error) {
	ch, err := s.deps.Registration.UpdateChannel(c.Request.Context(), id, registration.ChannelChange{Version: req.Version, Name: req.Name, Kind: req.Kind, Disabled: req.Disabled})
	return s.channelJSON(ch, 0), err
}

func (s *Server) channelQRPNG(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	bad := apperr.Fields{}
	size := queryInt(c, bad, "size", math.MinInt64, rsnPixels)
	if err := bad.Err(); err != nil {
		fail(c, err)
		return
	}
	b, ch, err := s.deps.Registration.ChannelQRPNG(c.Request.Context(), id, int(size))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="qr-%s.png"`, ch.Code))
	c.Data(http.StatusOK, "image/png", b)
}

func (s *Server) channelQRSVG(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, ch, err := s.deps.Registration.ChannelQRSVG(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="qr-%s.svg"`, ch.Code))
	c.Data(http.StatusOK, "image/svg+xml", b)
}

func (s *Server) channelPoster(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Registration.ChannelPoster(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}

func (s *Server) registrationStats(c *gin.Context) (RegistrationStats, error) {
	from, to, err := s.dateRange(c)
	if err != nil {
		return RegistrationStats{}, err
	}
	stats, err := s.deps.Registration.Stats(c.Request.Context(), from, to)
	if err != nil {
		return RegistrationStats{}, err
	}
	out := RegistrationStats{From: s.atPtr(from), To: s.atPtr(to), Items: make([]ChannelStatJSON, len(stats))}
	for i, st := range stats {
		by := map[string]int64{}
		for _, x := range registration.Statuses {
			by[string(x)] = st.ByStatus[x]
		}
		out.Items[i] = ChannelStatJSON{ChannelID: st.ChannelID, Code: st.Code, Name: st.Name, Total: st.Total, ByStatus: by}
		out.Total += st.Total
	}
	return out, nil
}

func (s *Server) searchApplications(c *gin.Context, p pageReq) ([]ApplicationSummary, int64, error) {
	from, to, err := s.dateRange(c)
	if err != nil {
		return nil, 0, err
	}
	f := registration.Filter{Status: registration.Status(c.Query("status")), From: from, To: to, Offset: p.offset(), Limit: p.size}
	bad := apperr.Fields{}
	f.ChannelID = queryInt(c, bad, "channel_id", 0, rsnNumber)
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	list, total, err := s.deps.Registration.Search(c.Request.Context(), f)
	return mapSlice(list, s.summary), total, err
}

func (s *Server) applicationDossier(c *gin.Context, id int64) (Dossier, error) {
	d, err := s.deps.Registration.Dossier(c.Request.Context(), id)
	if err != nil {
		return Dossier{}, err
	}
	a := d.Application
	out := Dossier{Application: s.reviewJSON(a, d.Events), CandidateID: a.CandidateID, Phone: d.Phone, Form: formJSON(a.Form), CreatedAt: s.at(a.CreatedAt),
		DecidedAt: s.atPtr(a.DecidedAt), Messages: []DossierMessage{}}
	if d.Channel != nil {
		ch := s.channelJSON(*d.Channel, 0)
		out.Channel = &ch
	}
	if d.Office != nil {
		o := officeJSON(*d.Office)
		out.Office = &o
	}
	for _, m := range d.Messages {
		out.Messages = append(out.Messages, DossierMessage{ID: m.ID, Topic: m.Topic, Template: m.Template, Title: m.TemplateTitle, Summary: m.Summary,
			Status: string(m.Status), CreatedAt: s.at(m.CreatedAt), SentAt: s.atPtr(m.SentAt)})
	}
	c.Header("Cache-Control", "no-store")
	return out, nil
}

func (s *Server) createPlatform(c *gin.Context, req PlatformRequest) (PlatformJSON, error) {
	p, err := s.deps.Registration.CreatePlatform(c.Request.Context(), registration.PlatformInput(req))
	return platformJSON(p), err
}

func (s *Server) updatePlatform(c *gin.Context, id int64, req PlatformRequest) (PlatformJSON, error) {
	p, err := s.deps.Registration.UpdatePlatform(c.Request.Context(), id, registration.PlatformInput(req))
	return platformJSON(p), err
}

func (s *Server) createOffice(c *gin.Context, req OfficeRequest) (OfficeJSON, error) {
	o, err := s.deps.Registration.CreateOffice(c.Request.Context(), registration.OfficeInput(req))
	return officeJSON(o), err
}

func (s *Server) updateOffice(c *gin.Context, id int64, req OfficeRequest) (OfficeJSON, error) {
	o, err := s.deps.Registration.UpdateOffice(c.Request.Context(), id, registration.OfficeInput(req))
	return officeJSON(o), err
}
