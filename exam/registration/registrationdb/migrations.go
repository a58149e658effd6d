package registrationdb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the registration tables (IDs 500-599). Each Up declares its
// own snapshot of the rows, never the live structs.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 500, Name: "create registration channels, applications, events, platforms, issuing offices", Up: m500},
		// 800-: the statistics range (docs/statistics.md), added with it.
		{ID: 800, Name: "registration_channels.kind; registration_channel_scans (QR landings per channel and hour)", Up: m800},
	}
}

// Snapshot rows of migration 500.
type m500Channel struct {
	ID        int64  `gorm:"primaryKey"`
	Code      string `gorm:"size:32;not null;uniqueIndex:uq_registration_channels_code"`
	Name      string `gorm:"size:100;not null"`
	Disabled  bool   `gorm:"not null;default:false"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}
type m500Application struct {
	ID                 int64   `gorm:"primaryKey"`
	CandidateID        int64   `gorm:"not null;index:idx_applications_candidate"`
	ChannelID          int64   `gorm:"not null;default:0;index:idx_applications_channel"`
	Status             string  `gorm:"size:16;not null;index:idx_applications_queue,priority:1"`
	Version            int     `gorm:"not null;default:1"`
	OpenCandidate      *int64  `gorm:"uniqueIndex:uq_applications_open_candidate"`
	ActiveIDBidx       *string `gorm:"size:64;uniqueIndex:uq_applications_active_id"`
	IDBidx             string  `gorm:"size:64;not null;default:'';index:idx_applications_id_bidx"`
	NameEnc            string  `gorm:"size:255;not null;default:''"`
	IDNumberEnc        string  `gorm:"size:255;not null;default:''"`
	LicenceClass       string  `gorm:"size:4;not null;default:''"`
	LicenceFirstIssued string  `gorm:"size:10;not null;default:''"`
	AddressEnc         string  `gorm:"size:1024;not null;default:''"`
	Pledge             string  `gorm:"size:255;not null;default:''"`
	WantTaxi           bool    `gorm:"not null;default:true"`
	WantRideHailing    bool    `gorm:"not null;default:true"`
	Delivery           string  `gorm:"size:8;not null;default:''"`
	ReceiverNameEnc    string  `gorm:"size:255;not null;default:''"`
	ReceiverPhoneEnc   string  `gorm:"size:255;not null;default:''"`
	ReceiverProvince   string  `gorm:"size:120;not null;default:''"`
	ReceiverCity       string  `gorm:"size:120;not null;default:''"`
	ReceiverCounty     string  `gorm:"size:120;not null;default:''"`
	ReceiverAddressEnc string  `gorm:"size:1024;not null;default:''"`
	OfficeID           int64   `gorm:"not null;default:0"`
	PhotoKey           string  `gorm:"size:100;not null;default:''"`
	PhotoType          string  `gorm:"size:20;not null;default:''"`
	SubmitCount        int     `gorm:"not null;default:0"`
	SubmittedAt        *time.Time
	QueuedAt           *time.Time `gorm:"index:idx_applications_queue,priority:2"`
	DecidedAt          *time.Time
	ReviewerID         int64     `gorm:"not null;default:0"`
	Checks             string    `gorm:"size:512;not null;default:''"`
	ReasonCode         string    `gorm:"size:32;not null;default:''"`
	Reason             string    `gorm:"type:text"`
	CreatedAt          time.Time `gorm:"not null;index:idx_applications_created"`
	UpdatedAt          time.Time
}
type m500Event struct {
	ID            int64     `gorm:"primaryKey"`
	ApplicationID int64     `gorm:"not null;index:idx_application_events_app"`
	At            time.Time `gorm:"not null"`
	Status        string    `gorm:"size:16;not null"`
	ActorKind     string    `gorm:"size:16;not null"`
	ActorID       int64     `gorm:"not null;default:0"`
	Note          string    `gorm:"type:text"`
	SMSTemplate   string    `gorm:"column:sms_template;size:64;not null;default:''"`
}
type m500Platform struct {
	ID            int64  `gorm:"primaryKey"`
	Name          string `gorm:"size:255;not null"`
	LicenceNo     string `gorm:"size:255;not null"`
	Contact       string `gorm:"size:400;not null"`
	DriversWanted int    `gorm:"not null;default:0"`
	UpdatedOn     string `gorm:"size:10;not null"`
	Disabled      bool   `gorm:"not null;default:false"`
	Version       int    `gorm:"not null;default:1"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
type m500Office struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:255;not null"`
	Address   string `gorm:"size:800;not null"`
	Hours     string `gorm:"size:400;not null;default:''"`
	Disabled  bool   `gorm:"not null;default:false"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (m500Channel) TableName() string     { return "registration_channels" }
func (m500Application) TableName() string { return "applications" }
func (m500Event) TableName() string       { return "application_events" }
func (m500Platform) TableName() string    { return "ride_hailing_platforms" }
func (m500Office) TableName() string      { return "issuing_offices" }

func m500(tx *gorm.DB) error {
	return sqldb.CreateTables(tx,
		&m500Channel{},
		&m500Application{},
		&m500Event{},
		&m500Platform{},
		&m500Office{},
	)
}

// Snapshot rows of migration 800.
type m800Channel struct {
	Kind string `gorm:"size:8;not null;default:'online'"`
}
type m800Scan struct {
	ChannelID int64     `gorm:"primaryKey;autoIncrement:false"`
	Hour      time.Time `gorm:"primaryKey;autoIncrement:false;index:idx_registration_channel_scans_hour"` // UTC, truncated to the hour
	Scans     int64     `gorm:"not null;default:0"`
}

func (m800Channel) TableName() string { return "registration_channels" }
func (m800Scan) TableName() string    { return "registration_channel_scans" }

func m800(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&m800Channel{}, "Kind") {
		if err := tx.Migrator().AddColumn(&m800Channel{}, "Kind"); err != nil {
			return err
		}
	}
	return sqldb.CreateTables(tx, &m800Scan{})
}
