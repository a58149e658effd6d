// Package registrationdb stores registration channels, applications and
// their history, ride-hailing platforms and issuing windows in SQL.
//
// Personal data (name, ID number, addresses, the receiver's phone) is
// encrypted with pii.Protector; the ID number also has a blind index. Two
// nullable unique keys carry the rules "one open application per candidate"
// (open_candidate) and "one active application per ID number"
// (active_id_bidx), so they hold under any concurrency.
package registrationdb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

type channelRow struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	Name      string
	Kind      string
	Disabled  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (channelRow) TableName() string { return "registration_channels" }

type applicationRow struct {
	ID                 int64 `gorm:"primaryKey"`
	CandidateID        int64
	ChannelID          int64
	Status             string
	Version            int
	OpenCandidate      *int64
	ActiveIDBidx       *string `gorm:"column:active_id_bidx"`
	IDBidx             string  `gorm:"column:id_bidx"`
	NameEnc            string
	IDNumberEnc        string `gorm:"column:id_number_enc"`
	LicenceClass       string
	LicenceFirstIssued string
	AddressEnc         string
	Pledge             string
	WantTaxi           bool
	WantRideHailing    bool
	Delivery           string
	ReceiverNameEnc    string
	ReceiverPhoneEnc   string
	ReceiverProvince   string
	ReceiverCity       string
	ReceiverCounty     string
	ReceiverAddressEnc string
	OfficeID           int64
	PhotoKey           string
	PhotoType          string
	SubmitCount        int
	SubmittedAt        *time.Time
	QueuedAt           *time.Time
	DecidedAt          *time.Time
	ReviewerID         int64
	Checks             string
	ReasonCode         string
	Reason             string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (applicationRow) TableName() string { return "applications" }

type eventRow struct {
	ID            int64 `gorm:"primaryKey"`
	ApplicationID int64
	At            time.Time
	Status        string
	ActorKind     string
	ActorID       int64
	Note          string
	SMSTemplate   string `gorm:"column:sms_template"`
}

func (eventRow) TableName() string { return "application_events" }

type platformRow struct {
	ID            int64 `gorm:"primaryKey"`
	Name          string
	LicenceNo     string
	Contact       string
	DriversWanted int
	UpdatedOn     string
	Disabled      bool
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (platformRow) TableName() string { return "ride_hailing_platforms" }

type officeRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Address   string
	Hours     string
	Disabled  bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (officeRow) TableName() string { return "issuing_offices" }

// Store implements registration.Store.
type Store struct {
	db  *sqldb.DB
	pii *pii.Protector
}

// New returns the store.
func New(db *sqldb.DB, p *pii.Protector) *Store { return &Store{db: db, pii: p} }

func notFound(err error) error {
	if sqldb.IsNotFound(err) {
		return apperr.ErrNotFound
	}
	return err
}

func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func tval(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// ---------------------------------------------------------------- channels

func toChannel(r channelRow) registration.Channel {
	return registration.Channel{ID: r.ID, Code: r.Code, Name: r.Name, Kind: r.Kind, Disabled: r.Disabled, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (s *Store) CreateChannel(ctx context.Context, c *registration.Channel) error {
	if c.Kind == "" {
		c.Kind = registration.ChannelOnline
	}
	r := channelRow{Code: c.Code, Name: c.Name, Kind: c.Kind, Disabled: c.Disabled, Version: c.Version}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return registration.ErrChannelCodeTaken
		}
		return err
	}
	*c = toChannel(r)
	return nil
}

func (s *Store) ChannelByID(ctx context.Context, id int64) (registration.Channel, error) {
	var r channelRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return registration.Channel{}, notFound(err)
	}
	return toChannel(r), nil
}

func (s *Store) ChannelByCode(ctx context.Context, code string) (registration.Channel, error) {
	var r channelRow
	if err := s.db.Conn(ctx).Where("code = ?", code).Take(&r).Error; err != nil {
		return registration.Channel{}, notFound(err)
	}
	return toChannel(r), nil
}

func (s *Store) UpdateChannel(ctx context.Context, id int64, fn func(*registration.Channel) error) (registration.Channel, error) {
	var out registration.Channel
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r channelRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		c := toChannel(r)
		if err := fn(&c); err != nil {
			return err
		}
		r.Name, r.Kind, r.Disabled, r.Version = c.Name, c.Kind, c.Disabled, c.Version
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&r).Error; err != nil {
			return err
		}
		out = toChannel(r)
		return nil
	})
	return out, err
}

// RecordScan adds one to the channel's counter of the hour: one upsert,
// no visitor data. Scans are rare (a person opening a poster's code), so
// the hourly row is not a hot spot.
func (s *Store) RecordScan(ctx context.Context, channelID int64, at time.Time) error {
	hour := at.UTC().Truncate(time.Hour)
	q := "INSERT INTO registration_channel_scans (channel_id, hour, scans) VALUES (?, ?, 1) "
	if s.db.Dialect() == sqldb.MySQL {
		q += "ON DUPLICATE KEY UPDATE scans = scans + 1"
	} else {
		q += "ON CONFLICT (channel_id, hour) DO UPDATE SET scans = scans + 1"
	}
	return s.db.Conn(ctx).Exec(q, channelID, hour).Error
}

func (s *Store) ListChannels(ctx context.Context) ([]registration.ChannelCount, error) {
	var rows []channelRow
	if err := s.db.Conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		ChannelID int64
		N         int64
	}
	if err := s.db.Conn(ctx).Model(&applicationRow{}).Select("channel_id, COUNT(*) AS n").Where("channel_id <> 0").Group("channel_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	by := map[int64]int64{}
	for _, c := range counts {
		by[c.ChannelID] = c.N
	}
	out := make([]registration.ChannelCount, len(rows))
	for i, r := range rows {
		out[i] = registration.ChannelCount{Channel: toChannel(r), Applications: by[r.ID]}
	}
	return out, nil
}

// ---------------------------------------------------------------- applications

func (s *Store) enc(dst *string, plain string, err *error) {
	if *err != nil {
		return
	}
	*dst, *err = s.pii.Encrypt(plain)
}

func (s *Store) dec(dst *string, stored string, err *error) {
	if *err != nil {
		return
	}
	*dst, *err = s.pii.Decrypt(stored)
}

func (s *Store) fromApp(a registration.Application) (applicationRow, error) {
	f := a.Form
	r := applicationRow{ID: a.ID, CandidateID: a.CandidateID, ChannelID: a.ChannelID, Status: string(a.Status), Version: a.Version,
		LicenceClass: f.LicenceClass, LicenceFirstIssued: f.LicenceFirstIssued, Pledge: strings.Join(f.Pledge, ","),
		WantTaxi: f.WantTaxi, WantRideHailing: f.WantRideHailing, Delivery: f.Delivery,
		ReceiverProvince: f.Receiver.Province, ReceiverCity: f.Receiver.City, ReceiverCounty: f.Receiver.County, OfficeID: f.OfficeID,
		PhotoKey: a.PhotoKey, PhotoType: a.PhotoType, SubmitCount: a.SubmitCount,
		SubmittedAt: tptr(a.SubmittedAt), QueuedAt: tptr(a.QueuedAt), DecidedAt: tptr(a.DecidedAt), ReviewerID: a.ReviewerID,
		ReasonCode: a.ReasonCode, Reason: a.Reason, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if f.IDNumber != "" {
		r.IDBidx = s.pii.BlindIndex("id_number", f.IDNumber)
	}
	if a.Status.Open() {
		cid := a.CandidateID
		r.OpenCandidate = &cid
	}
	if a.Status.HoldsIDNumber() && r.IDBidx != "" {
		b := r.IDBidx
		r.ActiveIDBidx = &b
	}
	if len(a.Checks) > 0 {
		b, err := json.Marshal(a.Checks)
		if err != nil {
			return r, err
		}
		r.Checks = string(b)
	}
	var err error
	s.enc(&r.NameEnc, f.Name, &err)
	s.enc(&r.IDNumberEnc, f.IDNumber, &err)
	s.enc(&r.AddressEnc, f.Address, &err)
	s.enc(&r.ReceiverNameEnc, f.Receiver.Name, &err)
	s.enc(&r.ReceiverPhoneEnc, f.Receiver.Phone, &err)
	s.enc(&r.ReceiverAddressEnc, f.Receiver.Address, &err)
	return r, err
}

func (s *Store) toApp(r applicationRow) (registration.Application, error) {
	a := registration.Application{ID: r.ID, CandidateID: r.CandidateID, ChannelID: r.ChannelID, Status: registration.Status(r.Status), Version: r.Version,
		PhotoKey: r.PhotoKey, PhotoType: r.PhotoType, SubmitCount: r.SubmitCount,
		SubmittedAt: tval(r.SubmittedAt), QueuedAt: tval(r.QueuedAt), DecidedAt: tval(r.DecidedAt), ReviewerID: r.ReviewerID,
		ReasonCode: r.ReasonCode, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	f := &a.Form
	f.LicenceClass, f.LicenceFirstIssued, f.WantTaxi, f.WantRideHailing, f.Delivery = r.LicenceClass, r.LicenceFirstIssued, r.WantTaxi, r.WantRideHailing, r.Delivery
	f.Receiver.Province, f.Receiver.City, f.Receiver.County, f.OfficeID = r.ReceiverProvince, r.ReceiverCity, r.ReceiverCounty, r.OfficeID
	if r.Pledge != "" {
		f.Pledge = strings.Split(r.Pledge, ",")
	}
	if r.Checks != "" {
		if err := json.Unmarshal([]byte(r.Checks), &a.Checks); err != nil {
			return a, err
		}
	}
	var err error
	s.dec(&f.Name, r.NameEnc, &err)
	s.dec(&f.IDNumber, r.IDNumberEnc, &err)
	s.dec(&f.Address, r.AddressEnc, &err)
	s.dec(&f.Receiver.Name, r.ReceiverNameEnc, &err)
	s.dec(&f.Receiver.Phone, r.ReceiverPhoneEnc, &err)
	s.dec(&f.Receiver.Address, r.ReceiverAddressEnc, &err)
	return a, err
}

func (s *Store) CreateApplication(ctx context.Context, a *registration.Application) error {
	r, err := s.fromApp(*a)
	if err != nil {
		return err
	}
	r.ID = 0
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return apperr.ErrDuplicate
		}
		return err
	}
	out, err := s.toApp(r)
	if err != nil {
		return err
	}
	*a = out
	return nil
}

func (s *Store) ApplicationByID(ctx context.Context, id int64) (registration.Application, error) {
	var r applicationRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return registration.Application{}, notFound(err)
	}
	return s.toApp(r)
}

func (s *Store) UpdateApplication(ctx context.Context, id int64, fn func(*registration.Application) error) (registration.Application, error) {
	var out registration.Application
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r applicationRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		a, err := s.toApp(r)
		if err != nil {
			return err
		}
		if err := fn(&a); err != nil {
			return err
		}
		a.ID, a.CandidateID, a.CreatedAt = r.ID, r.CandidateID, r.CreatedAt
		nr, err := s.fromApp(a)
		if err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&nr).Error; err != nil {
			if sqldb.IsDuplicate(err) {
				return registration.ErrIDNumberTaken
			}
			return err
		}
		out, err = s.toApp(nr)
		return err
	})
	return out, err
}

func (s *Store) ApplicationsOf(ctx context.Context, candidateID int64) ([]registration.Application, error) {
	var rows []applicationRow
	if err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Order("id DESC").Limit(50).Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.toApps(rows)
}

func (s *Store) toApps(rows []applicationRow) ([]registration.Application, error) {
	out := make([]registration.Application, len(rows))
	for i, r := range rows {
		a, err := s.toApp(r)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func (s *Store) SearchApplications(ctx context.Context, f registration.Filter, queue bool) ([]registration.Application, int64, error) {
	q := s.db.Conn(ctx).Model(&applicationRow{})
	if queue {
		q = q.Where("status IN ?", []string{string(registration.StatusSubmitted), string(registration.StatusUnderCheck)})
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.ChannelID != 0 {
		q = q.Where("channel_id = ?", f.ChannelID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if !f.QueuedBefore.IsZero() {
		q = q.Where("queued_at < ?", f.QueuedBefore.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 20
	}
	order := "id DESC"
	if queue {
		order = "queued_at ASC, id ASC"
	}
	var rows []applicationRow
	if err := q.Order(order).Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out, err := s.toApps(rows)
	return out, total, err
}

func (s *Store) AddEvent(ctx context.Context, e *registration.Event) error {
	r := eventRow{ApplicationID: e.ApplicationID, At: e.At.UTC(), Status: string(e.Status), ActorKind: e.ActorKind, ActorID: e.ActorID, Note: e.Note, SMSTemplate: e.SMSTemplate}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

func (s *Store) Events(ctx context.Context, applicationID int64) ([]registration.Event, error) {
	var rows []eventRow
	if err := s.db.Conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]registration.Event, len(rows))
	for i, r := range rows {
		out[i] = registration.Event{ID: r.ID, ApplicationID: r.ApplicationID, At: r.At, Status: registration.Status(r.Status), ActorKind: r.ActorKind, ActorID: r.ActorID, Note: r.Note, SMSTemplate: r.SMSTemplate}
	}
	return out, nil
}

func (s *Store) Stats(ctx context.Context, from, to time.Time) ([]registration.ChannelStat, error) {
	q := s.db.Conn(ctx).Model(&applicationRow{}).Select("channel_id, status, COUNT(*) AS n")
	if !from.IsZero() {
		q = q.Where("created_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("created_at < ?", to.UTC())
	}
	var counts []struct {
		ChannelID int64
		Status    string
		N         int64
	}
	if err := q.Group("channel_id, status").Scan(&counts).Error; err != nil {
		return nil, err
	}
	var chans []channelRow
	if err := s.db.Conn(ctx).Order("id").Find(&chans).Error; err != nil {
		return nil, err
	}
	stats := []registration.ChannelStat{{ChannelID: 0, Code: "", Name: "", ByStatus: map[registration.Status]int64{}}}
	idx := map[int64]int{0: 0}
	for _, c := range chans {
		idx[c.ID] = len(stats)
		stats = append(stats, registration.ChannelStat{ChannelID: c.ID, Code: c.Code, Name: c.Name, ByStatus: map[registration.Status]int64{}})
	}
	for _, c := range counts {
		i, ok := idx[c.ChannelID]
		if !ok { // a channel row that vanished: count it as "no channel"
			i = 0
		}
		stats[i].ByStatus[registration.Status(c.Status)] += c.N
		stats[i].Total += c.N
	}
	return stats, nil
}

// ---------------------------------------------------------------- platforms and offices

func toPlatform(r platformRow) registration.Platform {
	return registration.Platform{ID: r.ID, Name: r.Name, LicenceNo: r.LicenceNo, Contact: r.Contact, DriversWanted: r.DriversWanted, UpdatedOn: r.UpdatedOn, Disabled: r.Disabled, Version: r.Version}
}

func (s *Store) CreatePlatform(ctx context.Context, p *registration.Platform) error {
	r := platformRow{Name: p.Name, LicenceNo: p.LicenceNo, Contact: p.Contact, DriversWanted: p.DriversWanted, UpdatedOn: p.UpdatedOn, Disabled: p.Disabled, Version: p.Version}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	*p = toPlatform(r)
	return nil
}

func (s *Store) UpdatePlatform(ctx context.Context, id int64, fn func(*registration.Platform) error) (registration.Platform, error) {
	var out registration.Platform
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r platformRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		p := toPlatform(r)
		if err := fn(&p); err != nil {
			return err
		}
		r.Name, r.LicenceNo, r.Contact, r.DriversWanted, r.UpdatedOn, r.Disabled, r.Version = p.Name, p.LicenceNo, p.Contact, p.DriversWanted, p.UpdatedOn, p.Disabled, p.Version
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&r).Error; err != nil {
			return err
		}
		out = toPlatform(r)
		return nil
	})
	return out, err
}

func (s *Store) ListPlatforms(ctx context.Context, includeDisabled bool) ([]registration.Platform, error) {
	q := s.db.Conn(ctx)
	if !includeDisabled {
		q = q.Where("disabled = ?", false)
	}
	var rows []platformRow
	if err := q.Order("drivers_wanted DESC, id").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]registration.Platform, len(rows))
	for i, r := range rows {
		out[i] = toPlatform(r)
	}
	return out, nil
}

func toOffice(r officeRow) registration.Office {
	return registration.Office{ID: r.ID, Name: r.Name, Address: r.Address, Hours: r.Hours, Disabled: r.Disabled, Version: r.Version}
}

func (s *Store) CreateOffice(ctx context.Context, o *registration.Office) error {
	r := officeRow{Name: o.Name, Address: o.Address, Hours: o.Hours, Disabled: o.Disabled, Version: o.Version}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	*o = toOffice(r)
	return nil
}

func (s *Store) OfficeByID(ctx context.Context, id int64) (registration.Office, error) {
	var r officeRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return registration.Office{}, notFound(err)
	}
	return toOffice(r), nil
}

func (s *Store) UpdateOffice(ctx context.Context, id int64, fn func(*registration.Office) error) (registration.Office, error) {
	var out registration.Office
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r officeRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		o := toOffice(r)
		if err := fn(&o); err != nil {
			return err
		}
		r.Name, r.Address, r.Hours, r.Disabled, r.Version = o.Name, o.Address, o.Hours, o.Disabled, o.Version
		if err := s.db.Conn(ctx).Select("*").Omit("created_at").Save(&r).Error; err != nil {
			return err
		}
		out = toOffice(r)
		return nil
	})
	return out, err
}

func (s *Store) ListOffices(ctx context.Context, includeDisabled bool) ([]registration.Office, error) {
	q := s.db.Conn(ctx)
	if !includeDisabled {
		q = q.Where("disabled = ?", false)
	}
	var rows []officeRow
	if err := q.Order("id").Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]registration.Office, len(rows))
	for i, r := range rows {
		out[i] = toOffice(r)
	}
	return out, nil
}

// ---------------------------------------------------------------- archive look-ups

// CandidatesByIDNumber lists the candidates with an application under this
// ID number (through the blind index), newest first.
func (s *Store) CandidatesByIDNumber(ctx context.Context, idNumber string) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&applicationRow{}).Where("id_bidx = ?", s.pii.BlindIndex("id_number", idNumber)).
		Group("candidate_id").Order("MAX(id) DESC").Limit(20).Pluck("candidate_id", &ids).Error
	return ids, err
}

// RecentCandidates lists candidates by their newest application, newest first.
func (s *Store) RecentCandidates(ctx context.Context, offset, limit int) ([]int64, int64, error) {
	var total int64
	if err := s.db.Conn(ctx).Model(&applicationRow{}).Distinct("candidate_id").Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var ids []int64
	err := s.db.Conn(ctx).Model(&applicationRow{}).Group("candidate_id").Order("MAX(id) DESC").Offset(offset).Limit(limit).Pluck("candidate_id", &ids).Error
	return ids, total, err
}

// CandidatesIn lists candidates with an application created in [from, to),
// above afterID, ascending.
func (s *Store) CandidatesIn(ctx context.Context, from, to time.Time, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&applicationRow{}).Where("created_at >= ? AND created_at < ? AND candidate_id > ?", from.UTC(), to.UTC(), afterID).
		Distinct("candidate_id").Order("candidate_id").Limit(limit).Pluck("candidate_id", &ids).Error
	return ids, err
}

// CountCandidatesIn counts them.
func (s *Store) CountCandidatesIn(ctx context.Context, from, to time.Time) (int, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&applicationRow{}).Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Distinct("candidate_id").Count(&n).Error
	return int(n), err
}
