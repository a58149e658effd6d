package benchkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/registration"
	"taxiexam/internal/auth"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/wiring"
)

// ExamDay is an exam day in progress as SeedExamDay leaves it: one centre,
// a started session per room, every seat booked, enrolled and checked in.
// Shared by cmd/examdaybench and cmd/examd's kill -9 / two-node test.
type ExamDay struct {
	CentreID int64
	Sessions []int64
	Seats    []ExamSeat
}

// ExamSeat is one checked-in candidate at their enrolled terminal.
type ExamSeat struct {
	SessionID, BookingID, CandidateID int64
	Seat                              int
	Ticket, IDNumber                  string // what the candidate types on the terminal
	Terminal                          string // the terminal's credential (cookie examd_terminal)
}

// Proctor is a proctor of centre as a caller of the services.
func Proctor(ctx context.Context, centreID int64) context.Context {
	return reqctx.With(ctx, reqctx.Request{ID: "bench", Actor: &reqctx.Actor{UserID: 1, Kind: reqctx.KindStaff, Role: auth.RoleProctor, Username: "bench", CentreID: centreID}})
}

// SeedExamDay seats n candidates at one centre in rooms of perRoom seats.
// Each room gets a session that opened its check-in 5 minutes ago (written
// through booking's store: the service only schedules sessions past the
// booking cutoff); approved candidates are booked on every seat, a
// terminal is enrolled per seat, everyone is checked in through the
// proctor's service, and every session is started. The formal blueprint
// (the sample bank) must be loaded before the candidates open their papers.
func SeedExamDay(ctx context.Context, app *wiring.App, n, perRoom int) (ExamDay, error) {
	staff := Admin(ctx)
	centre, err := app.Booking().CreateCentre(staff, booking.Centre{Name: "压测考点", Address: "压测路 1 号"})
	if err != nil {
		return ExamDay{}, err
	}
	rooms := (n + perRoom - 1) / perRoom
	day := ExamDay{CentreID: centre.ID, Sessions: make([]int64, rooms), Seats: make([]ExamSeat, n)}
	proctor := Proctor(ctx, centre.ID)
	proc, bookings := app.Proctoring(), bookingdb.New(app.DB())
	// Rooms are seeded side by side (each candidate is a dozen commits).
	seedRoom := func(r int) error {
		room, err := app.Booking().CreateRoom(staff, centre.ID, booking.RoomInput{Name: fmt.Sprint("考场", r+1), Seats: perRoom})
		if err != nil {
			return err
		}
		first := r * perRoom
		sess := booking.Session{CentreID: centre.ID, RoomID: room.ID, StartsAt: time.Now().UTC().Add(-5 * time.Minute), DurationMinutes: 135,
			Capacity: perRoom, Booked: min(perRoom, n-first), Status: booking.SessionCheckinOpen, Mode: "first_come", Version: 1}
		if err := bookings.CreateSession(ctx, &sess); err != nil {
			return err
		}
		day.Sessions[r] = sess.ID
		for i := first; i < min(n, first+perRoom); i++ {
			seat := i - first + 1
			s := ExamSeat{SessionID: sess.ID, Seat: seat, Ticket: fmt.Sprintf("20261201%08d", i), IDNumber: IDNumber(i)}
			var b booking.Booking
			var pending proctoring.Terminal
			steps := []struct {
				name string
				do   func() error
			}{
				{"candidate", func() (err error) { s.CandidateID, err = Candidate(ctx, app, fmt.Sprintf("138%08d", i)); return err }},
				{"approve", func() error {
					_, err := Approve(ctx, app, s.CandidateID, registration.Form{Name: "考生", IDNumber: s.IDNumber})
					return err
				}},
				{"booking", func() error {
					b = booking.Booking{SessionID: sess.ID, CandidateID: s.CandidateID, SeatNumber: seat, TicketNo: s.Ticket, Status: booking.BookingActive,
						CreatedAt: time.Now(), ChangedAt: time.Now()}
					return bookings.InsertBooking(ctx, &b)
				}},
				{"terminal", func() (err error) { s.Terminal, pending, err = proc.BeginEnrolment(ctx); return err }},
				{"enrol", func() error {
					_, err := proc.Enrol(proctor, proctoring.Enrolment{Code: pending.Code, RoomID: sess.RoomID, Seat: seat})
					return err
				}},
				{"check-in", func() error {
					_, err := proc.Decide(proctor, sess.ID, proctoring.Decision{BookingID: b.ID, Admit: true})
					return err
				}},
			}
			for _, st := range steps {
				// Rooms seed in parallel: a deadlock between two of them
				// (gap locks of unique indexes) is tried again.
				var err error
				for try := 0; try < 20; try++ {
					if err = st.do(); err == nil || !strings.Contains(err.Error(), "Deadlock") {
						break
					}
					time.Sleep(time.Duration(try+1) * 20 * time.Millisecond)
				}
				if err != nil {
					return fmt.Errorf("seat %d %s: %w", i, st.name, err)
				}
			}
			s.BookingID = b.ID
			day.Seats[i] = s
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, rooms)
	sem := make(chan struct{}, 4)
	for r := range rooms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[r] = seedRoom(r)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ExamDay{}, err
	}
	for _, id := range day.Sessions {
		if _, err := proc.Start(proctor, id); err != nil {
			return ExamDay{}, err
		}
	}
	return day, nil
}

// TerminalJar is the cookie jar of the seat's PC browser for the node at
// base: it holds the terminal credential (the login adds the candidate's
// session). Cookies name no port, so one jar serves every node on a host.
func (s ExamSeat) TerminalJar(base string) (http.CookieJar, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	u, err := http.NewRequest("GET", base+"/api/v1/terminal", nil)
	if err != nil {
		return nil, err
	}
	jar.SetCookies(u.URL, []*http.Cookie{{Name: "examd_terminal", Value: s.Terminal, Path: "/api/v1/terminal"}})
	return jar, nil
}
