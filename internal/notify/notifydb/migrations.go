package notifydb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the notify tables (IDs 200-299).
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 200, Name: "create notify_outbox", Up: func(tx *gorm.DB) error {
			return sqldb.CreateTables(tx, &outboxRow200{})
		}},
	}
}

// outboxRow200 is the table as migration 200 creates it (a snapshot: the
// live outboxRow may change, this may not).
type outboxRow200 struct {
	ID          int64      `gorm:"primaryKey"`
	Topic       string     `gorm:"size:16;not null;index:idx_notify_topic_status,priority:1"`
	DedupeKey   string     `gorm:"size:191;not null;uniqueIndex:uq_notify_dedupe"`
	Template    string     `gorm:"size:64;not null;default:''"`
	CandidateID int64      `gorm:"not null;default:0;index:idx_notify_outbox_candidate_id"`
	PhoneBidx   string     `gorm:"size:64;not null;default:'';index:idx_notify_outbox_phone_bidx"`
	PhoneMasked string     `gorm:"size:32;not null;default:''"`
	PayloadEnc  string     `gorm:"type:text;not null"`
	Urgent      bool       `gorm:"not null;default:false"`
	Status      string     `gorm:"size:16;not null;index:idx_notify_due,priority:1;index:idx_notify_lease,priority:1;index:idx_notify_topic_status,priority:2"`
	Attempts    int        `gorm:"not null;default:0"`
	LastError   string     `gorm:"size:500;not null;default:''"`
	NotBefore   time.Time  `gorm:"not null;index:idx_notify_due,priority:2"`
	LeaseUntil  *time.Time `gorm:"index:idx_notify_lease,priority:2"`
	StreamID    string     `gorm:"size:32;not null;default:''"`
	ProviderRef string     `gorm:"size:64;not null;default:''"`
	CreatedAt   time.Time  `gorm:"not null"`
	QueuedAt    *time.Time
	SentAt      *time.Time
	UpdatedAt   time.Time `gorm:"not null"`
}

func (outboxRow200) TableName() string { return "notify_outbox" }
