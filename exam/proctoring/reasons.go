package proctoring

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn18Characters                   = apperr.NewReason("chars_18", "18 characters")
	rsnNoEnrolledTerminalOfThisRoom   = apperr.NewReason("no_terminal_in_room", "no enrolled terminal of this room")
	rsnNoSuchRoomAtYourCentre         = apperr.NewReason("no_room_at_centre", "no such room at your centre")
	rsnNoTerminalIsShowingThisCode    = apperr.NewReason("no_terminal_with_code", "no terminal is showing this code")
	rsnNotBookedInThisSession         = apperr.NewReason("not_booked_in_session", "not booked in this session")
	rsnScanTheQrCodeOrType            = apperr.NewReason("ticket_code_format", "scan the QR code or type the ticket number (digits)")
	rsnTaken                          = apperr.NewReason("seat_terminal_taken", "taken")
	rsnThe6CharacterCodeShownOn       = apperr.NewReason("enrol_code_format", "the 6-character code shown on the terminal")
	rsnTheDigitsPrintedOnTheAdmission = apperr.NewReason("ticket_no_format", "the digits printed on the admission ticket")
	rsnTheQrCodeSSignatureDoes        = apperr.NewReason("qr_signature", "the QR code's signature does not verify")
	rsnTheRoomHasFewerSeats           = apperr.NewReason("room_fewer_seats", "the room has fewer seats")
)
