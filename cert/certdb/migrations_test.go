package certdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// A parcel made before 601 is the first parcel of its application
// (certificate_id 0) and reads back unchanged; the application can then
// have a replacement's parcel too, but not a second first parcel.
func TestUpgrade601(t *testing.T) {
	var parcelID int64
	ordered := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 601,
		Seed: func(t testing.TB, db *sqldb.DB) {
			d := m600Delivery{ApplicationID: 42, CandidateID: 7, Method: "post", Status: "ordered", OfficeID: 1,
				HolderNameEnc: "x", IDNumberEnc: "x", IDBidx: "b", OrderedAt: &ordered, Version: 1, CreatedAt: ordered, UpdatedAt: ordered}
			if err := db.Conn(context.Background()).Create(&d).Error; err != nil {
				t.Fatal(err)
			}
			parcelID = d.ID
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			conn := db.Conn(context.Background())
			var r deliveryRow
			if err := conn.First(&r, parcelID).Error; err != nil {
				t.Fatal(err)
			}
			if r.ApplicationID != 42 || r.CertificateID != 0 || r.Method != "post" || r.Status != "ordered" || !r.OrderedAt.Equal(ordered) {
				t.Fatalf("parcel after 601: %+v", r)
			}
			second := m600Delivery{ApplicationID: 42, CandidateID: 7, Method: "post", Status: "ordered", HolderNameEnc: "x", IDNumberEnc: "x", IDBidx: "b", Version: 1}
			if err := conn.Create(&second).Error; !sqldb.IsDuplicate(err) {
				t.Fatalf("a second first parcel: %v", err)
			}
			own := deliveryRow{ApplicationID: 42, CertificateID: 9, CandidateID: 7, Method: "post", Status: "ordered", HolderNameEnc: "x", IDNumberEnc: "x", IDBidx: "b", Version: 1}
			if err := conn.Create(&own).Error; err != nil {
				t.Fatalf("a replacement's parcel: %v", err)
			}
			if err := conn.Delete(&own).Error; err != nil { // the check runs twice
				t.Fatal(err)
			}
		}})
}
