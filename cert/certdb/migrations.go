package certdb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the certificate tables (IDs 600-649). Each Up declares its
// own snapshot of the rows, never the live structs.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 600, Name: "create certificates, certificate events, certificate deliveries", Up: m600},
		{ID: 601, Name: "cert_deliveries: certificate_id (a replacement's own parcel)", Up: m601},
	}
}

// Snapshot rows of migration 600.
//
// Two unique keys make double issuance impossible under any race:
// (application_id, kind, version) is one issuance of one lineage, and
// valid_key ("<candidate>:<kind>", NULL unless the status is valid) is the
// rule "one valid certificate per candidate and kind".
type m600Certificate struct {
	ID            int64     `gorm:"primaryKey"`
	CandidateID   int64     `gorm:"not null;index:idx_certificates_candidate"`
	ApplicationID int64     `gorm:"not null;uniqueIndex:uq_certificates_lineage,priority:1"`
	Kind          string    `gorm:"size:16;not null;uniqueIndex:uq_certificates_lineage,priority:2"`
	Version       int       `gorm:"not null;uniqueIndex:uq_certificates_lineage,priority:3"`
	LicenceID     string    `gorm:"size:120;not null;uniqueIndex:uq_certificates_licence_id"`
	HolderNameEnc string    `gorm:"size:255;not null"`
	IDNumberEnc   string    `gorm:"size:255;not null"`
	IDBidx        string    `gorm:"column:id_bidx;size:64;not null;index:idx_certificates_id_bidx"`
	Authority     string    `gorm:"size:255;not null"`
	IssuedOn      time.Time `gorm:"not null;index:idx_certificates_issued"`
	ExpiresOn     time.Time `gorm:"not null"`
	Status        string    `gorm:"size:16;not null"`
	Reason        string    `gorm:"size:800;not null;default:''"`
	ReplacedBy    int64     `gorm:"not null;default:0"`
	ValidKey      *string   `gorm:"size:64;uniqueIndex:uq_certificates_valid"`
	CreatedAt     time.Time
	UpdatedAt     time.Time `gorm:"index:idx_certificates_updated"` // the nodes' verify index reads changes by it
}

type m600Event struct {
	ID            int64     `gorm:"primaryKey"`
	CertificateID int64     `gorm:"not null;index:idx_certificate_events_cert"`
	At            time.Time `gorm:"not null"`
	Action        string    `gorm:"size:16;not null"`
	ActorKind     string    `gorm:"size:16;not null"`
	ActorID       int64     `gorm:"not null;default:0"`
	Reason        string    `gorm:"size:800;not null;default:''"`
}

// One parcel per application (both certificates travel together); a
// waybill names one parcel.
type m600Delivery struct {
	ID                 int64   `gorm:"primaryKey"`
	ApplicationID      int64   `gorm:"not null;uniqueIndex:uq_cert_deliveries_application"`
	CandidateID        int64   `gorm:"not null;index:idx_cert_deliveries_candidate"`
	Method             string  `gorm:"size:8;not null"`
	Status             string  `gorm:"size:16;not null;index:idx_cert_deliveries_office,priority:2"`
	OfficeID           int64   `gorm:"not null;index:idx_cert_deliveries_office,priority:1"`
	HolderNameEnc      string  `gorm:"size:255;not null"`
	IDNumberEnc        string  `gorm:"size:255;not null"`
	IDBidx             string  `gorm:"column:id_bidx;size:64;not null;index:idx_cert_deliveries_id_bidx"`
	ReceiverNameEnc    string  `gorm:"size:255;not null;default:''"`
	ReceiverPhoneEnc   string  `gorm:"size:255;not null;default:''"`
	ReceiverProvince   string  `gorm:"size:120;not null;default:''"`
	ReceiverCity       string  `gorm:"size:120;not null;default:''"`
	ReceiverCounty     string  `gorm:"size:120;not null;default:''"`
	ReceiverAddressEnc string  `gorm:"size:1024;not null;default:''"`
	Waybill            *string `gorm:"size:13;uniqueIndex:uq_cert_deliveries_waybill"`
	Returned           bool    `gorm:"not null;default:false"`
	OrderedAt          *time.Time
	DispatchedAt       *time.Time
	DeliveredAt        *time.Time
	ArrivedAt          *time.Time
	CollectedAt        *time.Time
	HandedOverBy       int64  `gorm:"not null;default:0"`
	CollectedByEnc     string `gorm:"size:255;not null;default:''"`
	Proxy              bool   `gorm:"not null;default:false"`
	ProxyReason        string `gorm:"size:400;not null;default:''"`
	Version            int    `gorm:"not null;default:1"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (m600Certificate) TableName() string { return "certificates" }
func (m600Event) TableName() string       { return "certificate_events" }
func (m600Delivery) TableName() string    { return "cert_deliveries" }

func m600(tx *gorm.DB) error {
	return sqldb.CreateTables(tx, &m600Certificate{}, &m600Event{}, &m600Delivery{})
}

type m601Delivery struct {
	ApplicationID int64 `gorm:"not null"`
	CertificateID int64 `gorm:"not null;default:0"`
}

func (m601Delivery) TableName() string { return "cert_deliveries" }

// m601 lets an application have more parcels than its first one: a
// replacement or reissued certificate travels alone when the first parcel
// has already left. certificate_id is 0 for the first parcel (every
// certificate of the first issue) and the carried certificate otherwise;
// (application_id, certificate_id) keeps "one parcel per issue" a key.
func m601(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&m601Delivery{}, "CertificateID") {
		if err := m.AddColumn(&m601Delivery{}, "CertificateID"); err != nil {
			return err
		}
	}
	if !m.HasIndex(&m601Delivery{}, "uq_cert_deliveries_parcel") {
		if err := tx.Exec("CREATE UNIQUE INDEX uq_cert_deliveries_parcel ON cert_deliveries (application_id, certificate_id)").Error; err != nil {
			return err
		}
	}
	if m.HasIndex(&m601Delivery{}, "uq_cert_deliveries_application") {
		return tx.Exec(dropIndex(tx, "uq_cert_deliveries_application", "cert_deliveries")).Error
	}
	return nil
}

// dropIndex is DROP INDEX in the dialect's form (MariaDB names the table).
func dropIndex(tx *gorm.DB, index, table string) string {
	if tx.Dialector.Name() == "sqlite" {
		return "DROP INDEX " + index
	}
	return "DROP INDEX " + index + " ON " + table
}
