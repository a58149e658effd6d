package authdb

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// Staff accounts made before 130 read back unchanged and have no second
// factor enrolled (the bureau requires it at their next login).
func TestUpgrade130(t *testing.T) {
	at := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 130,
		Seed: func(t testing.TB, db *sqldb.DB) {
			// the columns of migration 100's snapshot
			row := map[string]any{"username": "admin", "display_name": "系统管理员", "role": "bureau_admin", "centre_id": 0, "office_id": 0,
				"password_hash": "x", "failed_logins": 0, "lockouts": 0, "disabled": false, "version": 1, "created_at": at, "updated_at": at}
			if err := db.Conn(context.Background()).Table("staff_users").Create(row).Error; err != nil {
				t.Fatal(err)
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			var u struct {
				Username, Role string
				Version        int
			}
			if err := db.Conn(ctx).Table("staff_users").Select("username, role, version").Where("username = ?", "admin").Scan(&u).Error; err != nil {
				t.Fatal(err)
			}
			if u.Username != "admin" || u.Role != "bureau_admin" || u.Version != 1 {
				t.Fatalf("staff after 130: %+v", u)
			}
			for _, table := range []string{"staff_mfa", "staff_mfa_recovery_codes"} {
				var n int64
				if err := db.Conn(ctx).Table(table).Count(&n).Error; err != nil || n != 0 {
					t.Fatalf("%s after 130: %d, %v", table, n, err)
				}
			}
		}})
}

// Accounts made before 131 keep their password: the flag is false, so an
// upgrade never sends a working team to the password page.
func TestUpgrade131(t *testing.T) {
	at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 131,
		Seed: func(t testing.TB, db *sqldb.DB) {
			for _, name := range []string{"admin", "police1"} {
				row := map[string]any{"username": name, "display_name": name, "role": "bureau_admin", "centre_id": 0, "office_id": 0,
					"password_hash": "x", "failed_logins": 0, "lockouts": 0, "disabled": false, "version": 3, "created_at": at, "updated_at": at}
				if err := db.Conn(context.Background()).Table("staff_users").Create(row).Error; err != nil {
					t.Fatal(err)
				}
			}
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			s := New(db, testenv.Protector(t))
			for _, name := range []string{"admin", "police1"} {
				u, err := s.StaffByUsername(context.Background(), name)
				if err != nil || u.MustChangePassword || u.Version != 3 || u.PasswordHash != "x" {
					t.Fatalf("%s after 131: %+v %v", name, u, err)
				}
			}
		}})
}
