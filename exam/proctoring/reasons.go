package proctoring

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn18Characters                   = apperr.NewReason("18_characters", "18 characters")
	rsnNoEnrolledTerminalOfThisRoom   = apperr.NewReason("no_enrolled_terminal_of_this_room", "no enrolled terminal of this room")
	rsnNoSuchRoomAtYourCentre         = apperr.NewReason("no_such_room_at_your_centre", "no such room at your centre")
	rsnNoTerminalIsShowingThisCode    = apperr.NewReason("no_terminal_is_showing_this_code", "no terminal is showing this code")
	rsnNotBookedInThisSession         = apperr.NewReason("not_booked_in_this_session", "not booked in this session")
	rsnScanTheQrCodeOrType            = apperr.NewReason("scan_the_qr_code_or_type", "scan the QR code or type the ticket number (digits)")
	rsnTaken                          = apperr.NewReason("taken", "taken")
	rsnThe6CharacterCodeShownOn       = apperr.NewReason("the_6_character_code_shown_on", "the 6-character code shown on the terminal")
	rsnTheDigitsPrintedOnTheAdmission = apperr.NewReason("the_digits_printed_on_the_admission", "the digits printed on the admission ticket")
	rsnTheQrCodeSSignatureDoes        = apperr.NewReason("the_qr_code_s_signature_does", "the QR code's signature does not verify")
	rsnTheRoomHasFewerSeats           = apperr.NewReason("the_room_has_fewer_seats", "the room has fewer seats")
)
