package api

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/booking"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
)

// ---- request and response types: exam centres, sessions and booking ----

// CentreJSON is an exam centre.
type CentreJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	MapURL   string `json:"map_url"`
	Phone    string `json:"phone"`
	Notes    string `json:"notes" doc:"opening notes shown on the ticket"`
	Disabled bool   `json:"disabled"`
	Version  int    `json:"version"`
}

// CentreRequest creates or edits a centre.
type CentreRequest struct {
	Version  int    `json:"version" doc:"edits only: the version you read"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	MapURL   string `json:"map_url"`
	Phone    string `json:"phone"`
	Notes    string `json:"notes"`
	Disabled bool   `json:"disabled"`
}

// SeatJSON is one numbered seat.
type SeatJSON struct {
	Number   int  `json:"number"`
	Disabled bool `json:"disabled"`
}

// RoomJSON is a room with its seats.
type RoomJSON struct {
	ID        int64      `json:"id"`
	CentreID  int64      `json:"centre_id"`
	Name      string     `json:"name"`
	OpenSeats int        `json:"open_seats"`
	Seats     []SeatJSON `json:"seats"`
	Version   int        `json:"version"`
}

// RoomRequest creates or edits a room: seats are numbered 1..seats.
type RoomRequest struct {
	Version  int    `json:"version" doc:"edits only"`
	Name     string `json:"name"`
	Seats    int    `json:"seats" doc:"1-500"`
	Disabled []int  `json:"disabled" doc:"seat numbers out of use"`
}

// SessionJSON is a session with its counters.
type SessionJSON struct {
	ID              int64     `json:"id"`
	CentreID        int64     `json:"centre_id"`
	CentreName      string    `json:"centre_name"`
	CentreAddress   string    `json:"centre_address"`
	RoomID          int64     `json:"room_id"`
	RoomName        string    `json:"room_name"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	DurationMinutes int       `json:"duration_minutes" doc:"from the formal blueprint"`
	Capacity        int       `json:"capacity"`
	Booked          int       `json:"booked"`
	Held            int       `json:"held" doc:"seats held for a waitlist offer"`
	Free            int       `json:"free"`
	Waiting         int       `json:"waiting" doc:"candidates on the waitlist"`
	Status          string    `json:"status" doc:"draft | published | checkin_open | in_progress | closed | cancelled"`
	Mode            string    `json:"mode" doc:"first_come | preference"`
	RoundID         int64     `json:"round_id" doc:"the preference round it is released in (0 = none)"`
	Bookable        bool      `json:"bookable" doc:"open for first-come booking now (published, before the cutoff)"`
	Version         int       `json:"version"`
}

// SessionRequest creates or edits a session.
type SessionRequest struct {
	Version  int    `json:"version" doc:"edits only"`
	RoomID   int64  `json:"room_id" doc:"creation only"`
	Date     string `json:"date" doc:"2006-01-02, bureau time"`
	Time     string `json:"time" doc:"15:04, bureau time"`
	Capacity int    `json:"capacity" doc:"0 = every open seat of the room"`
	Mode     string `json:"mode" doc:"first_come (default) | preference"`
}

// SessionStatusRequest moves a session along its status machine.
type SessionStatusRequest struct {
	Status  string `json:"status" doc:"published | checkin_open | in_progress | closed | cancelled"`
	Version int    `json:"version"`
}

// CancelSessionRequest cancels a session (SMS to every booked candidate).
type CancelSessionRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// BulkSessionsRequest is a repeating pattern of sessions.
type BulkSessionsRequest struct {
	CentreID int64    `json:"centre_id"`
	RoomIDs  []int64  `json:"room_ids"`
	From     string   `json:"from" doc:"first date, 2006-01-02"`
	To       string   `json:"to" doc:"last date, inclusive"`
	Weekdays []int    `json:"weekdays" doc:"0 = Sunday ... 6 = Saturday"`
	Times    []string `json:"times" doc:"start times, 15:04"`
	Capacity int      `json:"capacity" doc:"0 = every open seat"`
	Mode     string   `json:"mode"`
	Publish  bool     `json:"publish" doc:"create them published instead of draft"`
}

// BulkItemJSON is one session a bulk creation would make.
type BulkItemJSON struct {
	RoomID          int64     `json:"room_id"`
	RoomName        string    `json:"room_name"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Capacity        int       `json:"capacity"`
	Clash           bool      `json:"clash" doc:"the room already has a session then: skipped"`
}

// SessionsQuery filters the session lists.
type SessionsQuery struct {
	CentreID int64  `form:"centre_id" json:"centre_id"`
	From     string `form:"from" json:"from" doc:"first day, 2006-01-02"`
	To       string `form:"to" json:"to" doc:"last day, inclusive"`
	Status   string `form:"status" json:"status" doc:"one status, or several separated by commas"`
	Mode     string `form:"mode" json:"mode" doc:"first_come or preference"`
	// Unrounded: only sessions not yet released in a preference round.
	Unrounded bool `form:"unrounded" json:"unrounded"`
	Page      int  `form:"page" json:"page"`
	PageSize  int  `form:"page_size" json:"page_size"`
}

// BookingRules are the rules the candidate confirms.
type BookingRules struct {
	CutoffHours           int    `json:"cutoff_hours" doc:"booking, rescheduling and cancelling close this long before the start"`
	MaxCancellations      int    `json:"max_cancellations"`
	WindowDays            int    `json:"window_days"`
	CoolingOffDays        int    `json:"cooling_off_days"`
	OfferHoldMinutes      int    `json:"offer_hold_minutes"`
	Bring                 string `json:"bring"`
	SeatAssignedAtBooking bool   `json:"seat_assigned_at_booking"`
}

// EligibilityJSON says whether the candidate may book.
type EligibilityJSON struct {
	MayBook  bool     `json:"may_book"`
	Reason   string   `json:"reason" doc:"error code when may_book is false (booking_not_approved...)"`
	Subjects []string `json:"subjects"`
}

// BookingJSON is one booking.
type BookingJSON struct {
	ID          int64      `json:"id"`
	SessionID   int64      `json:"session_id"`
	SeatNumber  int        `json:"seat_number"`
	TicketNo    string     `json:"ticket_no"`
	Status      string     `json:"status" doc:"booked | cancelled | rescheduled | session_cancelled | checked_in | absent | sat"`
	ReplacesID  int64      `json:"replaces_id"`
	CreatedAt   time.Time  `json:"created_at"`
	ChangedAt   time.Time  `json:"changed_at"`
	CheckedInAt *time.Time `json:"checked_in_at"`
}

// TicketJSON is the admission ticket (准考证) of an active booking.
type TicketJSON struct {
	TicketNo      string `json:"ticket_no"`
	Code          string `json:"code" doc:"the QR payload: TK1.<ticket no>.<key id>.<base64url Ed25519 signature>"`
	Name          string `json:"name"`
	IDNumber      string `json:"id_number" doc:"masked"`
	ApplicationID int64  `json:"application_id" doc:"the photo is /api/v1/me/applications/{id}/photo"`
	HasPhoto      bool   `json:"has_photo"`
	Bring         string `json:"bring"`
	MapURL        string `json:"map_url"`
	Notes         string `json:"notes"`
}

// WaiterJSON is one waitlist entry.
type WaiterJSON struct {
	ID           int64        `json:"id"`
	SessionID    int64        `json:"session_id"`
	Status       string       `json:"status" doc:"waiting | offered | accepted | expired | left"`
	Priority     bool         `json:"priority" doc:"the bureau cancelled this candidate's session: goes first"`
	OfferExpires *time.Time   `json:"offer_expires"`
	Ahead        int          `json:"ahead" doc:"entries before this one"`
	Session      *SessionJSON `json:"session"`
}

// BookingHome is the candidate's booking page and home card: may they
// book, their booking (with ticket while it holds a seat), their waitlist.
type BookingHome struct {
	Eligibility EligibilityJSON `json:"eligibility"`
	Booking     *BookingJSON    `json:"booking" doc:"the current booking, or the one that ended last; null if never booked"`
	Session     *SessionJSON    `json:"session"`
	Ticket      *TicketJSON     `json:"ticket" doc:"only while the booking holds a seat"`
	Waitlist    []WaiterJSON    `json:"waitlist"`
}

// BookRequest names a session to book or move to.
type BookRequest struct {
	SessionID int64 `json:"session_id"`
}

// RosterLineJSON is one line of a session's roster (masked).
type RosterLineJSON struct {
	SeatNumber int    `json:"seat_number"`
	TicketNo   string `json:"ticket_no"`
	Name       string `json:"name"`
	IDNumber   string `json:"id_number"`
	Phone      string `json:"phone"`
	Status     string `json:"status"`
}

// RosterJSON is a session with its roster.
type RosterJSON struct {
	Session SessionJSON      `json:"session"`
	Items   []RosterLineJSON `json:"items"`
}

// DayStatJSON counts one centre's day.
type DayStatJSON struct {
	CentreID int64  `json:"centre_id"`
	Day      string `json:"day"`
	Sessions int    `json:"sessions"`
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked" doc:"still booked (not closed yet)"`
	Sat      int    `json:"sat"`
	Absent   int    `json:"absent"`
}

// TicketCheckRequest is a scanned ticket QR code.
type TicketCheckRequest struct {
	Code string `json:"code"`
}

// TicketCheckJSON is a verified ticket's booking and session.
type TicketCheckJSON struct {
	Booking BookingJSON `json:"booking"`
	Session SessionJSON `json:"session"`
}

// ClockRequest moves the test clock forward.
type ClockRequest struct {
	AdvanceMinutes int `json:"advance_minutes" doc:"1 to 525600"`
}

// ClockJSON is the server's time.
type ClockJSON struct {
	Now time.Time `json:"now"`
}

// ---- conversions ----

func centreJSON(c booking.Centre) CentreJSON {
	return CentreJSON{ID: c.ID, Name: c.Name, Address: c.Address, MapURL: c.MapURL, Phone: c.Phone, Notes: c.Notes, Disabled: c.Disabled, Version: c.Version}
}

func roomJSON(r booking.Room) RoomJSON {
	return RoomJSON{ID: r.ID, CentreID: r.CentreID, Name: r.Name, OpenSeats: r.OpenSeats(), Version: r.Version,
		Seats: mapSlice(r.Seats, func(s booking.Seat) SeatJSON { return SeatJSON{Number: s.Number, Disabled: s.Disabled} })}
}

func (s *Server) sessionJSON(v booking.SessionView) SessionJSON {
	return SessionJSON{ID: v.ID, CentreID: v.CentreID, CentreName: v.CentreName, CentreAddress: v.CentreAddress, RoomID: v.RoomID, RoomName: v.RoomName,
		StartsAt: s.at(v.StartsAt), EndsAt: s.at(v.EndsAt()), DurationMinutes: v.DurationMinutes, Capacity: v.Capacity, Booked: v.Booked, Held: v.Held,
		Free: v.Free(), Waiting: v.Waiting, Status: string(v.Status), Mode: v.Mode, RoundID: v.RoundID, Bookable: s.deps.Booking.Bookable(v.Session), Version: v.Version}
}

func (s *Server) plainSessionJSON(v booking.Session) SessionJSON {
	return s.sessionJSON(booking.SessionView{Session: v})
}

func (s *Server) bookingJSON(b booking.Booking) BookingJSON {
	return BookingJSON{ID: b.ID, SessionID: b.SessionID, SeatNumber: b.SeatNumber, TicketNo: b.TicketNo, Status: string(b.Status), ReplacesID: b.ReplacesID,
		CreatedAt: s.at(b.CreatedAt), ChangedAt: s.at(b.ChangedAt), CheckedInAt: s.atPtr(b.CheckedInAt)}
}

func ptr[T any](v T) *T { return &v }

// ---- candidate ----

func (s *Server) bookingRules(c *gin.Context) (BookingRules, error) {
	r := s.deps.Booking.Rules()
	return BookingRules{CutoffHours: r.CutoffHours, MaxCancellations: r.MaxReleases, WindowDays: r.ReleaseWindowDays, CoolingOffDays: r.CoolingOffDays,
		OfferHoldMinutes: r.OfferHoldMinutes, Bring: r.Bring, SeatAssignedAtBooking: true}, nil
}

func (s *Server) bookingCentres(c *gin.Context) (itemList[CentreJSON], error) {
	list, err := s.deps.Booking.Centres(c.Request.Context(), false)
	return itemList[CentreJSON]{Items: mapSlice(list, centreJSON)}, err
}

func (s *Server) bookingCalendar(c *gin.Context) (itemList[SessionJSON], error) {
	bad := apperr.Fields{}
	centre := queryInt(c, bad, "centre_id", 0, rsnCentreID)
	if err := bad.Err(); err != nil {
		return itemList[SessionJSON]{}, err
	}
	from, to, err := s.dateRange(c)
	if err != nil {
		return itemList[SessionJSON]{}, err
	}
	list, err := s.deps.Booking.Calendar(c.Request.Context(), centre, from, to)
	return itemList[SessionJSON]{Items: mapSlice(list, s.sessionJSON)}, err
}

func (s *Server) bookingHome(c *gin.Context) (BookingHome, error) {
	ctx := c.Request.Context()
	svc := s.deps.Booking
	e, err := svc.MyEligibility(ctx)
	if err != nil {
		return BookingHome{}, err
	}
	out := BookingHome{Eligibility: EligibilityJSON{MayBook: e.MayBook, Reason: e.Reason, Subjects: nonNil(e.Subjects)}, Waitlist: []WaiterJSON{}}
	m, err := svc.Mine(ctx)
	switch {
	case err == nil:
		out.Booking, out.Session = ptr(s.bookingJSON(m.Booking)), ptr(s.sessionJSON(m.Session))
		if m.Ticket != "" {
			t, err := s.ticketJSON(c, m)
			if err != nil {
				return BookingHome{}, err
			}
			out.Ticket = &t
		}
	case !apperr.ErrNotFound.Is(err) && err != booking.ErrNoBooking:
		return BookingHome{}, err
	}
	ws, err := svc.MyWaitlist(ctx)
	if err != nil {
		return BookingHome{}, err
	}
	out.Waitlist = mapSlice(ws, s.waiterJSON)
	return out, nil
}

func (s *Server) ticketJSON(c *gin.Context, m booking.MyBooking) (TicketJSON, error) {
	ctx := c.Request.Context()
	p, err := s.deps.Booking.Person(ctx)
	if err != nil {
		return TicketJSON{}, err
	}
	centre, err := s.deps.Booking.Centre(ctx, m.Session.CentreID)
	if err != nil {
		return TicketJSON{}, err
	}
	return TicketJSON{TicketNo: m.Booking.TicketNo, Code: m.Ticket, Name: p.Name, IDNumber: pii.MaskIDNumber(p.IDNumber), ApplicationID: p.ApplicationID,
		HasPhoto: p.HasPhoto, Bring: s.deps.Booking.Rules().Bring, MapURL: centre.MapURL, Notes: centre.Notes}, nil
}

func (s *Server) waiterJSON(w booking.WaiterView) WaiterJSON {
	return WaiterJSON{ID: w.ID, SessionID: w.SessionID, Status: string(w.Status), Priority: w.Priority, OfferExpires: s.atPtr(w.OfferExpires),
		Ahead: w.Ahead, Session: ptr(s.sessionJSON(w.Session))}
}

func (s *Server) book(c *gin.Context, req BookRequest) (BookingHome, error) {
	if _, err := s.deps.Booking.Book(c.Request.Context(), req.SessionID); err != nil {
		return BookingHome{}, sessionField(err, req.SessionID)
	}
	return s.bookingHome(c)
}

func (s *Server) reschedule(c *gin.Context, req BookRequest) (BookingHome, error) {
	if _, err := s.deps.Booking.Reschedule(c.Request.Context(), req.SessionID); err != nil {
		return BookingHome{}, sessionField(err, req.SessionID)
	}
	return s.bookingHome(c)
}

// sessionField names session_id in a not-found answer about it.
func sessionField(err error, id int64) error {
	if apperr.ErrNotFound.Is(err) {
		return apperr.ErrNotFound.WithField("session_id", rsnNoSession.With("id", id))
	}
	return err
}

func (s *Server) cancelBooking(c *gin.Context) (BookingHome, error) {
	if err := s.deps.Booking.Cancel(c.Request.Context()); err != nil {
		return BookingHome{}, err
	}
	return s.bookingHome(c)
}

func (s *Server) ticketQRPNG(c *gin.Context) {
	bad := apperr.Fields{}
	size := queryInt(c, bad, "size", math.MinInt64, rsnPixels)
	if err := bad.Err(); err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Booking.TicketQRPNG(c.Request.Context(), int(size))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/png", b)
}

func (s *Server) joinWaitlist(c *gin.Context, req BookRequest) (BookingHome, error) {
	if _, err := s.deps.Booking.JoinWaitlist(c.Request.Context(), req.SessionID); err != nil {
		return BookingHome{}, sessionField(err, req.SessionID)
	}
	return s.bookingHome(c)
}

func (s *Server) leaveWaitlist(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Booking.LeaveWaitlist(c.Request.Context(), id)
}

func (s *Server) acceptOffer(c *gin.Context, id int64) (BookingHome, error) {
	if _, err := s.deps.Booking.AcceptOffer(c.Request.Context(), id); err != nil {
		return BookingHome{}, err
	}
	return s.bookingHome(c)
}

// ---- bureau ----

func (s *Server) adminCentres(c *gin.Context) (itemList[CentreJSON], error) {
	list, err := s.deps.Booking.Centres(c.Request.Context(), true)
	return itemList[CentreJSON]{Items: mapSlice(list, centreJSON)}, err
}

func centreIn(req CentreRequest) booking.Centre {
	return booking.Centre{Name: req.Name, Address: req.Address, MapURL: req.MapURL, Phone: req.Phone, Notes: req.Notes, Disabled: req.Disabled, Version: req.Version}
}

func (s *Server) createCentre(c *gin.Context, req CentreRequest) (CentreJSON, error) {
	x, err := s.deps.Booking.CreateCentre(c.Request.Context(), centreIn(req))
	return centreJSON(x), err
}

func (s *Server) updateCentre(c *gin.Context, id int64, req CentreRequest) (CentreJSON, error) {
	x, err := s.deps.Booking.UpdateCentre(c.Request.Context(), id, centreIn(req))
	return centreJSON(x), err
}

func (s *Server) centreRooms(c *gin.Context, id int64) (itemList[RoomJSON], error) {
	list, err := s.deps.Booking.Rooms(c.Request.Context(), id)
	return itemList[RoomJSON]{Items: mapSlice(list, roomJSON)}, err
}

func roomIn(req RoomRequest) booking.RoomInput {
	return booking.RoomInput{Name: req.Name, Seats: req.Seats, Disabled: req.Disabled, Version: req.Version}
}

func (s *Server) createRoom(c *gin.Context, id int64, req RoomRequest) (RoomJSON, error) {
	r, err := s.deps.Booking.CreateRoom(c.Request.Context(), id, roomIn(req))
	return roomJSON(r), err
}

func (s *Server) updateRoom(c *gin.Context, id int64, req RoomRequest) (RoomJSON, error) {
	r, err := s.deps.Booking.UpdateRoom(c.Request.Context(), id, roomIn(req))
	return roomJSON(r), err
}

func (s *Server) adminSessions(c *gin.Context, p pageReq) ([]SessionJSON, int64, error) {
	bad := apperr.Fields{}
	centre := queryInt(c, bad, "centre_id", 0, rsnCentreID)
	mode := strings.TrimSpace(c.Query("mode"))
	bad.Check(mode == "" || mode == booking.ModeFirstCome || mode == booking.ModePreference, "mode", apperr.OneOf("first_come", "preference"))
	unrounded := c.Query("unrounded")
	bad.Check(unrounded == "" || unrounded == "true" || unrounded == "false", "unrounded", apperr.Bool())
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	from, to, err := s.dateRange(c)
	if err != nil {
		return nil, 0, err
	}
	f := booking.SessionFilter{CentreID: centre, From: from, To: to, Mode: mode, Unrounded: unrounded == "true", Offset: p.offset(), Limit: p.size}
	for _, st := range strings.Split(c.Query("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			f.Statuses = append(f.Statuses, booking.SessionStatus(st))
		}
	}
	list, total, err := s.deps.Booking.Sessions(c.Request.Context(), f)
	return mapSlice(list, s.sessionJSON), total, err
}

func (s *Server) createSession(c *gin.Context, req SessionRequest) (SessionJSON, error) {
	x, err := s.deps.Booking.CreateSession(c.Request.Context(), booking.SessionInput{RoomID: req.RoomID, Date: req.Date, Time: req.Time, Capacity: req.Capacity, Mode: req.Mode})
	if err != nil {
		return SessionJSON{}, err
	}
	return s.getSession(c, x.ID)
}

func (s *Server) getSession(c *gin.Context, id int64) (SessionJSON, error) {
	v, err := s.deps.Booking.Session(c.Request.Context(), id)
	return s.sessionJSON(v), err
}

func (s *Server) updateSession(c *gin.Context, id int64, req SessionRequest) (SessionJSON, error) {
	_, err := s.deps.Booking.UpdateSession(c.Request.Context(), id, booking.SessionInput{Date: req.Date, Time: req.Time, Capacity: req.Capacity, Mode: req.Mode, Version: req.Version})
	if err != nil {
		return SessionJSON{}, err
	}
	return s.getSession(c, id)
}

func (s *Server) deleteSession(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Booking.DeleteSession(c.Request.Context(), id)
}

func (s *Server) setSessionStatus(c *gin.Context, id int64, req SessionStatusRequest) (SessionJSON, error) {
	if _, err := s.deps.Booking.SetSessionStatus(c.Request.Context(), id, booking.SessionStatus(req.Status), req.Version); err != nil {
		return SessionJSON{}, err
	}
	return s.getSession(c, id)
}

func (s *Server) cancelSession(c *gin.Context, id int64, req CancelSessionRequest) (SessionJSON, error) {
	if _, err := s.deps.Booking.CancelSession(c.Request.Context(), id, req.Version, req.Reason); err != nil {
		return SessionJSON{}, err
	}
	return s.getSession(c, id)
}

func bulkIn(req BulkSessionsRequest) booking.BulkSessions {
	return booking.BulkSessions{CentreID: req.CentreID, RoomIDs: req.RoomIDs, From: req.From, To: req.To, Weekdays: req.Weekdays, Times: req.Times,
		Capacity: req.Capacity, Mode: req.Mode, Publish: req.Publish}
}

func (s *Server) previewBulk(c *gin.Context, req BulkSessionsRequest) (itemList[BulkItemJSON], error) {
	items, err := s.deps.Booking.PreviewBulk(c.Request.Context(), bulkIn(req))
	return itemList[BulkItemJSON]{Items: mapSlice(items, func(it booking.BulkItem) BulkItemJSON {
		return BulkItemJSON{RoomID: it.RoomID, RoomName: it.RoomName, StartsAt: s.at(it.StartsAt), DurationMinutes: it.DurationMinutes, Capacity: it.Capacity, Clash: it.Clash}
	})}, err
}

func (s *Server) createBulk(c *gin.Context, req BulkSessionsRequest) (itemList[SessionJSON], error) {
	made, err := s.deps.Booking.CreateBulk(c.Request.Context(), bulkIn(req))
	return itemList[SessionJSON]{Items: mapSlice(made, s.plainSessionJSON)}, err
}

func (s *Server) sessionRoster(c *gin.Context, id int64) (RosterJSON, error) {
	v, lines, err := s.deps.Booking.Roster(c.Request.Context(), id)
	if err != nil {
		return RosterJSON{}, err
	}
	return RosterJSON{Session: s.sessionJSON(v), Items: mapSlice(lines, func(l booking.RosterLine) RosterLineJSON {
		return RosterLineJSON{SeatNumber: l.SeatNumber, TicketNo: l.TicketNo, Name: l.Name, IDNumber: l.IDNumber, Phone: l.Phone, Status: string(l.Status)}
	})}, nil
}

func (s *Server) sessionRosterXLSX(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, v, err := s.deps.Booking.RosterXLSX(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	name := fmt.Sprintf("roster-%d-%s.xlsx", v.ID, s.at(v.StartsAt).Format("20060102-1504"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

func (s *Server) bookingStats(c *gin.Context) (itemList[DayStatJSON], error) {
	from, to, err := s.dateRange(c)
	if err != nil {
		return itemList[DayStatJSON]{}, err
	}
	if from.IsZero() {
		from = time.Now().AddDate(0, -1, 0)
	}
	if to.IsZero() {
		to = from.AddDate(0, 2, 0)
	}
	list, err := s.deps.Booking.DayStats(c.Request.Context(), from, to)
	return itemList[DayStatJSON]{Items: mapSlice(list, func(d booking.DayStat) DayStatJSON { return DayStatJSON(d) })}, err
}

// ---- proctors ----

// checkTicket verifies a scanned ticket; a proctor sees only tickets of
// their own centre.
func (s *Server) checkTicket(c *gin.Context, req TicketCheckRequest) (TicketCheckJSON, error) {
	b, v, err := s.deps.Booking.CheckTicket(c.Request.Context(), req.Code)
	if err != nil {
		return TicketCheckJSON{}, err
	}
	return TicketCheckJSON{Booking: s.bookingJSON(b), Session: s.sessionJSON(v)}, nil
}

// ---- testing ----

// advanceClock moves the test clock (testing.clock_control only; otherwise
// the route does not exist).
func (s *Server) advanceClock(c *gin.Context, req ClockRequest) (ClockJSON, error) {
	if s.deps.Clock == nil {
		return ClockJSON{}, apperr.ErrNotFound
	}
	if req.AdvanceMinutes < 1 || req.AdvanceMinutes > 525600 {
		return ClockJSON{}, apperr.Invalid(apperr.Fields{"advance_minutes": apperr.Between(1, 525600)})
	}
	return ClockJSON{Now: s.at(s.deps.Clock.Advance(time.Duration(req.AdvanceMinutes) * time.Minute))}, nil
}

// ---- preference rounds ----

// RoundJSON is a preference round with its published seed.
type RoundJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	ClosesAt    time.Time  `json:"closes_at"`
	Seed        string     `json:"seed" doc:"published: anyone can re-run the allocation with it"`
	Status      string     `json:"status" doc:"open | allocated"`
	SessionIDs  []int64    `json:"session_ids"`
	AllocatedAt *time.Time `json:"allocated_at"`
	Assigned    int        `json:"assigned"`
	Unassigned  int        `json:"unassigned"`
}

// RoundRequest opens a round over preference-mode sessions.
type RoundRequest struct {
	Name       string    `json:"name"`
	ClosesAt   time.Time `json:"closes_at" doc:"RFC 3339; the window ends then and the allocation runs"`
	SessionIDs []int64   `json:"session_ids"`
}

// AssignmentJSON is one line of an allocation, in pass order.
type AssignmentJSON struct {
	CandidateID int64 `json:"candidate_id"`
	SessionID   int64 `json:"session_id" doc:"0 = none of the choices had a seat"`
	Rank        int   `json:"rank"`
}

// RoundResultJSON is a round with its allocation.
type RoundResultJSON struct {
	Round       RoundJSON        `json:"round"`
	Assignments []AssignmentJSON `json:"assignments"`
}

// AssignmentLineJSON is one line of a round's allocation as the console
// shows it (masked personal data).
type AssignmentLineJSON struct {
	Position    int          `json:"position" doc:"pass order, from 1"`
	CandidateID int64        `json:"candidate_id"`
	Name        string       `json:"name" doc:"masked"`
	IDNumber    string       `json:"id_number" doc:"masked"`
	Rank        int          `json:"rank" doc:"which choice they got (1 = first); 0 = none had a seat"`
	Session     *SessionJSON `json:"session" doc:"null when none of the choices had a seat"`
}

// OpenRoundJSON is an open round as a candidate sees it.
type OpenRoundJSON struct {
	Round    RoundJSON     `json:"round"`
	Sessions []SessionJSON `json:"sessions"`
	Mine     []int64       `json:"mine" doc:"my ranking, best first (empty: none yet)"`
}

// ChoicesRequest ranks sessions, best first.
type ChoicesRequest struct {
	SessionIDs []int64 `json:"session_ids" doc:"1 to 5 sessions of the round, best first"`
}

func (s *Server) roundJSON(r booking.Round) RoundJSON {
	return RoundJSON{ID: r.ID, Name: r.Name, ClosesAt: s.at(r.ClosesAt), Seed: r.Seed, Status: string(r.Status), SessionIDs: nonNil(r.SessionIDs),
		AllocatedAt: s.atPtr(r.AllocatedAt), Assigned: r.Assigned, Unassigned: r.Unassigned}
}

func (s *Server) adminRounds(c *gin.Context) (itemList[RoundJSON], error) {
	list, err := s.deps.Booking.Rounds(c.Request.Context())
	return itemList[RoundJSON]{Items: mapSlice(list, s.roundJSON)}, err
}

func (s *Server) createRound(c *gin.Context, req RoundRequest) (RoundJSON, error) {
	r, err := s.deps.Booking.CreateRound(c.Request.Context(), booking.RoundInput{Name: req.Name, ClosesAt: req.ClosesAt, SessionIDs: req.SessionIDs})
	return s.roundJSON(r), err
}

func (s *Server) roundResult(c *gin.Context, id int64) (RoundResultJSON, error) {
	r, as, err := s.deps.Booking.RoundResult(c.Request.Context(), id)
	return RoundResultJSON{Round: s.roundJSON(r), Assignments: mapSlice(as, func(a booking.Assignment) AssignmentJSON { return AssignmentJSON(a) })}, err
}

func (s *Server) roundAssignments(c *gin.Context, p pageReq) ([]AssignmentLineJSON, int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, 0, err
	}
	lines, total, err := s.deps.Booking.RoundAssignments(c.Request.Context(), id, p.offset(), p.size)
	return mapSlice(lines, func(l booking.AssignmentLine) AssignmentLineJSON {
		out := AssignmentLineJSON{Position: l.Position, CandidateID: l.CandidateID, Name: l.Person.Name, IDNumber: l.Person.IDNumber, Rank: l.Rank}
		if l.Session != nil {
			v := s.sessionJSON(*l.Session)
			out.Session = &v
		}
		return out
	}), total, err
}

func (s *Server) openRounds(c *gin.Context) (itemList[OpenRoundJSON], error) {
	ctx := c.Request.Context()
	list, err := s.deps.Booking.OpenRounds(ctx)
	if err != nil {
		return itemList[OpenRoundJSON]{}, err
	}
	out := []OpenRoundJSON{}
	for _, r := range list {
		o := OpenRoundJSON{Round: s.roundJSON(r), Sessions: []SessionJSON{}}
		for _, id := range r.SessionIDs {
			v, err := s.deps.Booking.Session(ctx, id)
			if err != nil {
				return itemList[OpenRoundJSON]{}, err
			}
			o.Sessions = append(o.Sessions, s.sessionJSON(v))
		}
		mine, err := s.deps.Booking.MyChoice(ctx, r.ID)
		if err != nil {
			return itemList[OpenRoundJSON]{}, err
		}
		o.Mine = nonNil(mine.SessionIDs)
		out = append(out, o)
	}
	return itemList[OpenRoundJSON]{Items: out}, nil
}

func (s *Server) submitChoices(c *gin.Context, id int64, req ChoicesRequest) (ChoicesRequest, error) {
	ch, err := s.deps.Booking.SubmitChoices(c.Request.Context(), id, req.SessionIDs)
	return ChoicesRequest{SessionIDs: nonNil(ch.SessionIDs)}, err
}
