package statisticsdb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the statistics (IDs 802-849; 800 and 801 are the
// registration and practice counters added with them): the indexes their
// queries need on the tables they read (each named after its table, so its
// owner recognises it), and their own daily rollup.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 802, Name: "indexes for the statistics' range queries", Up: m802},
		{ID: 803, Name: "stats_daily, stats_days: the daily rollup of settled days", Up: m803},
	}
}

// m802Indexes is the snapshot of migration 802: table, index, columns.
var m802Indexes = [][3]string{
	{"applications", "idx_applications_submitted", "submitted_at, channel_id"},
	{"application_events", "idx_application_events_status_at", "status, at"},
	{"application_events", "idx_application_events_app_status_at", "application_id, status, at"},
	{"exam_attempts", "idx_exam_attempts_kind_started", "kind, started_at"},
	{"exam_bookings", "idx_exam_bookings_created", "created_at, session_id"},
	{"exam_bookings", "idx_exam_bookings_status_changed", "status, changed_at"},
	{"exam_subject_results", "idx_subject_results_cand_sat", "candidate_id, sat_at"},
	{"exam_subject_results", "idx_subject_results_cand_subject_sat", "candidate_id, subject, sat_at"},
	{"exam_qualifications", "idx_qualifications_at", "qualified_at"},
	{"cert_deliveries", "idx_cert_deliveries_dispatched", "dispatched_at"},
	{"cert_deliveries", "idx_cert_deliveries_delivered", "delivered_at"},
	{"cert_deliveries", "idx_cert_deliveries_collected", "collected_at"},
	{"notify_outbox", "idx_notify_outbox_sent", "status, topic, sent_at, template"},
}

func m802(tx *gorm.DB) error {
	for _, ix := range m802Indexes {
		if tx.Migrator().HasIndex(ix[0], ix[1]) {
			continue
		}
		if err := tx.Exec("CREATE INDEX " + ix[1] + " ON " + ix[0] + " (" + ix[2] + ")").Error; err != nil {
			return err
		}
	}
	return nil
}

// Snapshot rows of migration 803: the daily rollup.
type m803Cell struct {
	Day    string `gorm:"primaryKey;size:10"`
	Metric string `gorm:"primaryKey;size:32"`
	Dim    string `gorm:"primaryKey;size:64"`
	Value  int64  `gorm:"not null"`
}
type m803Day struct {
	Day      string    `gorm:"primaryKey;size:10"`
	RolledAt time.Time `gorm:"not null"`
}

func (m803Cell) TableName() string { return "stats_daily" }
func (m803Day) TableName() string  { return "stats_days" }

func m803(tx *gorm.DB) error { return sqldb.CreateTables(tx, &m803Cell{}, &m803Day{}) }
