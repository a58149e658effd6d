package registrationdb

import (
	"context"
	"testing"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// A channel made before 800 is an online channel (the QR codes printed so
// far) and reads back unchanged; no scan is counted for it yet.
func TestUpgrade800(t *testing.T) {
	var id int64
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 800,
		Seed: func(t testing.TB, db *sqldb.DB) {
			c := m500Channel{Code: "qr-xiangcheng", Name: "芗城区车站海报", Version: 1}
			if err := db.Conn(context.Background()).Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			id = c.ID
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			var row struct {
				Code, Name, Kind string
			}
			if err := db.Conn(ctx).Table("registration_channels").Select("code, name, kind").Where("id = ?", id).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.Code != "qr-xiangcheng" || row.Name != "芗城区车站海报" || row.Kind != "online" {
				t.Fatalf("channel after 800: %+v", row)
			}
			var n int64
			if err := db.Conn(ctx).Table("registration_channel_scans").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("scans after 800: %d, %v", n, err)
			}
		}})
}
