package proctoring

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// Terminal enrolment: the PC asks for an enrolment (BeginEnrolment) and
// keeps the returned credential; its screen shows the short code. A
// proctor of the centre types the code in the console with the room and
// seat (Enrol); from then on the credential opens formal exams at that
// seat only, until a proctor revokes it. The credential itself never
// passes through the proctor and is stored only as a hash.

// enrolAlphabet has no look-alike characters (0/O, 1/I/L).
const enrolAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func randomCode(n int) string {
	var b strings.Builder
	for range n {
		i, _ := rand.Int(rand.Reader, big.NewInt(int64(len(enrolAlphabet))))
		b.WriteByte(enrolAlphabet[i.Int64()])
	}
	return b.String()
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// BeginEnrolment registers a new PC as a pending terminal and returns its
// credential (kept by the PC) and the code to show on its screen.
func (s *Service) BeginEnrolment(ctx context.Context) (string, Terminal, error) {
	for range 5 {
		token := randomToken()
		t := Terminal{Status: TerminalPending, Code: randomCode(6), CreatedAt: s.now()}
		err := s.Store.CreateTerminal(ctx, &t, hashCredential(token))
		if errors.Is(err, apperr.ErrDuplicate) {
			continue // a pending code clash: draw again
		}
		return token, t, err
	}
	return "", Terminal{}, errors.New("could not draw a free enrolment code")
}

// TerminalOf resolves a terminal credential. A missing, unknown or revoked
// credential is ErrTerminalNotEnrolled; a pending one is returned as
// pending (its screen keeps showing the code).
func (s *Service) TerminalOf(ctx context.Context, token string) (Terminal, error) {
	if token == "" {
		return Terminal{}, ErrTerminalNotEnrolled
	}
	t, err := s.Store.TerminalByCredential(ctx, hashCredential(token))
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && t.Status == TerminalRevoked) {
		return Terminal{}, ErrTerminalNotEnrolled
	}
	if err != nil {
		return Terminal{}, err
	}
	if t.Status == TerminalPending && s.now().Sub(t.CreatedAt) > s.cfg.EnrolmentTTL {
		return Terminal{}, ErrTerminalNotEnrolled.WithMessage("the enrolment code has expired; reload to get a new one")
	}
	if now := s.now(); now.Sub(t.LastSeenAt) > s.cfg.DisconnectedAfter/3 {
		if !s.cache.saw(t.ID, now) { // buffered while the node's cache runs
			_ = s.Store.SeenTerminal(ctx, t.ID, now) // best effort: only the seat map reads it
		}
		t.LastSeenAt = now
	}
	return t, nil
}

// activeTerminal is TerminalOf that insists on an enrolled terminal.
func (s *Service) activeTerminal(ctx context.Context, token string) (Terminal, error) {
	t, err := s.TerminalOf(ctx, token)
	if err != nil {
		return Terminal{}, err
	}
	if t.Status != TerminalActive {
		return Terminal{}, ErrTerminalNotEnrolled
	}
	return t, nil
}

// Enrolment is a proctor's confirmation of a terminal's code.
type Enrolment struct {
	Code   string
	RoomID int64
	Seat   int
	Name   string
}

// Enrol binds the pending terminal showing code to a seat of a room of the
// proctor's centre (audited).
func (s *Service) Enrol(ctx context.Context, e Enrolment) (Terminal, error) {
	_, centre, err := staff(ctx)
	if err != nil {
		return Terminal{}, err
	}
	e.Code = strings.ToUpper(strings.TrimSpace(e.Code))
	e.Name = strings.TrimSpace(e.Name)
	f := apperr.Fields{}
	f.Check(len(e.Code) == 6, "code", rsnThe6CharacterCodeShownOn)
	f.Check(e.RoomID > 0, "room_id", apperr.Required())
	f.Check(e.Seat > 0, "seat", apperr.Required())
	f.Check(len([]rune(e.Name)) <= 50, "name", apperr.MaxChars(50))
	if err := f.Err(); err != nil {
		return Terminal{}, err
	}
	room, err := s.Bookings.Room(ctx, e.RoomID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Terminal{}, apperr.ErrNotFound.WithField("room_id", rsnNoSuchRoomAtYourCentre)
		}
		return Terminal{}, err
	}
	if centre != 0 && room.CentreID != centre {
		return Terminal{}, apperr.ErrNotFound.WithField("room_id", rsnNoSuchRoomAtYourCentre)
	}
	if e.Seat > room.Seats {
		return Terminal{}, apperr.Invalid(apperr.Fields{"seat": rsnTheRoomHasFewerSeats})
	}
	var out Terminal
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.PendingTerminalByCode(ctx, e.Code, s.now().Add(-s.cfg.EnrolmentTTL))
		if errors.Is(err, apperr.ErrNotFound) {
			return ErrEnrolmentCode.WithField("code", rsnNoTerminalIsShowingThisCode)
		}
		if err != nil {
			return err
		}
		by, _, _ := staff(ctx)
		t.Status, t.CentreID, t.RoomID, t.Seat, t.Name, t.Code = TerminalActive, room.CentreID, room.ID, e.Seat, e.Name, ""
		t.EnrolledAt, t.EnrolledBy = s.now(), by
		if err := s.Store.UpdateTerminal(ctx, t); err != nil {
			if errors.Is(err, apperr.ErrDuplicate) {
				return ErrSeatTaken
			}
			return err
		}
		out = t
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.terminal.enrol", TargetType: "exam_terminal", TargetID: itoa(t.ID),
			After: map[string]any{"room_id": t.RoomID, "seat": t.Seat, "name": t.Name}})
	})
	return out, err
}

// Revoke ends a terminal's credential (a PC replaced or stolen), with a reason.
func (s *Service) Revoke(ctx context.Context, id int64, reason string) (Terminal, error) {
	_, centre, err := staff(ctx)
	if err != nil {
		return Terminal{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return Terminal{}, err
	}
	var out Terminal
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.TerminalByID(ctx, id)
		if err != nil {
			return err
		}
		if t.Status != TerminalActive || (centre != 0 && t.CentreID != centre) {
			return apperr.ErrNotFound
		}
		before := t
		t.Status, t.RevokedAt = TerminalRevoked, s.now()
		if err := s.Store.UpdateTerminal(ctx, t); err != nil { // bumps the centre's open runs' change counters
			return err
		}
		out = t
		return s.Audit.Record(ctx, audit.Entry{Action: "proctoring.terminal.revoke", TargetType: "exam_terminal", TargetID: itoa(t.ID),
			Before: map[string]any{"room_id": before.RoomID, "seat": before.Seat}, After: map[string]any{"reason": reason}})
	})
	s.cache.forgetTerminal(id)
	return out, err
}

// Terminals lists the enrolled terminals of the caller's centre.
func (s *Service) Terminals(ctx context.Context) ([]Terminal, error) {
	_, centre, err := staff(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.Terminals(ctx, centre)
}

// Rooms lists the rooms of the caller's centre (for the enrolment form and
// the move dialog).
func (s *Service) Rooms(ctx context.Context) ([]Room, error) {
	_, centre, err := staff(ctx)
	if err != nil {
		return nil, err
	}
	if centre == 0 {
		return nil, apperr.ErrForbidden.WithMessage("terminals are enrolled by a proctor of the centre")
	}
	return s.Bookings.Rooms(ctx, centre)
}
