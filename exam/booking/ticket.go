package booking

import (
	"context"
	"encoding/base64"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// Ticket QR code (准考证二维码).
//
// The code is the text
//
//	TK1.<ticket number>.<key id>.<signature>
//
// where the signature is Ed25519 over the bytes "TK1.<ticket number>",
// base64url without padding, made with the signing key named by key id
// (internal/platform/signing). A ticket number is the session's local date
// and 8 random digits, unique across all bookings ever made, so a verified
// number names exactly one booking; the proctor console then looks the
// booking up (BookingByTicket) to see whether it still holds a seat in the
// session at hand. Anyone holding only the public keys can check the code
// offline. About 60 characters: a small QR code (version 4-5 at level M).
const ticketPrefix = "TK1"

// TicketCode signs a ticket number into its QR payload.
func (s *Service) TicketCode(ticketNo string) string {
	return SignTicket(s.signer, ticketNo)
}

// SignTicket makes the QR payload of a ticket number.
func SignTicket(signer Signer, ticketNo string) string {
	msg := ticketPrefix + "." + ticketNo
	kid, sig := signer.Sign([]byte(msg))
	return msg + "." + kid + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// VerifyTicket checks a scanned QR payload and returns its ticket number;
// a forged, altered or unknown-key code is ErrTicketInvalid.
func VerifyTicket(signer Signer, code string) (string, error) {
	parts := strings.Split(strings.TrimSpace(code), ".")
	if len(parts) != 4 || parts[0] != ticketPrefix || !validTicketNo(parts[1]) {
		return "", ErrTicketInvalid
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[3]) // one spelling per signature
	if err != nil {
		return "", ErrTicketInvalid
	}
	if err := signer.Verify(parts[2], []byte(ticketPrefix+"."+parts[1]), sig); err != nil {
		return "", ErrTicketInvalid
	}
	return parts[1], nil
}

func validTicketNo(t string) bool {
	if len(t) != 8+ticketDigits {
		return false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CheckTicket verifies a scanned code and returns the booking it names
// with its session (the proctor console calls this, then decides by the
// booking's status and session whether the candidate may enter).
func (s *Service) CheckTicket(ctx context.Context, code string) (Booking, SessionView, error) {
	no, err := VerifyTicket(s.signer, code)
	if err != nil {
		return Booking{}, SessionView{}, err
	}
	b, err := s.store.BookingByTicket(ctx, no)
	if apperr.ErrNotFound.Is(err) {
		return Booking{}, SessionView{}, ErrTicketInvalid
	}
	if err != nil {
		return Booking{}, SessionView{}, err
	}
	v, err := s.store.SessionByID(ctx, b.SessionID)
	if err != nil {
		return Booking{}, SessionView{}, err
	}
	// The route admits proctors and the bureau; a proctor checks only the
	// tickets of their own centre.
	centre, err := reqctx.ActorFrom(ctx).Centre()
	if err != nil {
		return Booking{}, SessionView{}, err
	}
	if centre != 0 && centre != v.CentreID {
		return Booking{}, SessionView{}, ErrTicketInvalid.WithMessage("this ticket is for another exam centre")
	}
	return b, v, nil
}

// CheckIn marks a booking as present (the proctor console calls this after
// CheckTicket and the identity check). Its session must be live; a second
// check-in changes nothing and is not an error.
func (s *Service) CheckIn(ctx context.Context, bookingID int64) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		b, err := s.store.BookingByID(ctx, bookingID)
		if err != nil {
			return err
		}
		if b.Status == BookingCheckedIn {
			return nil
		}
		v, err := s.store.SessionByID(ctx, b.SessionID)
		if err != nil {
			return err
		}
		if !v.Status.Live() {
			return ErrSessionNotOpen
		}
		ok, err := s.store.SetBookingStatus(ctx, b.ID, []BookingStatus{BookingActive}, BookingCheckedIn, s.clock.Now())
		if err != nil {
			return err
		}
		if !ok {
			return ErrNoBooking
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.check_in", TargetType: "exam_booking", TargetID: itoa(b.ID),
			After: map[string]any{"session_id": b.SessionID, "seat": b.SeatNumber}})
	})
}

// TicketQRPNG renders the calling candidate's ticket code as a PNG QR
// code (level M, which zbarimg and any phone scanner read).
func (s *Service) TicketQRPNG(ctx context.Context, size int) ([]byte, error) {
	m, err := s.Mine(ctx)
	if err != nil {
		return nil, err
	}
	if m.Ticket == "" {
		return nil, ErrNoBooking
	}
	if size < 128 || size > 1024 {
		size = 512
	}
	return qrcode.Encode(m.Ticket, qrcode.Medium, size)
}
