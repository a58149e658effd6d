package proctoring

import "taxiexam/internal/platform/apperr"

// Sentinel errors of exam day.
var (
	ErrTerminalNotEnrolled = apperr.New(apperr.KindForbidden, "terminal_not_enrolled", "this computer is not an enrolled exam terminal")
	ErrEnrolmentCode       = apperr.New(apperr.KindNotFound, "enrolment_code_unknown", "no terminal is waiting with this enrolment code")
	ErrSeatTaken           = apperr.New(apperr.KindConflict, "terminal_seat_taken", "another terminal is enrolled at this seat; revoke it first")
	ErrLoginFailed         = apperr.New(apperr.KindUnauthenticated, "ticket_or_id_wrong", "the ticket number or ID number is wrong")
	ErrNotThisRoom         = apperr.New(apperr.KindForbidden, "ticket_not_for_this_room", "this ticket is for another session, room or day")
	ErrNotCheckedIn        = apperr.New(apperr.KindConflict, "not_checked_in", "the candidate has not been checked in by a proctor")
	ErrWrongTerminal       = apperr.New(apperr.KindForbidden, "wrong_terminal", "the candidate sits at another terminal")
	ErrNotStarted          = apperr.New(apperr.KindConflict, "session_not_started", "the proctor has not started the session yet")
	ErrEnded               = apperr.New(apperr.KindConflict, "session_ended", "the session has ended")
	ErrAlreadyStarted      = apperr.New(apperr.KindConflict, "session_started", "the session has already started")
	ErrLate                = apperr.New(apperr.KindConflict, "late_arrival", "entry closes a fixed time after the start; the candidate is too late")
	ErrWrongSession        = apperr.New(apperr.KindConflict, "ticket_other_session", "this ticket is for another session")
	ErrTicketInvalid       = apperr.New(apperr.KindInvalid, "ticket_invalid", "the ticket code is not genuine")
	ErrAlreadyDecided      = apperr.New(apperr.KindConflict, "already_checked_in", "this candidate has already been checked in, refused or marked absent")
	ErrNoAttempt           = apperr.New(apperr.KindConflict, "no_attempt", "the candidate has not started the paper")
	ErrNotAnExamTerminal   = apperr.New(apperr.KindForbidden, "not_exam_session", "log in on the exam terminal with the ticket number")
)
