package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/attempt"
	"taxiexam/exam/proctoring"
	"taxiexam/internal/platform/apperr"
)

// ---- exam day: proctor console and exam terminals (exam/proctoring) ----

// terminalCookie holds an enrolled exam terminal's credential. It is only
// sent to the terminal routes.
const (
	terminalCookie     = "examd_terminal"
	terminalCookiePath = "/api/v1/terminal"
	terminalCookieTTL  = 400 * 24 * time.Hour // browsers cap cookies near 400 days
)

// ExamSessionJSON is a session as the proctor console lists it.
type ExamSessionJSON struct {
	ID              int64     `json:"id"`
	CentreID        int64     `json:"centre_id"`
	CentreName      string    `json:"centre_name"`
	RoomID          int64     `json:"room_id"`
	RoomName        string    `json:"room_name"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Status          string    `json:"status" doc:"booking's session status"`
}

// SeatLineJSON is one booked candidate on the roster and the seat map.
type SeatLineJSON struct {
	BookingID      int64      `json:"booking_id"`
	CandidateID    int64      `json:"candidate_id"`
	TicketNo       string     `json:"ticket_no"`
	Seat           int        `json:"seat"`
	Name           string     `json:"name"`
	IDNumberMasked string     `json:"id_number_masked"`
	HasPhoto       bool       `json:"has_photo"`
	State          string     `json:"state" doc:"not_arrived | refused | absent | checked_in | answering | idle | disconnected | submitted"`
	Reason         string     `json:"reason,omitempty"`
	TerminalID     int64      `json:"terminal_id"`
	TerminalSeat   int        `json:"terminal_seat" doc:"seat of the terminal the candidate sits at (after a move it differs from seat)"`
	AttemptID      int64      `json:"attempt_id"`
	Answered       int        `json:"answered"`
	Total          int        `json:"total"`
	LastAnswerAt   *time.Time `json:"last_answer_at"`
	Deadline       *time.Time `json:"deadline"`
	Passed         *bool      `json:"passed" doc:"once submitted"`
	Score          *int       `json:"score" doc:"percent over the subjects sat, once submitted"`
	Subjects       []string   `json:"subjects"`
}

// RunJSON is a session's start and end on exam day.
type RunJSON struct {
	StartedAt *time.Time `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
}

// SeatMapJSON is the live state of a session.
type SeatMapJSON struct {
	Session   ExamSessionJSON `json:"session"`
	Run       RunJSON         `json:"run"`
	ServerNow time.Time       `json:"server_now"`
	Lines     []SeatLineJSON  `json:"lines"`
}

// DoorTicketRequest is what the proctor scanned or typed.
type DoorTicketRequest struct {
	Code string `json:"code" doc:"the QR payload (signature verified) or the ticket number typed by hand"`
}

// DoorTicketJSON is the candidate a ticket names, for the check-in screen.
type DoorTicketJSON struct {
	Line SeatLineJSON `json:"line"`
	Late bool         `json:"late" doc:"past the late-entry limit: check-in will be refused"`
}

// DoorDecisionRequest is the proctor's verdict at the door.
type DoorDecisionRequest struct {
	BookingID int64  `json:"booking_id"`
	Admit     bool   `json:"admit" doc:"true: identity confirmed, check in; false: refuse (reason required)"`
	Reason    string `json:"reason"`
}

// BookingReasonRequest names a booking with an optional or required reason.
type BookingReasonRequest struct {
	BookingID int64  `json:"booking_id"`
	Reason    string `json:"reason"`
}

// ExtendRequest gives one candidate more time.
type ExtendRequest struct {
	BookingID int64  `json:"booking_id"`
	Minutes   int    `json:"minutes" doc:"1-60"`
	Reason    string `json:"reason"`
}

// MoveRequest puts a candidate on another terminal of the room.
type MoveRequest struct {
	BookingID  int64  `json:"booking_id"`
	TerminalID int64  `json:"terminal_id"`
	Reason     string `json:"reason"`
}

// EndRequest ends a session.
type EndRequest struct {
	Reason string `json:"reason"`
}

// IncidentRequest adds a note.
type IncidentRequest struct {
	BookingID int64  `json:"booking_id" doc:"0 = about the whole session"`
	Note      string `json:"note"`
}

// IncidentJSON is a proctor's note.
type IncidentJSON struct {
	ID        int64     `json:"id"`
	BookingID int64     `json:"booking_id"`
	Note      string    `json:"note"`
	By        int64     `json:"by"`
	At        time.Time `json:"at"`
}

// TerminalJSON is an exam terminal.
type TerminalJSON struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status" doc:"pending | active | revoked"`
	Code       string     `json:"code,omitempty" doc:"enrolment code to show on the screen while pending"`
	CentreID   int64      `json:"centre_id"`
	RoomID     int64      `json:"room_id"`
	Seat       int        `json:"seat"`
	Name       string     `json:"name"`
	EnrolledAt *time.Time `json:"enrolled_at"`
	LastSeenAt *time.Time `json:"last_seen_at"`
}

// EnrolRequest binds the terminal showing Code to a seat.
type EnrolRequest struct {
	Code   string `json:"code"`
	RoomID int64  `json:"room_id"`
	Seat   int    `json:"seat"`
	Name   string `json:"name"`
}

// ReasonRequest carries a reason.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// ExamRoomJSON is an exam room.
type ExamRoomJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Seats int    `json:"seats"`
}

// TerminalLoginRequest is the candidate's login on an exam terminal.
type TerminalLoginRequest struct {
	TicketNo string `json:"ticket_no"`
	IDNumber string `json:"id_number"`
}

// TerminalLoginResponse names the seat the candidate sits at.
type TerminalLoginResponse struct {
	BookingID int64 `json:"booking_id"`
	Seat      int   `json:"seat"`
}

// ExamDayQuery selects the day's sessions.
type ExamDayQuery struct {
	CentreID int64 `form:"centre_id" json:"centre_id" doc:"bureau admins: the centre; proctors: their own (default)"`
}

func (s *Server) examSessionJSON(v proctoring.ExamSession) ExamSessionJSON {
	return ExamSessionJSON{ID: v.ID, CentreID: v.CentreID, CentreName: v.CentreName, RoomID: v.RoomID, RoomName: v.RoomName,
		StartsAt: s.at(v.StartsAt), DurationMinutes: v.DurationMinutes, Status: v.Status}
}

func (s *Server) seatLineJSON(l proctoring.SeatLine) SeatLineJSON {
	out := SeatLineJSON{BookingID: l.BookingID, CandidateID: l.CandidateID, TicketNo: l.TicketNo, Seat: l.Seat, Name: l.Name,
		IDNumberMasked: l.IDNumberMasked, HasPhoto: l.HasPhoto, State: l.State, Reason: l.Reason, TerminalID: l.TerminalID,
		TerminalSeat: l.TerminalSeat, AttemptID: l.AttemptID, Answered: l.Answered, Total: l.Total,
		LastAnswerAt: s.atPtr(l.LastAnswerAt), Deadline: s.atPtr(l.Deadline), Subjects: []string{}}
	for _, x := range l.Subjects {
		out.Subjects = append(out.Subjects, string(x))
	}
	if l.State == proctoring.StateSubmitted {
		passed, score := l.Passed, l.Score
		out.Passed, out.Score = &passed, &score
	}
	return out
}

func (s *Server) seatMapJSON(m proctoring.SeatMap) SeatMapJSON {
	return SeatMapJSON{Session: s.examSessionJSON(m.Session), Run: RunJSON{StartedAt: s.atPtr(m.Run.StartedAt), EndedAt: s.atPtr(m.Run.EndedAt)},
		ServerNow: s.at(m.Now), Lines: mapSlice(m.Lines, s.seatLineJSON)}
}

func (s *Server) terminalJSON(t proctoring.Terminal) TerminalJSON {
	return TerminalJSON{ID: t.ID, Status: t.Status, Code: t.Code, CentreID: t.CentreID, RoomID: t.RoomID, Seat: t.Seat, Name: t.Name,
		EnrolledAt: s.atPtr(t.EnrolledAt), LastSeenAt: s.atPtr(t.LastSeenAt)}
}

// ---- proctor console

func (s *Server) examDaySessions(c *gin.Context) (itemList[ExamSessionJSON], error) {
	var centre int64
	if v := c.Query("centre_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return itemList[ExamSessionJSON]{}, apperr.Invalid(apperr.Fields{"centre_id": apperr.Positive()})
		}
		centre = n
	}
	list, err := s.deps.Proctoring.Today(c.Request.Context(), centre)
	return itemList[ExamSessionJSON]{Items: mapSlice(list, s.examSessionJSON)}, err
}

func (s *Server) seatMap(c *gin.Context, id int64) (SeatMapJSON, error) {
	m, err := s.deps.Proctoring.SeatMap(c.Request.Context(), id)
	c.Header("Cache-Control", "no-store")
	return s.seatMapJSON(m), err
}

func (s *Server) checkDoorTicket(c *gin.Context, id int64, req DoorTicketRequest) (DoorTicketJSON, error) {
	chk, err := s.deps.Proctoring.CheckTicket(c.Request.Context(), id, req.Code)
	return DoorTicketJSON{Line: s.seatLineJSON(chk.Line), Late: chk.Late}, err
}

func (s *Server) decideAtDoor(c *gin.Context, id int64, req DoorDecisionRequest) (SeatLineJSON, error) {
	l, err := s.deps.Proctoring.Decide(c.Request.Context(), id, proctoring.Decision{BookingID: req.BookingID, Admit: req.Admit, Reason: req.Reason})
	return s.seatLineJSON(l), err
}

func (s *Server) markAbsent(c *gin.Context, id int64, req BookingReasonRequest) (SeatLineJSON, error) {
	l, err := s.deps.Proctoring.MarkAbsent(c.Request.Context(), id, req.BookingID, req.Reason)
	return s.seatLineJSON(l), err
}

func (s *Server) startSession(c *gin.Context, id int64) (RunJSON, error) {
	r, err := s.deps.Proctoring.Start(c.Request.Context(), id)
	return RunJSON{StartedAt: s.atPtr(r.StartedAt), EndedAt: s.atPtr(r.EndedAt)}, err
}

func (s *Server) endSession(c *gin.Context, id int64, req EndRequest) (SeatMapJSON, error) {
	m, err := s.deps.Proctoring.End(c.Request.Context(), id, req.Reason)
	return s.seatMapJSON(m), err
}

func (s *Server) extendSitting(c *gin.Context, id int64, req ExtendRequest) (SeatLineJSON, error) {
	l, err := s.deps.Proctoring.Extend(c.Request.Context(), id, req.BookingID, req.Minutes, req.Reason)
	return s.seatLineJSON(l), err
}

func (s *Server) moveSitting(c *gin.Context, id int64, req MoveRequest) (SeatLineJSON, error) {
	l, err := s.deps.Proctoring.Move(c.Request.Context(), id, req.BookingID, req.TerminalID, req.Reason)
	return s.seatLineJSON(l), err
}

func (s *Server) forceSubmitSitting(c *gin.Context, id int64, req BookingReasonRequest) (SeatLineJSON, error) {
	l, err := s.deps.Proctoring.ForceSubmit(c.Request.Context(), id, req.BookingID, req.Reason)
	return s.seatLineJSON(l), err
}

func (s *Server) addIncident(c *gin.Context, id int64, req IncidentRequest) (IncidentJSON, error) {
	in, err := s.deps.Proctoring.Note(c.Request.Context(), id, req.BookingID, req.Note)
	return IncidentJSON{ID: in.ID, BookingID: in.BookingID, Note: in.Note, By: in.By, At: s.at(in.At)}, err
}

func (s *Server) listIncidents(c *gin.Context, id int64) (itemList[IncidentJSON], error) {
	list, err := s.deps.Proctoring.Incidents(c.Request.Context(), id)
	return itemList[IncidentJSON]{Items: mapSlice(list, func(in proctoring.Incident) IncidentJSON {
		return IncidentJSON{ID: in.ID, BookingID: in.BookingID, Note: in.Note, By: in.By, At: s.at(in.At)}
	})}, err
}

func (s *Server) sittingPhoto(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	bid, err := pathID(c, "booking_id")
	if err != nil {
		fail(c, err)
		return
	}
	b, ctype, err := s.deps.Proctoring.Photo(c.Request.Context(), id, bid)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, ctype, b)
}

func (s *Server) proctorRooms(c *gin.Context) (itemList[ExamRoomJSON], error) {
	list, err := s.deps.Proctoring.Rooms(c.Request.Context())
	return itemList[ExamRoomJSON]{Items: mapSlice(list, func(r proctoring.Room) ExamRoomJSON { return ExamRoomJSON{ID: r.ID, Name: r.Name, Seats: r.Seats} })}, err
}

func (s *Server) listTerminals(c *gin.Context) (itemList[TerminalJSON], error) {
	list, err := s.deps.Proctoring.Terminals(c.Request.Context())
	return itemList[TerminalJSON]{Items: mapSlice(list, s.terminalJSON)}, err
}

func (s *Server) enrolTerminal(c *gin.Context, req EnrolRequest) (TerminalJSON, error) {
	t, err := s.deps.Proctoring.Enrol(c.Request.Context(), proctoring.Enrolment{Code: req.Code, RoomID: req.RoomID, Seat: req.Seat, Name: req.Name})
	return s.terminalJSON(t), err
}

func (s *Server) revokeTerminal(c *gin.Context, id int64, req ReasonRequest) (TerminalJSON, error) {
	t, err := s.deps.Proctoring.Revoke(c.Request.Context(), id, req.Reason)
	return s.terminalJSON(t), err
}

// ---- exam terminal

func terminalToken(c *gin.Context) string {
	v, _ := c.Cookie(terminalCookie)
	return v
}

// beginEnrolment registers this PC as a pending terminal. A PC that already
// holds a pending or active credential keeps it (a reload shows the same code).
func (s *Server) beginEnrolment(c *gin.Context) (TerminalJSON, error) {
	ctx := c.Request.Context()
	if t, err := s.deps.Proctoring.TerminalOf(ctx, terminalToken(c)); err == nil {
		return s.terminalJSON(t), nil
	}
	token, t, err := s.deps.Proctoring.BeginEnrolment(ctx)
	if err != nil {
		return TerminalJSON{}, err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: terminalCookie, Value: token, Path: terminalCookiePath, MaxAge: int(terminalCookieTTL.Seconds()),
		HttpOnly: true, Secure: s.deps.Config.Server.SecureCookies, SameSite: http.SameSiteStrictMode})
	return s.terminalJSON(t), nil
}

func (s *Server) thisTerminal(c *gin.Context) (TerminalJSON, error) {
	t, err := s.deps.Proctoring.TerminalOf(c.Request.Context(), terminalToken(c))
	c.Header("Cache-Control", "no-store")
	return s.terminalJSON(t), err
}

func (s *Server) terminalLogin(c *gin.Context, req TerminalLoginRequest) (TerminalLoginResponse, error) {
	token, st, err := s.deps.Proctoring.Login(c.Request.Context(), terminalToken(c), req.TicketNo, req.IDNumber, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		return TerminalLoginResponse{}, err
	}
	s.setSession(c, token, 12*time.Hour)
	return TerminalLoginResponse{BookingID: st.BookingID, Seat: st.Seat}, nil
}

func (s *Server) terminalPaper(c *gin.Context) (AttemptView, error) {
	v, err := s.deps.Proctoring.Paper(c.Request.Context(), terminalToken(c))
	c.Header("Cache-Control", "no-store")
	return s.attemptView(v), err
}

func (s *Server) terminalAnswer(c *gin.Context) {
	qid, err := pathID(c, "question_id")
	if err != nil {
		fail(c, attempt.ErrQuestionNotInPaper)
		return
	}
	var req AttemptAnswerRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	saved, err := s.deps.Proctoring.Answer(c.Request.Context(), terminalToken(c), qid, attempt.Answer{Given: req.Given, Seq: req.Seq, Marked: req.Marked})
	respond(c, AttemptAnswerSaved{QuestionID: saved.QuestionID, Given: letters(saved.Given), Seq: saved.Seq, Marked: saved.Marked, Applied: saved.Applied}, err)
}

func (s *Server) terminalSubmit(c *gin.Context) (AttemptView, error) {
	v, err := s.deps.Proctoring.Submit(c.Request.Context(), terminalToken(c))
	return s.attemptView(v), err
}
