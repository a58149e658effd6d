package bookingdb

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
)

// Centres, sessions and bookings made before 651 read back unchanged; the
// preference-round tables start empty.
func TestUpgrade651(t *testing.T) {
	starts := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	var sessionID, bookingID int64
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 651,
		Seed: func(t testing.TB, db *sqldb.DB) {
			conn := db.Conn(context.Background())
			c := m650Centre{Name: "芗城考点", Address: "胜利西路 1 号"}
			if err := conn.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			r := m650Room{CentreID: c.ID, Name: "一号考场"}
			if err := conn.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
			s := m650Session{CentreID: c.ID, RoomID: r.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), DurationMinutes: 120, Capacity: 30,
				Booked: 1, Status: "published", Mode: "first_come"}
			if err := conn.Create(&s).Error; err != nil {
				t.Fatal(err)
			}
			cand, seat := int64(77), 1
			b := m650Booking{SessionID: s.ID, CandidateID: cand, SeatNumber: seat, TicketNo: "T0001", Status: "active",
				ActiveCandidate: &cand, SeatActive: &seat, ChangedAt: starts.Add(-48 * time.Hour)}
			if err := conn.Create(&b).Error; err != nil {
				t.Fatal(err)
			}
			sessionID, bookingID = s.ID, b.ID
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			s := New(db)
			v, err := s.SessionByID(ctx, sessionID)
			if err != nil {
				t.Fatal(err)
			}
			if v.CentreName != "芗城考点" || v.RoomName != "一号考场" || v.Capacity != 30 || v.Booked != 1 || !v.StartsAt.Equal(starts) {
				t.Fatalf("session after 651: %+v", v)
			}
			b, err := s.BookingByID(ctx, bookingID)
			if err != nil {
				t.Fatal(err)
			}
			if b.CandidateID != 77 || b.TicketNo != "T0001" || b.SeatNumber != 1 || b.SessionID != sessionID {
				t.Fatalf("booking after 651: %+v", b)
			}
			rounds, err := s.ListRounds(ctx)
			if err != nil || len(rounds) != 0 {
				t.Fatalf("rounds after 651: %v, %v", rounds, err)
			}
		}})
}

// A session booked before 652 (seats 1 and 2 taken, seat_seq 0) keeps its
// counters; the next booking's first try, seat 1, is refused by the seat
// key and the lowest free seat, 3, is found instead.
func TestUpgrade652(t *testing.T) {
	starts := time.Now().UTC().Add(14 * 24 * time.Hour).Truncate(time.Second)
	var sessionID, roomID int64
	testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: 652,
		Seed: func(t testing.TB, db *sqldb.DB) {
			conn := db.Conn(context.Background())
			c := m650Centre{Name: "龙海考点", Address: "紫泉路 88 号"}
			if err := conn.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			r := m650Room{CentreID: c.ID, Name: "二号考场"}
			if err := conn.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
			for n := 1; n <= 4; n++ {
				if err := conn.Create(&m650Seat{RoomID: r.ID, Number: n}).Error; err != nil {
					t.Fatal(err)
				}
			}
			s := m650Session{CentreID: c.ID, RoomID: r.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), DurationMinutes: 120, Capacity: 4,
				Booked: 2, Status: "published", Mode: "first_come"}
			if err := conn.Create(&s).Error; err != nil {
				t.Fatal(err)
			}
			for i, cand := range []int64{81, 82} {
				cand, seat := cand, i+1
				b := m650Booking{SessionID: s.ID, CandidateID: cand, SeatNumber: seat, TicketNo: fmt.Sprintf("T%04d", cand), Status: "active",
					ActiveCandidate: &cand, SeatActive: &seat, ChangedAt: starts.Add(-48 * time.Hour)}
				if err := conn.Create(&b).Error; err != nil {
					t.Fatal(err)
				}
			}
			sessionID, roomID = s.ID, r.ID
		},
		Check: func(t testing.TB, db *sqldb.DB) {
			ctx := context.Background()
			s := New(db)
			v, err := s.SessionByID(ctx, sessionID)
			if err != nil || v.Booked != 2 || v.Capacity != 4 {
				t.Fatalf("session after 652: %+v, %v", v, err)
			}
			errRollback := errors.New("rollback")
			err = db.InTx(ctx, func(ctx context.Context) error {
				ordinal, ok, err := s.TakeSeat(ctx, sessionID, time.Now())
				if err != nil || !ok || ordinal != 1 {
					t.Fatalf("TakeSeat after 652: ordinal %d, ok %v, %v", ordinal, ok, err)
				}
				b := booking.Booking{SessionID: sessionID, CandidateID: 83, SeatNumber: 1, TicketNo: "T0083", Status: booking.BookingActive,
					CreatedAt: time.Now(), ChangedAt: time.Now()}
				if err := s.InsertBooking(ctx, &b); !booking.ErrSeatTaken.Is(err) {
					t.Fatalf("booking seat 1 again: %v, want seat_taken", err)
				}
				if b.SeatNumber, err = s.FreeSeatNumber(ctx, sessionID, roomID); err != nil || b.SeatNumber != 3 {
					t.Fatalf("free seat after 652: %d, %v", b.SeatNumber, err)
				}
				if err := s.InsertBooking(ctx, &b); err != nil {
					t.Fatal(err)
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
		}})
}
