package booking_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/exam/booking/bookingdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// registry answers eligibility and people from a map the test fills (the
// real adapters over registration are tested in cmd/examd).
type registry struct {
	mu       sync.Mutex
	approved map[int64]time.Time
}

func (r *registry) approve(cid int64, at time.Time) {
	r.mu.Lock()
	r.approved[cid] = at
	r.mu.Unlock()
}

func (r *registry) Eligibility(_ context.Context, cid int64) (booking.Eligibility, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.approved[cid]
	if !ok {
		return booking.Eligibility{Reason: booking.ErrNotApproved.Code}, nil
	}
	return booking.Eligibility{MayBook: true, Subjects: []string{"national", "regional"}, ApprovedAt: at}, nil
}

func (r *registry) Person(_ context.Context, cid int64) (booking.Person, error) {
	return booking.Person{Name: fmt.Sprintf("考生%d", cid), IDNumber: "350602199001011234", Phone: fmt.Sprintf("139%08d", cid), ApplicationID: cid}, nil
}

type fixedMinutes int

func (m fixedMinutes) FormalMinutes(context.Context) (int, error) { return int(m), nil }

type fixture struct {
	svc    *booking.Service
	db     *sqldb.DB
	clock  *clock.Fake
	reg    *registry
	msgs   *notify.Service
	signer *signing.Keyring
	admin  context.Context
}

func newFixture(t testing.TB, mutate ...func(*booking.Config)) *fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	p := testenv.Protector(t)
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai))
	au := audit.NewService(auditdb.New(db), clk.Now)
	ns := notifydb.New(db, p)
	reg := &registry{approved: map[int64]time.Time{}}
	signer := testenv.Signer(t)
	cfg := booking.DefaultConfig()
	cfg.Location = shanghai
	for _, m := range mutate {
		m(&cfg)
	}
	svc := booking.NewService(booking.Deps{Store: bookingdb.New(db), Eligibility: reg, People: reg,
		Notifier: notify.NewOutbox(ns, clk, notify.QuietHours{}), Durations: fixedMinutes(135), Signer: signer,
		Audit: au, Tx: db, Clock: clk}, cfg)
	return &fixture{svc: svc, db: db, clock: clk, reg: reg, msgs: notify.NewService(ns, nil, db, au, clk), signer: signer,
		admin: reqctx.With(context.Background(), reqctx.Request{ID: "t", ClientIP: "10.0.0.1", Actor: &reqctx.Actor{UserID: 901, Kind: "staff", Role: "bureau_admin", Username: "admin"}})}
}

func cand(id int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", ClientIP: "10.0.0.2", Actor: &reqctx.Actor{UserID: id, Kind: "candidate"}})
}

// centre makes a centre with one room of the given seats.
func (f *fixture) centre(t testing.TB, seats int) (booking.Centre, booking.Room) {
	t.Helper()
	c, err := f.svc.CreateCentre(f.admin, booking.Centre{Name: "漳州市机动车驾驶人考试中心", Address: "漳州市芗城区水仙大街1号", MapURL: "https://map.example.cn/?q=1", Phone: "0596-1234567"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.CreateRoom(f.admin, c.ID, booking.RoomInput{Name: "第一考场", Seats: seats})
	if err != nil {
		t.Fatal(err)
	}
	return c, r
}

// session publishes a session daysAhead days from the fake now at hm.
func (f *fixture) session(t testing.TB, room booking.Room, daysAhead int, hm string, capacity int) booking.Session {
	t.Helper()
	d := f.clock.Now().In(shanghai).AddDate(0, 0, daysAhead).Format("2006-01-02")
	s, err := f.svc.CreateSession(f.admin, booking.SessionInput{RoomID: room.ID, Date: d, Time: hm, Capacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	s, err = f.svc.SetSessionStatus(f.admin, s.ID, booking.SessionPublished, s.Version)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) messages(t testing.TB, cid int64) []notify.View {
	t.Helper()
	vs, _, err := f.msgs.List(context.Background(), notify.Filter{CandidateID: cid, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func (f *fixture) byTemplate(t testing.TB, cid int64, tpl string) []notify.View {
	var out []notify.View
	for _, m := range f.messages(t, cid) {
		if m.Template == tpl {
			out = append(out, m)
		}
	}
	return out
}

func wantCode(t testing.TB, err error, want *apperr.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %s", err, want.Code)
	}
}

func TestCentreAndRoomInputIsChecked(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		in    booking.Centre
		field string
	}{
		{"no name", booking.Centre{Address: "x"}, "name"},
		{"no address", booking.Centre{Name: "x"}, "address"},
		{"bad map link", booking.Centre{Name: "x", Address: "y", MapURL: "javascript:alert(1)"}, "map_url"},
		{"bad phone", booking.Centre{Name: "x", Address: "y", Phone: "call me"}, "phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateCentre(f.admin, tc.in)
			e, ok := apperr.As(err)
			if !ok || e.Fields[tc.field].IsZero() {
				t.Fatalf("want a field error on %s, got %v", tc.field, err)
			}
		})
	}
	if cs, _ := f.svc.Centres(f.admin, true); len(cs) != 0 {
		t.Fatalf("bad input wrote %d centres", len(cs))
	}
	c, room := f.centre(t, 30)
	if room.OpenSeats() != 30 || room.Seats[29].Number != 30 {
		t.Fatalf("room seats: %+v", room.Seats)
	}
	if _, err := f.svc.CreateRoom(f.admin, c.ID, booking.RoomInput{Name: "x", Seats: 0}); err == nil {
		t.Fatal("a room with no seats was accepted")
	}
	if _, err := f.svc.CreateRoom(f.admin, 9999, booking.RoomInput{Name: "x", Seats: 5}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("room in a missing centre: %v", err)
	}
	// Disabling a seat of a room with a live session is refused; adding is fine.
	f.session(t, room, 7, "09:00", 0)
	_, err := f.svc.UpdateRoom(f.admin, room.ID, booking.RoomInput{Name: "第一考场", Seats: 30, Disabled: []int{3}, Version: room.Version})
	wantCode(t, err, booking.ErrRoomInUse)
	room, err = f.svc.UpdateRoom(f.admin, room.ID, booking.RoomInput{Name: "第一考场", Seats: 32, Version: room.Version})
	if err != nil || room.OpenSeats() != 32 {
		t.Fatalf("adding seats: %v %d", err, room.OpenSeats())
	}
	if ok, _ := f.svc.CentreExists(f.admin, c.ID); !ok {
		t.Fatal("centre does not exist")
	}
	if ok, _ := f.svc.CentreExists(f.admin, c.ID+100); ok {
		t.Fatal("a missing centre exists")
	}
}

func TestSessionStatusMachine(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 10)
	d := f.clock.Now().In(shanghai).AddDate(0, 0, 5).Format("2006-01-02")
	s, err := f.svc.CreateSession(f.admin, booking.SessionInput{RoomID: room.ID, Date: d, Time: "09:00"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != booking.SessionDraft || s.DurationMinutes != 135 || s.Capacity != 10 {
		t.Fatalf("new session: %+v", s)
	}
	steps := []struct {
		to SessionStatus
		ok bool
	}{
		{booking.SessionInProgress, false},
		{booking.SessionPublished, true},
		{booking.SessionPublished, false},
		{booking.SessionCheckinOpen, true},
		{booking.SessionInProgress, true},
		{booking.SessionCancelled, false},
		{booking.SessionClosed, true},
		{booking.SessionPublished, false},
	}
	for _, st := range steps {
		got, err := f.svc.SetSessionStatus(f.admin, s.ID, st.to, 0)
		if st.ok != (err == nil) {
			t.Fatalf("%s -> %s: %v", s.Status, st.to, err)
		}
		if err == nil {
			s = got
		} else {
			wantCode(t, err, booking.ErrBadTransition)
		}
	}
	// Bad sessions: a past date, a room that does not exist, too many seats.
	for _, in := range []booking.SessionInput{
		{RoomID: room.ID, Date: "2020-01-01", Time: "09:00"},
		{RoomID: room.ID + 99, Date: d, Time: "10:00"},
		{RoomID: room.ID, Date: d, Time: "10:00", Capacity: 11},
		{RoomID: room.ID, Date: d, Time: "25:00"},
	} {
		if _, err := f.svc.CreateSession(f.admin, in); err == nil {
			t.Fatalf("accepted %+v", in)
		} else if e, _ := apperr.As(err); e == nil || e.Code != "invalid_input" {
			t.Fatalf("%+v: %v", in, err)
		}
	}
	_, err = f.svc.CreateSession(f.admin, booking.SessionInput{RoomID: room.ID, Date: d, Time: "09:00"})
	wantCode(t, err, booking.ErrSessionClash)
}

type SessionStatus = booking.SessionStatus

func TestBulkCreationPreviewsThenCreates(t *testing.T) {
	f := newFixture(t)
	c, room := f.centre(t, 30)
	// Every Tuesday and Thursday at 09:00 and 14:30 for the next 8 weeks.
	from := f.clock.Now().In(shanghai).AddDate(0, 0, 1)
	to := from.AddDate(0, 0, 8*7-1)
	in := booking.BulkSessions{CentreID: c.ID, RoomIDs: []int64{room.ID}, From: from.Format("2006-01-02"), To: to.Format("2006-01-02"),
		Weekdays: []int{2, 4}, Times: []string{"14:30", "09:00"}, Publish: true}
	prev, err := f.svc.PreviewBulk(f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(prev) != 32 {
		t.Fatalf("preview has %d sessions, want 32", len(prev))
	}
	for _, p := range prev {
		l := p.StartsAt.In(shanghai)
		if (l.Weekday() != time.Tuesday && l.Weekday() != time.Thursday) || (l.Format("15:04") != "09:00" && l.Format("15:04") != "14:30") {
			t.Fatalf("preview item at %s", l)
		}
	}
	if _, n, _ := f.svc.Sessions(f.admin, booking.SessionFilter{}); n != 0 {
		t.Fatalf("preview wrote %d sessions", n)
	}
	made, err := f.svc.CreateBulk(f.admin, in)
	if err != nil || len(made) != 32 || made[0].Status != booking.SessionPublished {
		t.Fatalf("bulk: %d %v", len(made), err)
	}
	prev, err = f.svc.PreviewBulk(f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prev {
		if !p.Clash {
			t.Fatalf("second preview does not flag %s as existing", p.StartsAt)
		}
	}
	if again, err := f.svc.CreateBulk(f.admin, in); err != nil || len(again) != 0 {
		t.Fatalf("second bulk created %d: %v", len(again), err)
	}
	bad := in
	bad.Weekdays = []int{7}
	if _, err := f.svc.PreviewBulk(f.admin, bad); err == nil {
		t.Fatal("weekday 7 accepted")
	}
}

func TestBookingRules(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	open := f.session(t, room, 7, "09:00", 0)
	full := f.session(t, room, 7, "14:30", 1)
	soon := f.session(t, room, 0, "20:00", 0) // starts in 11 h: inside the 24 h cutoff
	d := f.clock.Now().In(shanghai).AddDate(0, 0, 8).Format("2006-01-02")
	draft, _ := f.svc.CreateSession(f.admin, booking.SessionInput{RoomID: room.ID, Date: d, Time: "09:00"})
	cancelled := f.session(t, room, 9, "09:00", 0)
	if _, err := f.svc.CancelSession(f.admin, cancelled.ID, 0, "维修"); err != nil {
		t.Fatal(err)
	}
	pref, _ := f.svc.CreateSession(f.admin, booking.SessionInput{RoomID: room.ID, Date: d, Time: "14:30", Mode: booking.ModePreference})
	if _, err := f.svc.SetSessionStatus(f.admin, pref.ID, booking.SessionPublished, 0); err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 5; i++ {
		f.reg.approve(i, f.clock.Now())
	}
	if _, err := f.svc.Book(cand(5), full.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		cid     int64
		session int64
		want    *apperr.Error
	}{
		{"not approved", 99, open.ID, booking.ErrNotApproved},
		{"full", 1, full.ID, booking.ErrSessionFull},
		{"inside the cutoff", 1, soon.ID, booking.ErrSessionPast},
		{"draft", 1, draft.ID, booking.ErrSessionNotOpen},
		{"cancelled", 1, cancelled.ID, booking.ErrSessionNotOpen},
		{"preference round", 1, pref.ID, booking.ErrPreferenceRound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Book(cand(tc.cid), tc.session)
			wantCode(t, err, tc.want)
		})
	}
	if v, _ := f.svc.Session(f.admin, open.ID); v.Booked != 0 {
		t.Fatalf("refused bookings moved the counter: %d", v.Booked)
	}
	// Book, then book again (anywhere): already booked.
	b, err := f.svc.Book(cand(1), open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Booking.SeatNumber != 1 || len(b.Booking.TicketNo) != 16 || b.Ticket == "" {
		t.Fatalf("booking: %+v", b.Booking)
	}
	_, err = f.svc.Book(cand(1), open.ID)
	wantCode(t, err, booking.ErrAlreadyBooked)
	// Rescheduling into a full session leaves the booking as it was.
	_, err = f.svc.Reschedule(cand(1), full.ID)
	wantCode(t, err, booking.ErrSessionFull)
	if m, err := f.svc.Mine(cand(1)); err != nil || m.Booking.ID != b.Booking.ID || m.Booking.Status != booking.BookingActive {
		t.Fatalf("after a refused reschedule: %+v %v", m.Booking, err)
	}
	_, err = f.svc.Reschedule(cand(1), open.ID)
	wantCode(t, err, booking.ErrSameSession)
	// Cancelling after the cutoff.
	f.clock.Advance(6*24*time.Hour + time.Hour) // 23 h before the session
	wantCode(t, f.svc.Cancel(cand(1)), booking.ErrCutoffPassed)
	_, err = f.svc.Reschedule(cand(1), full.ID)
	wantCode(t, err, booking.ErrCutoffPassed)
	wantCode(t, f.svc.Cancel(cand(2)), booking.ErrNoBooking)
}

func TestCoolingOffAfterTooManyCancellations(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	a := f.session(t, room, 10, "09:00", 0)
	b := f.session(t, room, 10, "14:30", 0)
	f.reg.approve(1, f.clock.Now())
	// book, reschedule, cancel, book, cancel: three releases
	if _, err := f.svc.Book(cand(1), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reschedule(cand(1), b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Cancel(cand(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Book(cand(1), a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Cancel(cand(1)); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Book(cand(1), a.ID)
	wantCode(t, err, booking.ErrCoolingOff)
	f.clock.Advance(7*24*time.Hour + time.Minute)
	c := f.session(t, room, 5, "09:00", 0)
	if _, err := f.svc.Book(cand(1), c.ID); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestSMSAndRemindersFollowTheBooking(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	a := f.session(t, room, 7, "09:00", 0)
	b := f.session(t, room, 8, "14:30", 0)
	f.reg.approve(1, f.clock.Now())
	first, err := f.svc.Book(cand(1), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.byTemplate(t, 1, notify.TplBookingConfirmed)); n != 1 {
		t.Fatalf("%d confirmations", n)
	}
	rem := f.byTemplate(t, 1, notify.TplExamReminder)
	wantEve := time.Date(2026, 12, 7, 18, 0, 0, 0, shanghai)
	if len(rem) != 1 || !rem[0].NotBefore.Equal(wantEve) || rem[0].Status != notify.StatusPending {
		t.Fatalf("reminder: %+v, want one pending at %s", rem, wantEve)
	}
	second, err := f.svc.Reschedule(cand(1), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Booking.ReplacesID != first.Booking.ID {
		t.Fatalf("replaces %d", second.Booking.ReplacesID)
	}
	rem = f.byTemplate(t, 1, notify.TplExamReminder)
	var pending, withdrawn int
	for _, m := range rem {
		switch m.Status {
		case notify.StatusPending:
			pending++
			if !m.NotBefore.Equal(time.Date(2026, 12, 8, 18, 0, 0, 0, shanghai)) {
				t.Fatalf("new reminder at %s", m.NotBefore.In(shanghai))
			}
		case notify.StatusWithdrawn:
			withdrawn++
		}
	}
	if pending != 1 || withdrawn != 1 {
		t.Fatalf("after reschedule: %d pending, %d withdrawn reminders", pending, withdrawn)
	}
	if n := len(f.byTemplate(t, 1, notify.TplBookingRescheduled)); n != 1 {
		t.Fatalf("%d reschedule SMS", n)
	}
	if err := f.svc.Cancel(cand(1)); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.byTemplate(t, 1, notify.TplExamReminder) {
		if m.Status != notify.StatusWithdrawn {
			t.Fatalf("a reminder of a cancelled booking is %s", m.Status)
		}
	}
	if n := len(f.byTemplate(t, 1, notify.TplBookingCancelled)); n != 1 {
		t.Fatalf("%d cancellation SMS", n)
	}
	if v, _ := f.svc.Session(f.admin, a.ID); v.Booked != 0 {
		t.Fatalf("session a still counts %d", v.Booked)
	}
	if v, _ := f.svc.Session(f.admin, b.ID); v.Booked != 0 {
		t.Fatalf("session b still counts %d", v.Booked)
	}
}

func TestWaitlistOfferIsHeldThenPassedOn(t *testing.T) {
	f := newFixture(t, func(c *booking.Config) { c.OfferHold = time.Hour })
	_, room := f.centre(t, 30)
	s := f.session(t, room, 7, "09:00", 1)
	other := f.session(t, room, 8, "09:00", 0)
	for i := int64(1); i <= 4; i++ {
		f.reg.approve(i, f.clock.Now())
	}
	if _, err := f.svc.Book(cand(1), s.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.JoinWaitlist(cand(1), other.ID)
	wantCode(t, err, booking.ErrNotWaitlistable)
	w2, err := f.svc.JoinWaitlist(cand(2), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.JoinWaitlist(cand(2), s.ID)
	wantCode(t, err, booking.ErrAlreadyWaiting)
	// Candidate 3 holds a booking elsewhere and waits for this one.
	if _, err := f.svc.Book(cand(3), other.ID); err != nil {
		t.Fatal(err)
	}
	w3, err := f.svc.JoinWaitlist(cand(3), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ws, _ := f.svc.MyWaitlist(cand(3)); len(ws) != 1 || ws[0].Ahead != 1 {
		t.Fatalf("waitlist view: %+v", ws)
	}
	// 1 cancels: the seat is held for 2, nobody else can book it.
	if err := f.svc.Cancel(cand(1)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.byTemplate(t, 2, notify.TplWaitlistOffer)); n != 1 {
		t.Fatalf("%d offers to 2", n)
	}
	_, err = f.svc.Book(cand(4), s.ID)
	wantCode(t, err, booking.ErrSessionFull)
	_, err = f.svc.AcceptOffer(cand(3), w3.ID)
	wantCode(t, err, booking.ErrNoOffer)
	// The hold runs out: the sweep passes it to 3.
	f.clock.Advance(61 * time.Minute)
	if n, err := f.svc.ExpireOffers(context.Background()); err != nil || n != 1 {
		t.Fatalf("expired %d: %v", n, err)
	}
	if n, _ := f.svc.ExpireOffers(context.Background()); n != 0 {
		t.Fatal("a second sweep expired the offer again")
	}
	_, err = f.svc.AcceptOffer(cand(2), w2.ID)
	wantCode(t, err, booking.ErrNoOffer)
	m, err := f.svc.AcceptOffer(cand(3), w3.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Booking.SessionID != s.ID || m.Booking.ReplacesID == 0 {
		t.Fatalf("accepted: %+v", m.Booking)
	}
	if v, _ := f.svc.Session(f.admin, s.ID); v.Booked != 1 || v.Held != 0 {
		t.Fatalf("session after accept: booked %d held %d", v.Booked, v.Held)
	}
	if v, _ := f.svc.Session(f.admin, other.ID); v.Booked != 0 {
		t.Fatalf("the old session still counts %d", v.Booked)
	}
}

func TestBureauCancellationTellsEveryoneAndGivesPriority(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	s := f.session(t, room, 7, "09:00", 0)
	later := f.session(t, room, 9, "09:00", 1)
	for i := int64(1); i <= 3; i++ {
		f.reg.approve(i, f.clock.Now())
	}
	if _, err := f.svc.Book(cand(1), s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Book(cand(3), later.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.JoinWaitlist(cand(2), later.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CancelSession(f.admin, s.ID, 0, "停电"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.byTemplate(t, 1, notify.TplSessionCancelled)); n != 1 {
		t.Fatalf("%d session-cancelled SMS", n)
	}
	for _, m := range f.byTemplate(t, 1, notify.TplExamReminder) {
		if m.Status != notify.StatusWithdrawn {
			t.Fatalf("reminder of a cancelled session is %s", m.Status)
		}
	}
	m, err := f.svc.Mine(cand(1))
	if err != nil || m.Booking.Status != booking.BookingSessionCancelled {
		t.Fatalf("mine: %+v %v", m.Booking, err)
	}
	// 1 joins the waitlist after 2 but goes first.
	w1, err := f.svc.JoinWaitlist(cand(1), later.ID)
	if err != nil || !w1.Priority {
		t.Fatalf("priority waiter: %+v %v", w1, err)
	}
	if err := f.svc.Cancel(cand(3)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.byTemplate(t, 1, notify.TplWaitlistOffer)); n != 1 {
		t.Fatal("the priority candidate got no offer")
	}
	if n := len(f.byTemplate(t, 2, notify.TplWaitlistOffer)); n != 0 {
		t.Fatal("the ordinary waiter went first")
	}
	if _, err := f.svc.AcceptOffer(cand(1), w1.ID); err != nil {
		t.Fatal(err)
	}
}

func TestTicketCodeVerifies(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	s := f.session(t, room, 7, "09:00", 0)
	f.reg.approve(1, f.clock.Now())
	m, err := f.svc.Book(cand(1), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, v, err := f.svc.CheckTicket(context.Background(), m.Ticket)
	if err != nil || b.ID != m.Booking.ID || v.ID != s.ID {
		t.Fatalf("genuine ticket: %v %+v", err, b)
	}
	parts := strings.Split(m.Ticket, ".")
	other := testenv.Signer(t)
	forged := booking.SignTicket(other, m.Booking.TicketNo)
	altered := parts[0] + "." + parts[1][:15] + string('0'+(parts[1][15]-'0'+1)%10) + "." + parts[2] + "." + parts[3]
	flipped := []byte(parts[3])
	flipped[3] ^= 1
	for name, code := range map[string]string{
		"altered number": altered,
		"other key":      forged,
		"bad signature":  parts[0] + "." + parts[1] + "." + parts[2] + "." + string(flipped),
		"unknown key id": parts[0] + "." + parts[1] + ".zz." + parts[3],
		"not a ticket":   "https://example.cn",
		"empty":          "",
		"extra dot":      m.Ticket + ".x",
		"letters in no":  parts[0] + ".2026120800abcdef." + parts[2] + "." + parts[3],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := booking.VerifyTicket(f.signer, code)
			wantCode(t, err, booking.ErrTicketInvalid)
		})
	}
}

func TestNoShowsAreMarkedAbsentWhenTheSessionCloses(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	s := f.session(t, room, 3, "09:00", 0)
	for i := int64(1); i <= 3; i++ {
		f.reg.approve(i, f.clock.Now())
		if _, err := f.svc.Book(cand(i), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The proctor console checks 2 in (this is what it will call).
	m2, _ := f.svc.Mine(cand(2))
	if err := f.svc.CheckIn(f.admin, m2.Booking.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.CloseDueSessions(context.Background()); n != 0 {
		t.Fatal("closed a session that has not ended")
	}
	f.clock.Advance(3*24*time.Hour + 3*time.Hour) // 12:00 on the day: the 135-minute sitting ended 11:15
	var wg sync.WaitGroup
	closed := make([]int, 3)
	for i := range closed { // the sweep runs on every node
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := f.svc.CloseDueSessions(context.Background())
			if err != nil {
				t.Error(err)
			}
			closed[i] = n
		}()
	}
	wg.Wait()
	if closed[0]+closed[1]+closed[2] != 1 {
		t.Fatalf("closed %v times", closed)
	}
	for cid, want := range map[int64]booking.BookingStatus{1: booking.BookingAbsent, 2: booking.BookingSat, 3: booking.BookingAbsent} {
		m, err := f.svc.Mine(cand(cid))
		if err != nil || m.Booking.Status != want {
			t.Fatalf("candidate %d: %s %v, want %s", cid, m.Booking.Status, err, want)
		}
	}
	stats, err := f.svc.DayStats(f.admin, f.clock.Now().Add(-24*time.Hour), f.clock.Now().Add(24*time.Hour))
	if err != nil || len(stats) != 1 || stats[0].Absent != 2 || stats[0].Sat != 1 || stats[0].Booked != 0 {
		t.Fatalf("stats: %+v %v", stats, err)
	}
	// Free to book again after an absence.
	s2 := f.session(t, room, 7, "09:00", 0)
	if _, err := f.svc.Book(cand(1), s2.ID); err != nil {
		t.Fatalf("rebook after absence: %v", err)
	}
}

// TestManyCandidatesRaceForTheLastSeats: 60 candidates book a session of
// 12 seats at once, and 8 goroutines of one candidate book different
// sessions at once: exactly 12 bookings with 12 different seats, and one.
func TestManyCandidatesRaceForTheLastSeats(t *testing.T) {
	f := newFixture(t)
	_, room := f.centre(t, 30)
	s := f.session(t, room, 7, "09:00", 12)
	for i := int64(1); i <= 60; i++ {
		f.reg.approve(i, f.clock.Now())
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, full int
	seats := map[int]int64{}
	for i := int64(1); i <= 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := f.svc.Book(cand(i), s.ID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				if prev, dup := seats[m.Booking.SeatNumber]; dup {
					t.Errorf("seat %d given to %d and %d", m.Booking.SeatNumber, prev, i)
				}
				seats[m.Booking.SeatNumber] = i
			case errors.Is(err, booking.ErrSessionFull):
				full++
			default:
				t.Errorf("candidate %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok != 12 || full != 48 {
		t.Fatalf("%d booked, %d full; want 12 and 48", ok, full)
	}
	if v, _ := f.svc.Session(f.admin, s.ID); v.Booked != 12 {
		t.Fatalf("counter says %d", v.Booked)
	}
	others := make([]booking.Session, 8)
	for i := range others {
		others[i] = f.session(t, room, 10+i, "09:00", 0)
	}
	f.reg.approve(100, f.clock.Now())
	var won int
	for _, o := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Book(cand(100), o.ID)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
			} else if !errors.Is(err, booking.ErrAlreadyBooked) {
				t.Errorf("double booking: %v", err)
			}
		}()
	}
	wg.Wait()
	var counted int
	for _, o := range others {
		v, _ := f.svc.Session(f.admin, o.ID)
		counted += v.Booked
	}
	if won != 1 || counted != 1 {
		t.Fatalf("one candidate holds %d bookings (%d counted)", won, counted)
	}
}

// Seats come from the session's seat counter in the room's order (disabled
// seats skipped); once the counter has passed the room's seats, a seat a
// cancellation freed goes to the next booker.
func TestSeatsFollowTheCounterThenFreedSeats(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.CreateCentre(f.admin, booking.Centre{Name: "漳浦考点", Address: "绥安镇府前街12号"})
	if err != nil {
		t.Fatal(err)
	}
	room, err := f.svc.CreateRoom(f.admin, c.ID, booking.RoomInput{Name: "第二考场", Seats: 4, Disabled: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	s := f.session(t, room, 7, "09:00", 0)
	for i := int64(1); i <= 5; i++ {
		f.reg.approve(i, f.clock.Now())
	}
	book := func(cid int64) int {
		t.Helper()
		m, err := f.svc.Book(cand(cid), s.ID)
		if err != nil {
			t.Fatalf("candidate %d: %v", cid, err)
		}
		return m.Booking.SeatNumber
	}
	for _, step := range []struct {
		cid      int64
		cancel   bool
		wantSeat int
	}{
		{cid: 1, wantSeat: 1},
		{cid: 2, wantSeat: 3},
		{cid: 1, cancel: true},
		{cid: 3, wantSeat: 4},  // the counter's third open seat, not the freed 1
		{cid: 4, wantSeat: 1},  // the counter is past the room: the freed seat
		{cid: 5, wantSeat: -1}, // three open seats, three booked: full
	} {
		switch {
		case step.cancel:
			if err := f.svc.Cancel(cand(step.cid)); err != nil {
				t.Fatal(err)
			}
		case step.wantSeat < 0:
			_, err := f.svc.Book(cand(step.cid), s.ID)
			wantCode(t, err, booking.ErrSessionFull)
		default:
			if got := book(step.cid); got != step.wantSeat {
				t.Fatalf("candidate %d got seat %d, want %d", step.cid, got, step.wantSeat)
			}
		}
	}
}
