// Package certdb stores certificates, their history and their deliveries
// in SQL. Holder names, ID numbers and addresses are encrypted with
// pii.Protector; the ID number also has a blind index for the bureau's
// search and the pick-up desk.
package certdb

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"taxiexam/cert"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

type certificateRow struct {
	ID            int64 `gorm:"primaryKey"`
	CandidateID   int64
	ApplicationID int64
	Kind          string
	Version       int
	LicenceID     string
	HolderNameEnc string
	IDNumberEnc   string `gorm:"column:id_number_enc"`
	IDBidx        string `gorm:"column:id_bidx"`
	Authority     string
	IssuedOn      time.Time
	ExpiresOn     time.Time
	Status        string
	Reason        string
	ReplacedBy    int64
	ValidKey      *string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (certificateRow) TableName() string { return "certificates" }

type eventRow struct {
	ID            int64 `gorm:"primaryKey"`
	CertificateID int64
	At            time.Time
	Action        string
	ActorKind     string
	ActorID       int64
	Reason        string
}

func (eventRow) TableName() string { return "certificate_events" }

type deliveryRow struct {
	ID                 int64 `gorm:"primaryKey"`
	ApplicationID      int64
	CertificateID      int64
	CandidateID        int64
	Method             string
	Status             string
	OfficeID           int64
	HolderNameEnc      string
	IDNumberEnc        string `gorm:"column:id_number_enc"`
	IDBidx             string `gorm:"column:id_bidx"`
	ReceiverNameEnc    string
	ReceiverPhoneEnc   string
	ReceiverProvince   string
	ReceiverCity       string
	ReceiverCounty     string
	ReceiverAddressEnc string
	Waybill            *string
	Returned           bool
	OrderedAt          *time.Time
	DispatchedAt       *time.Time
	DeliveredAt        *time.Time
	ArrivedAt          *time.Time
	CollectedAt        *time.Time
	HandedOverBy       int64
	CollectedByEnc     string
	Proxy              bool
	ProxyReason        string
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (deliveryRow) TableName() string { return "cert_deliveries" }

// Store implements cert.Store.
type Store struct {
	db  *sqldb.DB
	pii *pii.Protector
}

// New returns the store.
func New(db *sqldb.DB, p *pii.Protector) *Store { return &Store{db: db, pii: p} }

const bidxKind = "id_number" // the same blind-index domain as registration's

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
	return t.UTC()
}

// enc encrypts several fields, stopping at the first error.
type enc struct {
	p   *pii.Protector
	err error
}

func (e *enc) do(s string) string {
	if e.err != nil {
		return ""
	}
	out, err := e.p.Encrypt(s)
	e.err = err
	return out
}

func (e *enc) undo(s string) string {
	if e.err != nil {
		return ""
	}
	out, err := e.p.Decrypt(s)
	e.err = err
	return out
}

// ---------------------------------------------------------------- certificates

func validKey(c cert.Certificate) *string {
	if c.Status != cert.StatusValid {
		return nil
	}
	k := fmt.Sprintf("%d:%s", c.CandidateID, c.Kind)
	return &k
}

func (s *Store) toRow(c cert.Certificate) (certificateRow, error) {
	e := &enc{p: s.pii}
	r := certificateRow{ID: c.ID, CandidateID: c.CandidateID, ApplicationID: c.ApplicationID, Kind: string(c.Kind), Version: c.Version,
		LicenceID: c.LicenceID, HolderNameEnc: e.do(c.HolderName), IDNumberEnc: e.do(c.IDNumber), IDBidx: s.pii.BlindIndex(bidxKind, c.IDNumber),
		Authority: c.Authority, IssuedOn: c.IssuedOn.UTC(), ExpiresOn: c.ExpiresOn.UTC(), Status: string(c.Status), Reason: c.Reason,
		ReplacedBy: c.ReplacedBy, ValidKey: validKey(c), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	return r, e.err
}

func (s *Store) fromRow(r certificateRow) (cert.Certificate, error) {
	e := &enc{p: s.pii}
	c := cert.Certificate{ID: r.ID, CandidateID: r.CandidateID, ApplicationID: r.ApplicationID, Kind: cert.Kind(r.Kind), Version: r.Version,
		LicenceID: r.LicenceID, HolderName: e.undo(r.HolderNameEnc), IDNumber: e.undo(r.IDNumberEnc), Authority: r.Authority,
		IssuedOn: r.IssuedOn.UTC(), ExpiresOn: r.ExpiresOn.UTC(), Status: cert.Status(r.Status), Reason: r.Reason, ReplacedBy: r.ReplacedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	return c, e.err
}

func (s *Store) fromRows(rows []certificateRow) ([]cert.Certificate, error) {
	out := make([]cert.Certificate, len(rows))
	for i, r := range rows {
		c, err := s.fromRow(r)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// InsertCertificate implements cert.Store: one INSERT; a unique key (lineage,
// valid_key, licence id) already holding a row means "already issued".
//
// Not INSERT ... ON DUPLICATE KEY UPDATE id=id: MariaDB reports that as one
// affected row with the existing id, indistinguishable from an insert. A
// duplicate-key error ends only its statement, on MySQL and SQLite, so the
// caller's transaction goes on.
func (s *Store) InsertCertificate(ctx context.Context, c *cert.Certificate) (bool, error) {
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	r, err := s.toRow(*c)
	if err != nil {
		return false, err
	}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return false, nil
		}
		return false, err
	}
	c.ID = r.ID
	return true, nil
}

func (s *Store) CertificateByID(ctx context.Context, id int64) (cert.Certificate, error) {
	var r certificateRow
	if err := s.db.Conn(ctx).First(&r, id).Error; err != nil {
		return cert.Certificate{}, notFound(err)
	}
	return s.fromRow(r)
}

func (s *Store) CertificatesOfApplication(ctx context.Context, applicationID int64) ([]cert.Certificate, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("application_id = ?", applicationID).Order("kind DESC, version DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.fromRows(rows)
}

func (s *Store) CertificatesOfCandidate(ctx context.Context, candidateID int64) ([]cert.Certificate, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("candidate_id = ?", candidateID).Order("id DESC").Limit(100).Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.fromRows(rows)
}

func (s *Store) UpdateCertificate(ctx context.Context, id int64, fn func(*cert.Certificate) error) (cert.Certificate, error) {
	var out cert.Certificate
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r certificateRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).First(&r, id).Error; err != nil {
			return notFound(err)
		}
		c, err := s.fromRow(r)
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.ID, c.UpdatedAt = r.ID, time.Now().UTC()
		nr, err := s.toRow(c)
		if err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Select("*").Save(&nr).Error; err != nil {
			if sqldb.IsDuplicate(err) {
				return apperr.ErrVersionConflict
			}
			return err
		}
		out = c
		return nil
	})
	return out, err
}

func (s *Store) SearchCertificates(ctx context.Context, f cert.Filter) ([]cert.Certificate, int64, error) {
	q := s.db.Conn(ctx).Model(&certificateRow{})
	if f.IDNumber != "" {
		q = q.Where("id_bidx = ?", s.pii.BlindIndex(bidxKind, f.IDNumber))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []certificateRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(limit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out, err := s.fromRows(rows)
	return out, total, err
}

// CertificatesChangedSince implements cert.Store. afterID pages through
// rows of one instant; the caller's overlap makes re-reads harmless.
func (s *Store) CertificatesChangedSince(ctx context.Context, since time.Time, afterID int64, n int) ([]cert.Certificate, error) {
	var rows []certificateRow
	q := s.db.Conn(ctx).Where("updated_at >= ?", since.UTC())
	if afterID > 0 {
		q = q.Where("id > ?", afterID)
	}
	if err := q.Order("id").Limit(n).Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.fromRows(rows)
}

func limit(n int) int {
	if n <= 0 || n > 200 {
		return 50
	}
	return n
}

func (s *Store) AddEvent(ctx context.Context, e *cert.Event) error {
	r := eventRow{CertificateID: e.CertificateID, At: e.At.UTC(), Action: e.Action, ActorKind: e.ActorKind, ActorID: e.ActorID, Reason: e.Reason}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

func (s *Store) Events(ctx context.Context, certificateID int64) ([]cert.Event, error) {
	var rows []eventRow
	if err := s.db.Conn(ctx).Where("certificate_id = ?", certificateID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.Event, len(rows))
	for i, r := range rows {
		out[i] = cert.Event{ID: r.ID, CertificateID: r.CertificateID, At: r.At.UTC(), Action: r.Action, ActorKind: r.ActorKind, ActorID: r.ActorID, Reason: r.Reason}
	}
	return out, nil
}

// ---------------------------------------------------------------- deliveries

func (s *Store) toDeliveryRow(d cert.Delivery) (deliveryRow, error) {
	e := &enc{p: s.pii}
	var wb *string
	if d.Waybill != "" {
		w := d.Waybill
		wb = &w
	}
	r := deliveryRow{ID: d.ID, ApplicationID: d.ApplicationID, CertificateID: d.CertificateID, CandidateID: d.CandidateID, Method: d.Method, Status: string(d.Status),
		OfficeID: d.OfficeID, HolderNameEnc: e.do(d.HolderName), IDNumberEnc: e.do(d.IDNumber), IDBidx: s.pii.BlindIndex(bidxKind, d.IDNumber),
		ReceiverNameEnc: e.do(d.Receiver.Name), ReceiverPhoneEnc: e.do(d.Receiver.Phone), ReceiverProvince: d.Receiver.Province,
		ReceiverCity: d.Receiver.City, ReceiverCounty: d.Receiver.County, ReceiverAddressEnc: e.do(d.Receiver.Address), Waybill: wb,
		Returned: d.Returned, OrderedAt: tptr(d.OrderedAt), DispatchedAt: tptr(d.DispatchedAt), DeliveredAt: tptr(d.DeliveredAt),
		ArrivedAt: tptr(d.ArrivedAt), CollectedAt: tptr(d.CollectedAt), HandedOverBy: d.HandedOverBy, CollectedByEnc: e.do(d.CollectedBy),
		Proxy: d.Proxy, ProxyReason: d.ProxyReason, Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	return r, e.err
}

func (s *Store) fromDeliveryRow(r deliveryRow) (cert.Delivery, error) {
	e := &enc{p: s.pii}
	d := cert.Delivery{ID: r.ID, ApplicationID: r.ApplicationID, CertificateID: r.CertificateID, CandidateID: r.CandidateID, Method: r.Method, Status: cert.DeliveryStatus(r.Status),
		OfficeID: r.OfficeID, HolderName: e.undo(r.HolderNameEnc), IDNumber: e.undo(r.IDNumberEnc),
		Receiver: cert.Receiver{Name: e.undo(r.ReceiverNameEnc), Phone: e.undo(r.ReceiverPhoneEnc), Province: r.ReceiverProvince,
			City: r.ReceiverCity, County: r.ReceiverCounty, Address: e.undo(r.ReceiverAddressEnc)},
		Returned: r.Returned, OrderedAt: tval(r.OrderedAt), DispatchedAt: tval(r.DispatchedAt), DeliveredAt: tval(r.DeliveredAt),
		ArrivedAt: tval(r.ArrivedAt), CollectedAt: tval(r.CollectedAt), HandedOverBy: r.HandedOverBy, CollectedBy: e.undo(r.CollectedByEnc),
		Proxy: r.Proxy, ProxyReason: r.ProxyReason, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Waybill != nil {
		d.Waybill = *r.Waybill
	}
	return d, e.err
}

// InsertDelivery implements cert.Store (one per application and issue, by
// its unique key; see InsertCertificate).
func (s *Store) InsertDelivery(ctx context.Context, d *cert.Delivery) (bool, error) {
	now := time.Now().UTC()
	d.CreatedAt, d.UpdatedAt = now, now
	r, err := s.toDeliveryRow(*d)
	if err != nil {
		return false, err
	}
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if sqldb.IsDuplicate(err) {
			return false, nil
		}
		return false, err
	}
	d.ID = r.ID
	return true, nil
}

func (s *Store) DeliveryByID(ctx context.Context, id int64) (cert.Delivery, error) {
	var r deliveryRow
	if err := s.db.Conn(ctx).First(&r, id).Error; err != nil {
		return cert.Delivery{}, notFound(err)
	}
	return s.fromDeliveryRow(r)
}

// DeliveriesOfApplication implements cert.Store: the first parcel, then
// those of replacements, in the order they were made.
func (s *Store) DeliveriesOfApplication(ctx context.Context, applicationID int64) ([]cert.Delivery, error) {
	var rows []deliveryRow
	if err := s.db.Conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.Delivery, len(rows))
	for i, r := range rows {
		d, err := s.fromDeliveryRow(r)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func (s *Store) UpdateDelivery(ctx context.Context, id int64, fn func(*cert.Delivery) error) (cert.Delivery, error) {
	var out cert.Delivery
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var r deliveryRow
		if err := s.db.ForUpdate(s.db.Conn(ctx)).First(&r, id).Error; err != nil {
			return notFound(err)
		}
		d, err := s.fromDeliveryRow(r)
		if err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		d.ID, d.UpdatedAt = r.ID, time.Now().UTC()
		nr, err := s.toDeliveryRow(d)
		if err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Select("*").Save(&nr).Error; err != nil {
			if sqldb.IsDuplicate(err) {
				return cert.ErrWaybillTaken.WithField("waybill", rsnAlreadyUsedByAnotherParcel)
			}
			return err
		}
		out = d
		return nil
	})
	return out, err
}

func (s *Store) ListDeliveries(ctx context.Context, f cert.DeliveryFilter) ([]cert.Delivery, int64, error) {
	q := s.db.Conn(ctx).Model(&deliveryRow{})
	if f.OfficeID > 0 {
		q = q.Where("office_id = ?", f.OfficeID)
	}
	if f.CandidateID > 0 {
		q = q.Where("candidate_id = ?", f.CandidateID)
	}
	if f.Method != "" {
		q = q.Where("method = ?", f.Method)
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, x := range f.Status {
			st[i] = string(x)
		}
		q = q.Where("status IN ?", st)
	}
	if f.IDNumber != "" {
		q = q.Where("id_bidx = ?", s.pii.BlindIndex(bidxKind, f.IDNumber))
	}
	if f.Returned != nil {
		q = q.Where("returned = ?", *f.Returned)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []deliveryRow
	if err := q.Order("id").Offset(f.Offset).Limit(limit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]cert.Delivery, len(rows))
	for i, r := range rows {
		d, err := s.fromDeliveryRow(r)
		if err != nil {
			return nil, 0, err
		}
		out[i] = d
	}
	return out, total, nil
}

// Figures implements cert.Store: certificates by first issue date in
// [from, to) and the parcels of the same applications.
func (s *Store) Figures(ctx context.Context, from, to time.Time) (cert.Figures, error) {
	f := cert.Figures{ByKind: map[cert.Kind]int64{}, ByStatus: map[cert.DeliveryStatus]int64{}}
	db := s.db.Conn(ctx)
	inRange := func() *gorm.DB {
		return db.Model(&certificateRow{}).Where("issued_on >= ? AND issued_on < ?", from.UTC(), to.UTC())
	}
	var kinds []struct {
		Kind string
		N    int64
	}
	if err := inRange().Where("version = 1").Select("kind, COUNT(*) AS n").Group("kind").Scan(&kinds).Error; err != nil {
		return f, err
	}
	for _, k := range kinds {
		f.ByKind[cert.Kind(k.Kind)] = k.N
		f.Issued += k.N
	}
	if err := inRange().Where("version = 1").Distinct("candidate_id").Count(&f.Candidates).Error; err != nil {
		return f, err
	}
	if err := inRange().Where("status = ?", string(cert.StatusRevoked)).Count(&f.Revoked).Error; err != nil {
		return f, err
	}
	if err := inRange().Where("status = ?", string(cert.StatusReplaced)).Count(&f.Replaced).Error; err != nil {
		return f, err
	}
	apps := inRange().Where("version = 1").Select("application_id")
	var rows []struct {
		Method   string
		Status   string
		Returned bool
		N        int64
	}
	// First parcels only: a replacement's parcel is not a second choice of
	// how to receive the certificates.
	if err := db.Model(&deliveryRow{}).Where("application_id IN (?) AND certificate_id = 0", apps).Select("method, status, returned, COUNT(*) AS n").
		Group("method, status, returned").Scan(&rows).Error; err != nil {
		return f, err
	}
	var all int64
	for _, r := range rows {
		all += r.N
		f.ByStatus[cert.DeliveryStatus(r.Status)] += r.N
		if r.Method == cert.MethodPost || r.Returned {
			f.Posted += r.N
		}
		if r.Returned {
			f.Returned += r.N
		}
		if r.Status == string(cert.DeliveryCollected) {
			f.PickedUp += r.N
		}
	}
	if all > 0 {
		f.MailedShare = float64(f.Posted) / float64(all)
	}
	return f, nil
}

// ---------------------------------------------------------------- batch reads (ledger verification, archives)

// CertificatesByIDs reads many certificates at once, by id.
func (s *Store) CertificatesByIDs(ctx context.Context, ids []int64) (map[int64]cert.Certificate, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]cert.Certificate, len(rows))
	for _, r := range rows {
		c, err := s.fromRow(r)
		if err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, nil
}

// DeliveriesByIDs reads many parcels at once, by id.
func (s *Store) DeliveriesByIDs(ctx context.Context, ids []int64) (map[int64]cert.Delivery, error) {
	var rows []deliveryRow
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]cert.Delivery, len(rows))
	for _, r := range rows {
		d, err := s.fromDeliveryRow(r)
		if err != nil {
			return nil, err
		}
		out[d.ID] = d
	}
	return out, nil
}

// CertificateIDs lists certificate ids above afterID, ascending.
func (s *Store) CertificateIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Conn(ctx).Model(&certificateRow{}).Where("id > ?", afterID).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}
