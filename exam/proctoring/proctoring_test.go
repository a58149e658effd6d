package proctoring_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"taxiexam/exam/attempt"
	"taxiexam/exam/attempt/attemptdb"
	"taxiexam/exam/proctoring"
	"taxiexam/exam/proctoring/proctoringdb"
	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/reqctx"
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

const (
	idA = "350602199001011234"
	idB = "35060219900101123X"
)

type fixture struct {
	deps     proctoring.Deps // of svc, for another node over the same database
	cfg      proctoring.Config
	svc      *proctoring.Service
	attempts *attempt.Service
	clock    *clock.Fake
	book     *bookings
	logins   *logins
	audit    *audit.Service
	p1, p2   context.Context // proctors of centre 1 and 2
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.DB(t, schema.All())
	clk := clock.NewFake(time.Date(2026, 12, 1, 8, 30, 0, 0, shanghai))
	nine := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai).UTC()
	b := &bookings{signer: testenv.Signer(t),
		sessions: map[int64]proctoring.ExamSession{
			100: {ID: 100, CentreID: 1, RoomID: 10, RoomName: "一号考场", StartsAt: nine, DurationMinutes: 90, Status: "checkin_open"},
			101: {ID: 101, CentreID: 1, RoomID: 10, RoomName: "一号考场", StartsAt: nine.AddDate(0, 0, 1), DurationMinutes: 90, Status: "published"},
			200: {ID: 200, CentreID: 2, RoomID: 20, RoomName: "二中心考场", StartsAt: nine, DurationMinutes: 90, Status: "checkin_open"},
		},
		rooms: map[int64]proctoring.Room{10: {ID: 10, CentreID: 1, Name: "一号考场", Seats: 4}, 20: {ID: 20, CentreID: 2, Name: "二中心考场", Seats: 4}},
		booked: []proctoring.Booked{
			{BookingID: 1001, SessionID: 100, CandidateID: 11, ApplicationID: 511, TicketNo: "2026120100000001", Seat: 1, Name: "张三", IDNumber: idA, HasPhoto: true},
			{BookingID: 1002, SessionID: 100, CandidateID: 12, ApplicationID: 512, TicketNo: "2026120100000002", Seat: 2, Name: "李四", IDNumber: idB, HasPhoto: true},
			{BookingID: 1003, SessionID: 100, CandidateID: 13, ApplicationID: 513, TicketNo: "2026120100000003", Seat: 3, Name: "王五", IDNumber: idA},
			{BookingID: 1004, SessionID: 100, CandidateID: 15, ApplicationID: 515, TicketNo: "2026120100000005", Seat: 4, Name: "赵六", IDNumber: idA},
			{BookingID: 1011, SessionID: 101, CandidateID: 14, ApplicationID: 514, TicketNo: "2026120200000004", Seat: 1, Name: "钱七", IDNumber: idA},
			{BookingID: 2001, SessionID: 200, CandidateID: 21, ApplicationID: 521, TicketNo: "2026120100000021", Seat: 1, Name: "孙八", IDNumber: idA},
		}}
	au := audit.NewService(auditdb.New(db), clk.Now)
	att := attempt.NewService(attemptdb.New(db), newBank(), db, clk, nil)
	lg := &logins{}
	cfg := proctoring.DefaultConfig()
	cfg.Location = shanghai
	deps := proctoring.Deps{Store: proctoringdb.New(db), Bookings: b, Attempts: att, Subjects: allSubjects{}, Logins: lg,
		Photos: photos{}, Audit: au, Tx: db, Clock: clk}
	svc := proctoring.NewService(deps, cfg)
	return &fixture{deps: deps, cfg: cfg, svc: svc, attempts: att, clock: clk, book: b, logins: lg, audit: au, p1: staffCtx(901, "proctor", 1), p2: staffCtx(902, "proctor", 2)}
}

func staffCtx(id int64, role string, centre int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", ClientIP: "10.0.0.1",
		Actor: &reqctx.Actor{UserID: id, Kind: "staff", Role: reqctx.Role(role), Username: role, CentreID: centre}})
}

func examCtx(cand int64) context.Context {
	return reqctx.With(context.Background(), reqctx.Request{ID: "t", Actor: &reqctx.Actor{UserID: cand, Kind: "candidate", Role: "exam_candidate"}})
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return "not an app error: " + err.Error()
}

// enrol brings up a terminal and has the proctor of ctx bind it.
func (f *fixture) enrol(t *testing.T, ctx context.Context, room int64, seat int) (string, proctoring.Terminal) {
	t.Helper()
	token, pending, err := f.svc.BeginEnrolment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	term, err := f.svc.Enrol(ctx, proctoring.Enrolment{Code: strings.ToLower(pending.Code), RoomID: room, Seat: seat})
	if err != nil {
		t.Fatal(err)
	}
	return token, term
}

func TestTerminalEnrolment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token, pending, err := f.svc.BeginEnrolment(context.Background())
	if err != nil || len(pending.Code) != 6 || pending.Status != proctoring.TerminalPending {
		t.Fatalf("begin: %+v %v", pending, err)
	}
	if got, err := f.svc.TerminalOf(context.Background(), token); err != nil || got.Status != proctoring.TerminalPending {
		t.Fatalf("pending terminal: %+v %v", got, err)
	}
	bad := []struct {
		name string
		ctx  context.Context
		e    proctoring.Enrolment
		code string
	}{
		{"another centre's room", f.p2, proctoring.Enrolment{Code: pending.Code, RoomID: 10, Seat: 1}, "not_found"},
		{"unknown room", f.p1, proctoring.Enrolment{Code: pending.Code, RoomID: 99, Seat: 1}, "not_found"},
		{"wrong code", f.p1, proctoring.Enrolment{Code: "ZZZZZZ", RoomID: 10, Seat: 1}, "enrolment_code_unknown"},
		{"short code", f.p1, proctoring.Enrolment{Code: "ABC", RoomID: 10, Seat: 1}, "invalid_input"},
		{"seat beyond the room", f.p1, proctoring.Enrolment{Code: pending.Code, RoomID: 10, Seat: 5}, "invalid_input"},
		{"no seat", f.p1, proctoring.Enrolment{Code: pending.Code, RoomID: 10}, "invalid_input"},
		{"a candidate", examCtx(11), proctoring.Enrolment{Code: pending.Code, RoomID: 10, Seat: 1}, "forbidden"},
	}
	for _, tc := range bad {
		if _, err := f.svc.Enrol(tc.ctx, tc.e); errCode(err) != tc.code {
			t.Errorf("%s: got %q, want %q", tc.name, errCode(err), tc.code)
		}
	}
	if got, _ := f.svc.TerminalOf(context.Background(), token); got.Status != proctoring.TerminalPending {
		t.Fatal("a refused enrolment changed the terminal")
	}
	term, err := f.svc.Enrol(f.p1, proctoring.Enrolment{Code: pending.Code, RoomID: 10, Seat: 2, Name: "PC-02"})
	if err != nil || term.Status != proctoring.TerminalActive || term.RoomID != 10 || term.Seat != 2 || term.CentreID != 1 {
		t.Fatalf("enrol: %+v %v", term, err)
	}
	if _, err := f.svc.Enrol(f.p1, proctoring.Enrolment{Code: pending.Code, RoomID: 10, Seat: 3}); errCode(err) != "enrolment_code_unknown" {
		t.Fatalf("the code works twice: %v", err)
	}
	// A second PC for the same seat is refused until the first is revoked.
	_, p2, _ := f.svc.BeginEnrolment(context.Background())
	if _, err := f.svc.Enrol(f.p1, proctoring.Enrolment{Code: p2.Code, RoomID: 10, Seat: 2}); errCode(err) != "terminal_seat_taken" {
		t.Fatalf("two terminals at one seat: %v", err)
	}
	// An enrolment code expires.
	tok3, p3, _ := f.svc.BeginEnrolment(context.Background())
	f.clock.Advance(31 * time.Minute)
	if _, err := f.svc.Enrol(f.p1, proctoring.Enrolment{Code: p3.Code, RoomID: 10, Seat: 3}); errCode(err) != "enrolment_code_unknown" {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := f.svc.TerminalOf(context.Background(), tok3); errCode(err) != "terminal_not_enrolled" {
		t.Fatalf("expired pending terminal: %v", err)
	}
	if _, err := f.svc.Revoke(f.p2, term.ID, "stolen"); errCode(err) != "not_found" {
		t.Fatalf("revoke by another centre: %v", err)
	}
	if _, err := f.svc.Revoke(f.p1, term.ID, ""); errCode(err) != "invalid_input" {
		t.Fatalf("revoke without reason: %v", err)
	}
	if _, err := f.svc.Revoke(f.p1, term.ID, "PC replaced"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TerminalOf(context.Background(), token); errCode(err) != "terminal_not_enrolled" {
		t.Fatalf("revoked credential still works: %v", err)
	}
	for _, tok := range []string{"", "forged"} {
		if _, err := f.svc.TerminalOf(context.Background(), tok); errCode(err) != "terminal_not_enrolled" {
			t.Fatalf("credential %q: %v", tok, err)
		}
	}
	recs, _, err := f.audit.List(f.p1, audit.Filter{TargetType: "exam_terminal"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit of enrol + revoke: %d %v", len(recs), err)
	}
}

// Exam day from the door to the end, with every bad input of the issue.
func TestExamDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t1, _ := f.enrol(t, f.p1, 10, 1)
	t2, _ := f.enrol(t, f.p1, 10, 2)
	t3, term3 := f.enrol(t, f.p1, 10, 3)
	t9, _ := f.enrol(t, f.p2, 20, 1)
	unenrolled, _, _ := f.svc.BeginEnrolment(context.Background())

	today, err := f.svc.Today(f.p1, 0)
	if err != nil || len(today) != 1 || today[0].ID != 100 {
		t.Fatalf("today at centre 1: %+v %v", today, err)
	}
	if _, err := f.svc.Today(f.p1, 2); errCode(err) != "not_found" {
		t.Fatalf("today at another centre: %v", err)
	}

	// ---- a proctor of centre 2 can touch nothing of centre 1
	other := []struct {
		name string
		call func() error
	}{
		{"seat map", func() error { _, err := f.svc.SeatMap(f.p2, 100); return err }},
		{"check ticket", func() error { _, err := f.svc.CheckTicket(f.p2, 100, f.book.sign("2026120100000001")); return err }},
		{"check in", func() error {
			_, err := f.svc.Decide(f.p2, 100, proctoring.Decision{BookingID: 1001, Admit: true})
			return err
		}},
		{"absent", func() error { _, err := f.svc.MarkAbsent(f.p2, 100, 1001, ""); return err }},
		{"photo", func() error { _, _, err := f.svc.Photo(f.p2, 100, 1001); return err }},
		{"start", func() error { _, err := f.svc.Start(f.p2, 100); return err }},
		{"note", func() error { _, err := f.svc.Note(f.p2, 100, 0, "x"); return err }},
		{"end", func() error { _, err := f.svc.End(f.p2, 100, ""); return err }},
		{"own session, their booking", func() error {
			_, err := f.svc.Decide(f.p2, 200, proctoring.Decision{BookingID: 1001, Admit: true})
			return err
		}},
	}
	for _, tc := range other {
		if err := tc.call(); errCode(err) != "not_found" {
			t.Errorf("centre 2 proctor, %s: got %q, want not_found", tc.name, errCode(err))
		}
	}

	// ---- tickets at the door
	forged := f.book.sign("2026120100000001")
	mid := len(forged) - 40 // inside the signature, where every character carries 6 bits
	forged = forged[:mid] + map[bool]string{true: "B", false: "A"}[forged[mid] == 'A'] + forged[mid+1:]
	doors := []struct {
		name, code, want string
	}{
		{"forged signature", forged, "ticket_invalid"},
		{"another day", f.book.sign("2026120200000004"), "ticket_other_session"},
		{"another centre", f.book.sign("2026120100000021"), "ticket_other_session"},
		{"unknown number", "2026120199999999", "not_found"},
		{"garbage", "hello", "invalid_input"},
	}
	for _, tc := range doors {
		if _, err := f.svc.CheckTicket(f.p1, 100, tc.code); errCode(err) != tc.want {
			t.Errorf("ticket %s: got %q, want %q", tc.name, errCode(err), tc.want)
		}
	}
	chk, err := f.svc.CheckTicket(f.p1, 100, f.book.sign("2026120100000001"))
	if err != nil || chk.Line.BookingID != 1001 || chk.Line.IDNumberMasked == idA || !strings.HasPrefix(chk.Line.IDNumberMasked, "3506") || chk.Late {
		t.Fatalf("scan: %+v %v", chk, err)
	}
	if typed, err := f.svc.CheckTicket(f.p1, 100, "2026120100000002"); err != nil || typed.Line.BookingID != 1002 {
		t.Fatalf("typed ticket: %+v %v", typed, err)
	}
	if data, ctype, err := f.svc.Photo(f.p1, 100, 1001); err != nil || string(data) != "photo-511" || ctype != "image/jpeg" {
		t.Fatalf("photo: %q %v", data, err)
	}

	// ---- before check-in nobody logs in
	if _, _, err := f.svc.Login(context.Background(), t1, "2026120100000001", idA, "", ""); errCode(err) != "not_checked_in" {
		t.Fatalf("login before check-in: %v", err)
	}
	if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1002}); errCode(err) != "invalid_input" {
		t.Fatalf("refusal without a reason: %v", err)
	}
	if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 2001, Admit: true}); errCode(err) != "not_found" {
		t.Fatalf("a booking of another session: %v", err)
	}
	line, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1001, Admit: true})
	if err != nil || line.State != proctoring.StateCheckedIn || line.TerminalSeat != 1 {
		t.Fatalf("check in A: %+v %v", line, err)
	}
	if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1001, Admit: true}); errCode(err) != "already_checked_in" {
		t.Fatalf("second check-in: %v", err)
	}
	if line, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1002, Reason: "照片与本人不符"}); err != nil || line.State != proctoring.StateRefused {
		t.Fatalf("refuse B: %+v %v", line, err)
	}
	if _, _, err := f.svc.Login(context.Background(), t2, "2026120100000002", idB, "", ""); errCode(err) != "not_checked_in" {
		t.Fatalf("a refused candidate logs in: %v", err)
	}
	if _, _, err := f.svc.Login(context.Background(), t1, "2026120100000001", idA, "", ""); errCode(err) != "session_not_started" {
		t.Fatalf("login before the start: %v", err)
	}

	// ---- start; then every wrong login
	f.clock.Advance(30 * time.Minute) // 09:00
	if _, err := f.svc.Start(f.p1, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Start(f.p1, 100); errCode(err) != "session_started" {
		t.Fatalf("second start: %v", err)
	}
	logins := []struct {
		name, terminal, ticket, id, want string
	}{
		{"wrong ID number", t1, "2026120100000001", idB, "ticket_or_id_wrong"},
		{"unknown ticket", t1, "2026120100009999", idA, "ticket_or_id_wrong"},
		{"malformed ID number", t1, "2026120100000001", "12345", "invalid_input"},
		{"unenrolled terminal", unenrolled, "2026120100000001", idA, "terminal_not_enrolled"},
		{"no terminal credential", "", "2026120100000001", idA, "terminal_not_enrolled"},
		{"another seat's terminal", t2, "2026120100000001", idA, "wrong_terminal"},
		{"a terminal of another centre", t9, "2026120100000001", idA, "ticket_not_for_this_room"},
		{"ticket of another day", t1, "2026120200000004", idA, "not_checked_in"},
	}
	for _, tc := range logins {
		if _, _, err := f.svc.Login(context.Background(), tc.terminal, tc.ticket, tc.id, "", ""); errCode(err) != tc.want {
			t.Errorf("login, %s: got %q, want %q", tc.name, errCode(err), tc.want)
		}
	}
	if len(f.logins.who) != 0 {
		t.Fatalf("a refused login opened a session: %v", f.logins.who)
	}
	if _, _, err := f.svc.Login(context.Background(), t1, "2026120100000001", strings.ToLower(idA), "", ""); err != nil {
		t.Fatal(err)
	}
	a := examCtx(11)
	if _, err := f.svc.Paper(examCtx(12), t1); errCode(err) != "session_ended" {
		t.Fatalf("someone else's paper on A's terminal: %v", err)
	}
	if _, err := f.svc.Paper(staffCtx(901, "proctor", 1), t1); errCode(err) != "not_exam_session" {
		t.Fatalf("a proctor session on the terminal: %v", err)
	}
	v, err := f.svc.Paper(a, t1)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Questions) != 6 || !v.Now.Equal(f.clock.Now().UTC()) || v.Deadline.Sub(v.Now) != 90*time.Minute {
		t.Fatalf("paper: %d questions, now %v, deadline %v", len(v.Questions), v.Now, v.Deadline)
	}
	for _, q := range v.Questions {
		if len(q.Answer) != 0 || q.Explanation != "" {
			t.Fatalf("the key left the server before submission: %+v", q)
		}
	}
	again, _ := f.svc.Paper(a, t1)
	if again.ID != v.ID {
		t.Fatal("a reload started a second attempt")
	}
	// Answers: newest seq wins, a question not on the paper is refused.
	if _, err := f.svc.Answer(a, t1, 1, attempt.Answer{Given: []string{"C"}, Seq: 2}); err != nil {
		t.Fatal(err)
	}
	if s, err := f.svc.Answer(a, t1, 1, attempt.Answer{Given: []string{"B"}, Seq: 1}); err != nil || s.Applied || s.Given[0] != "C" {
		t.Fatalf("an older seq overwrote: %+v %v", s, err)
	}
	if _, err := f.svc.Answer(a, t1, 77, attempt.Answer{Given: []string{"A"}, Seq: 1}); errCode(err) != "question_not_in_attempt" {
		t.Fatalf("a question not on the paper: %v", err)
	}
	if _, err := f.svc.Answer(a, t1, 1, attempt.Answer{Given: []string{"Z"}, Seq: 3}); errCode(err) != "invalid_input" {
		t.Fatalf("an option that does not exist: %v", err)
	}

	// ---- late arrival: C comes at 09:16, entry closed at 09:15
	f.clock.Advance(16 * time.Minute)
	if chk, err := f.svc.CheckTicket(f.p1, 100, "2026120100000003"); err != nil || !chk.Late {
		t.Fatalf("late ticket check: %+v %v", chk, err)
	}
	if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1003, Admit: true}); errCode(err) != "late_arrival" {
		t.Fatalf("late check-in: %v", err)
	}

	// ---- seat map (A's terminal keeps answering)
	if _, err := f.svc.Answer(a, t1, 2, attempt.Answer{Given: []string{"A"}, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.SeatMap(f.p1, 100)
	if err != nil {
		t.Fatal(err)
	}
	states := map[int64]string{}
	for _, l := range m.Lines {
		states[l.BookingID] = l.State
	}
	want := map[int64]string{1001: proctoring.StateAnswering, 1002: proctoring.StateRefused, 1003: proctoring.StateNotArrived, 1004: proctoring.StateNotArrived}
	if !mapsEqual(states, want) {
		t.Fatalf("seat map %v, want %v", states, want)
	}
	if l := m.Lines[0]; l.Answered != 2 || l.Total != 6 {
		t.Fatalf("progress on the map: %+v", l)
	}

	// ---- move A from seat 1 to seat 3 mid-exam; the old terminal is refused
	if _, err := f.svc.Move(f.p1, 100, 1001, term3.ID, ""); errCode(err) != "invalid_input" {
		t.Fatalf("move without reason: %v", err)
	}
	if _, err := f.svc.Move(f.p2, 100, 1001, term3.ID, "x"); errCode(err) != "not_found" {
		t.Fatalf("move by another centre: %v", err)
	}
	if line, err := f.svc.Move(f.p1, 100, 1001, term3.ID, "键盘故障"); err != nil || line.TerminalSeat != 3 {
		t.Fatalf("move: %+v %v", line, err)
	}
	if _, err := f.svc.Answer(a, t1, 2, attempt.Answer{Given: []string{"A"}, Seq: 1}); errCode(err) != "wrong_terminal" {
		t.Fatalf("the old terminal still answers: %v", err)
	}
	if _, _, err := f.svc.Login(context.Background(), t1, "2026120100000001", idA, "", ""); errCode(err) != "wrong_terminal" {
		t.Fatalf("login on the old terminal: %v", err)
	}
	if _, _, err := f.svc.Login(context.Background(), t3, "2026120100000001", idA, "", ""); err != nil {
		t.Fatal(err)
	}
	moved, err := f.svc.Paper(a, t3)
	if err != nil || moved.ID != v.ID || moved.Questions[0].Given[0] != "C" {
		t.Fatalf("resume on the new terminal: %v", err)
	}

	// ---- extend A by 5 minutes (audited), then submit twice: one result
	if _, err := f.svc.Extend(f.p1, 100, 1001, 5, ""); errCode(err) != "invalid_input" {
		t.Fatalf("extend without reason: %v", err)
	}
	if line, err := f.svc.Extend(f.p1, 100, 1001, 5, "终端故障"); err != nil || !line.Deadline.Equal(v.Deadline.Add(5*time.Minute)) {
		t.Fatalf("extend: %+v %v", line, err)
	}
	for _, qid := range []int64{2, 3, 4, 5, 6} {
		given := "A"
		if qid > 4 {
			given = "B"
		}
		if _, err := f.svc.Answer(a, t3, qid, attempt.Answer{Given: []string{given}, Seq: 1}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.svc.Submit(a, t3)
	if err != nil || !res.Submitted() || res.Sections[0].Score != 75 || res.Sections[1].Score != 100 {
		t.Fatalf("submit: %+v %v", res.Attempt, err)
	}
	res2, err := f.svc.Submit(a, t3)
	if err != nil || !res2.SubmittedAt.Equal(res.SubmittedAt) || res2.Sections[0].Score != 75 {
		t.Fatalf("second submit: %+v %v", res2.Attempt, err)
	}
	if _, err := f.svc.Answer(a, t3, 1, attempt.Answer{Given: []string{"A"}, Seq: 9}); errCode(err) != "attempt_submitted" {
		t.Fatalf("answer after submit: %v", err)
	}

	// ---- notes; end: D never came and is marked absent
	if _, err := f.svc.Note(f.p1, 100, 0, ""); errCode(err) != "invalid_input" {
		t.Fatalf("empty note: %v", err)
	}
	if _, err := f.svc.Note(f.p1, 100, 1001, "考生更换座位"); err != nil {
		t.Fatal(err)
	}
	end, err := f.svc.End(f.p1, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	states = map[int64]string{}
	for _, l := range end.Lines {
		states[l.BookingID] = l.State
	}
	want = map[int64]string{1001: proctoring.StateSubmitted, 1002: proctoring.StateRefused, 1003: proctoring.StateAbsent, 1004: proctoring.StateAbsent}
	if !mapsEqual(states, want) {
		t.Fatalf("after the end %v, want %v", states, want)
	}
	if _, err := f.svc.End(f.p1, 100, ""); errCode(err) != "session_ended" {
		t.Fatalf("second end: %v", err)
	}
	if _, _, err := f.svc.Login(context.Background(), t3, "2026120100000001", idA, "", ""); errCode(err) != "session_ended" {
		t.Fatalf("login after the end: %v", err)
	}
	if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: 1003, Reason: "x"}); errCode(err) != "session_ended" {
		t.Fatalf("decide after the end: %v", err)
	}
	if !slices.Equal(f.book.events, []string{"checked_in:1001", "started:100", "closed:100"}) {
		t.Fatalf("booking was told %v", f.book.events)
	}
	// Who did what, when, why.
	recs, _, err := f.audit.List(f.p1, audit.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		if strings.HasPrefix(r.Action, "proctoring.") && r.Action != "proctoring.terminal.enrol" {
			actions = append(actions, r.Action)
			if r.ActorID != 901 || r.At.IsZero() {
				t.Fatalf("audit entry without its actor: %+v", r)
			}
		}
	}
	slices.Sort(actions)
	wantActions := []string{"proctoring.check_in", "proctoring.extend", "proctoring.incident", "proctoring.move", "proctoring.refuse", "proctoring.session.end", "proctoring.session.start"}
	if !slices.Equal(actions, wantActions) {
		t.Fatalf("audited %v, want %v", actions, wantActions)
	}
}

// The server submits at the deadline by itself; the finish time is the
// deadline, the seat map and a reload on the terminal show it submitted;
// a proctor's end of session submits whoever is left.
func TestDeadlineAndEndSubmit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t1, _ := f.enrol(t, f.p1, 10, 1)
	t2, _ := f.enrol(t, f.p1, 10, 2)
	for _, id := range []int64{1001, 1002} {
		if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: id, Admit: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Start(f.p1, 100); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		term, ticket, id string
		cand             int64
	}{{t1, "2026120100000001", idA, 11}, {t2, "2026120100000002", idB, 12}} {
		if _, _, err := f.svc.Login(context.Background(), l.term, l.ticket, l.id, "", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Paper(examCtx(l.cand), l.term); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := f.svc.Paper(examCtx(11), t1)
	if _, err := f.svc.Answer(examCtx(11), t1, 1, attempt.Answer{Given: []string{"A"}, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	// B's terminal goes silent; A stops answering.
	f.clock.Advance(11 * time.Minute)
	if _, err := f.svc.TerminalOf(context.Background(), t1); err != nil {
		t.Fatal(err)
	}
	m, _ := f.svc.SeatMap(f.p1, 100)
	if m.Lines[0].State != proctoring.StateIdle || m.Lines[1].State != proctoring.StateDisconnected {
		t.Fatalf("idle / disconnected: %s %s", m.Lines[0].State, m.Lines[1].State)
	}
	f.clock.Advance(80 * time.Minute) // 1 minute past A's deadline
	if n, err := f.attempts.SubmitDue(context.Background(), 10); err != nil || n != 2 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	got, err := f.svc.Paper(examCtx(11), t1)
	if err != nil || !got.Submitted() || got.Reason != attempt.ReasonDeadline || !got.SubmittedAt.Equal(v.Deadline) {
		t.Fatalf("after the deadline: %+v %v (deadline %v)", got.Attempt, err, v.Deadline)
	}
	if _, err := f.svc.Answer(examCtx(11), t1, 2, attempt.Answer{Given: []string{"A"}, Seq: 1}); errCode(err) != "deadline_passed" {
		t.Fatalf("answer after the deadline: %v", err)
	}
	if _, err := f.svc.ForceSubmit(f.p1, 100, 1003, "x"); errCode(err) != "not_found" {
		t.Fatalf("force-submit of an undecided booking: %v", err)
	}
}

func TestForceSubmitAndEndSubmitOpenAttempts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t1, _ := f.enrol(t, f.p1, 10, 1)
	t2, _ := f.enrol(t, f.p1, 10, 2)
	for _, id := range []int64{1001, 1002} {
		if _, err := f.svc.Decide(f.p1, 100, proctoring.Decision{BookingID: id, Admit: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.ForceSubmit(f.p1, 100, 1001, "作弊"); errCode(err) != "no_attempt" {
		t.Fatalf("force-submit before the paper: %v", err)
	}
	if _, err := f.svc.Start(f.p1, 100); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		term, ticket, id string
		cand             int64
	}{{t1, "2026120100000001", idA, 11}, {t2, "2026120100000002", idB, 12}} {
		if _, _, err := f.svc.Login(context.Background(), l.term, l.ticket, l.id, "", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Paper(examCtx(l.cand), l.term); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.ForceSubmit(f.p1, 100, 1001, ""); errCode(err) != "invalid_input" {
		t.Fatalf("force-submit without reason: %v", err)
	}
	line, err := f.svc.ForceSubmit(f.p1, 100, 1001, "违纪")
	if err != nil || line.State != proctoring.StateSubmitted {
		t.Fatalf("force-submit: %+v %v", line, err)
	}
	got, _ := f.svc.Paper(examCtx(11), t1)
	if got.Reason != attempt.ReasonProctor {
		t.Fatalf("reason %q", got.Reason)
	}
	end, err := f.svc.End(f.p1, 100, "考试结束")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range end.Lines {
		if l.BookingID == 1002 && l.State != proctoring.StateSubmitted {
			t.Fatalf("end left B's attempt open: %+v", l)
		}
	}
	if _, err := f.svc.Paper(examCtx(12), t2); errCode(err) != "session_ended" {
		t.Fatalf("paper after the end: %v", err)
	}
}

func mapsEqual(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
