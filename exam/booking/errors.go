package booking

import "taxiexam/internal/platform/apperr"

// Error codes of booking; each has zh-CN and English text in the web app.
var (
	ErrNotApproved        = apperr.New(apperr.KindConflict, "booking_not_approved", "only a candidate whose application is approved can book")
	ErrNotEligible        = apperr.New(apperr.KindConflict, "booking_not_eligible", "this candidate may not book an exam now")
	ErrAlreadyBooked      = apperr.New(apperr.KindConflict, "already_booked", "you already hold a booking; reschedule or cancel it first")
	ErrNoBooking          = apperr.New(apperr.KindNotFound, "no_booking", "you hold no booking")
	ErrSessionFull        = apperr.New(apperr.KindConflict, "session_full", "this session has no free seat left")
	ErrSessionNotOpen     = apperr.New(apperr.KindConflict, "session_not_bookable", "this session is not open for booking (draft, closed or cancelled)")
	ErrSessionPast        = apperr.New(apperr.KindConflict, "booking_closed", "booking for this session has closed")
	ErrSameSession        = apperr.New(apperr.KindConflict, "same_session", "you are already booked on this session")
	ErrCutoffPassed       = apperr.New(apperr.KindConflict, "change_cutoff_passed", "the booking can no longer be changed or cancelled")
	ErrCoolingOff         = apperr.New(apperr.KindConflict, "booking_cooling_off", "too many cancellations recently; you may book again later")
	ErrPreferenceRound    = apperr.New(apperr.KindConflict, "session_in_preference_round", "this session is released through a preference round; rank it in the round instead")
	ErrNotWaitlistable    = apperr.New(apperr.KindConflict, "waitlist_not_needed", "this session still has free seats; book it directly")
	ErrAlreadyWaiting     = apperr.New(apperr.KindConflict, "already_waiting", "you are already on this session's waitlist")
	ErrNoOffer            = apperr.New(apperr.KindConflict, "no_waitlist_offer", "there is no seat offer for you (it may have expired)")
	ErrBadTransition      = apperr.New(apperr.KindConflict, "session_bad_transition", "the session cannot move to this status from its current one")
	ErrSessionHasBookings = apperr.New(apperr.KindConflict, "session_has_bookings", "the session has bookings; cancel it instead")
	ErrRoomInUse          = apperr.New(apperr.KindConflict, "room_in_use", "the room has live sessions; seats cannot be removed now")
	ErrTicketInvalid      = apperr.New(apperr.KindInvalid, "ticket_invalid", "this admission ticket code is not genuine")
	ErrCentreUnknown      = apperr.New(apperr.KindInvalid, "centre_unknown", "this exam centre does not exist")
	ErrRateLimited        = apperr.New(apperr.KindRateLimited, "booking_rate_limited", "too many booking requests; wait a moment")
	ErrRoundClosed        = apperr.New(apperr.KindConflict, "round_not_open", "this preference round is not accepting choices")
	ErrRoundNotDue        = apperr.New(apperr.KindConflict, "round_not_due", "the preference round's window has not ended yet")
	ErrSessionClash       = apperr.New(apperr.KindConflict, "session_clash", "the room already has a session starting at this time")
	// ErrSeatTaken is the store's answer when the seat a booking names is
	// held by another active booking of the session; take then picks the
	// lowest free seat instead, so users never see it.
	ErrSeatTaken = apperr.New(apperr.KindConflict, "seat_taken", "this seat is already booked")
)
