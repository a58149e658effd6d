package booking

import (
	"bytes"
	"context"

	"github.com/xuri/excelize/v2"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/pii"
)

// Roster lists a session's bookings (every status, by seat) with the
// candidates' names and ID numbers masked: the bureau's and the proctors'
// lists need no more.
func (s *Service) Roster(ctx context.Context, sessionID int64) (SessionView, []RosterLine, error) {
	v, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return SessionView{}, nil, err
	}
	bs, err := s.store.SessionBookings(ctx, sessionID, nil)
	if err != nil {
		return SessionView{}, nil, err
	}
	out := make([]RosterLine, 0, len(bs))
	for _, b := range bs {
		p, err := s.people.Person(ctx, b.CandidateID)
		if err != nil {
			return SessionView{}, nil, err
		}
		p.Name, p.IDNumber, p.Phone = pii.MaskName(p.Name), pii.MaskIDNumber(p.IDNumber), pii.MaskPhone(p.Phone)
		out = append(out, RosterLine{Booking: b, Person: p})
	}
	return v, out, nil
}

const rosterSheet = "考生名单"

// RosterXLSX exports the roster as a spreadsheet (masked; audited).
func (s *Service) RosterXLSX(ctx context.Context, sessionID int64) ([]byte, SessionView, error) {
	v, lines, err := s.Roster(ctx, sessionID)
	if err != nil {
		return nil, SessionView{}, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", rosterSheet); err != nil {
		return nil, SessionView{}, err
	}
	title := []any{v.CentreName, v.RoomName, v.StartsAt.In(s.cfg.Location).Format("2006-01-02 15:04"), itoa(int64(v.DurationMinutes)) + " 分钟"}
	if err := f.SetSheetRow(rosterSheet, "A1", &title); err != nil {
		return nil, SessionView{}, err
	}
	head := []any{"座位号", "准考证号", "姓名", "身份证号", "手机号", "状态"}
	if err := f.SetSheetRow(rosterSheet, "A2", &head); err != nil {
		return nil, SessionView{}, err
	}
	for i, l := range lines {
		row := []any{l.SeatNumber, l.TicketNo, l.Name, l.IDNumber, l.Phone, rosterStatus[l.Status]}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow(rosterSheet, cell, &row); err != nil {
			return nil, SessionView{}, err
		}
	}
	_ = f.SetColWidth(rosterSheet, "A", "F", 14)
	_ = f.SetColWidth(rosterSheet, "B", "B", 20)
	_ = f.SetColWidth(rosterSheet, "D", "D", 22)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, SessionView{}, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Entry{Action: "booking.roster.export", TargetType: "exam_session", TargetID: itoa(sessionID),
			After: map[string]any{"lines": len(lines), "masked": true}})
	})
	return buf.Bytes(), v, err
}

var rosterStatus = map[BookingStatus]string{
	BookingActive: "已预约", BookingCancelled: "已取消", BookingRescheduled: "已改约", BookingSessionCancelled: "场次取消",
	BookingCheckedIn: "已签到", BookingAbsent: "缺考", BookingSat: "已参考",
}
