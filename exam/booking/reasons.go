package booking

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn0SundayTo6Saturday          = apperr.NewReason("weekday_number", "0 (Sunday) to 6 (Saturday)")
	rsn1To500Sessions              = apperr.NewReason("sessions_1_to_500", "1 to 500 sessions")
	rsn1ToTheRoomSOpen             = apperr.NewReason("capacity_open_seats", "1 to the room's open seats")
	rsnAtLeastOneStartTime         = apperr.NewReason("times_required", "at least one start time")
	rsnAtMostTheRoomSOpen          = apperr.NewReason("capacity_max_open_seats", "at most the room's open seats")
	rsnBelowTheSeatsAlreadyBooked  = apperr.NewReason("capacity_below_booked", "below the seats already booked")
	rsnDigitsSpacesAndOnly         = apperr.NewReason("phone_chars", "digits, spaces, + and - only")
	rsnEachSessionOnce             = apperr.NewReason("session_once", "each session once")
	rsnEveryRoomMustBelongToThe    = apperr.NewReason("room_not_in_centre", "every room must belong to the centre")
	rsnEverySessionMustBelongToThe = apperr.NewReason("session_not_in_round", "every session must belong to the round")
	rsnHexBytes                    = apperr.NewReason("hex", "hex bytes")
	rsnMoreThan500SessionsAtOnce   = apperr.NewReason("too_many_sessions", "more than 500 sessions at once; shorten the range")
	rsnMustBeAnHttpSLink           = apperr.NewReason("http_link", "must be an http(s) link")
	rsnNoDateInTheRangeFalls       = apperr.NewReason("no_date_on_weekdays", "no date in the range falls on these weekdays")
	rsnNoSuchRoom                  = apperr.NewReason("no_such_room", "no such room")
	rsnNoSuchSession               = apperr.NewReason("no_such_session", "no such session")
	rsnOnOrAfterFromWithinA        = apperr.NewReason("range_within_year", "on or after from, within a year")
	rsnOnlyADraftSessionCanMove    = apperr.NewReason("only_draft_moves", "only a draft session can move; cancel a published one")
	rsnOnlyADraftSessionChangesIts = apperr.NewReason("only_draft_mode", "only a draft session changes its release mode")
	rsnPickAtLeastOneRoom          = apperr.NewReason("rooms_required", "pick at least one room")
	rsnPickAtLeastOneWeekday       = apperr.NewReason("weekdays_required", "pick at least one weekday")
	rsnRank1To5Sessions            = apperr.NewReason("rank_1_to_5", "rank 1 to 5 sessions")
	rsnSeatNumbersMustBeBetween1   = apperr.NewReason("disabled_seats_range", "seat numbers must be between 1 and the number of seats")
	rsnTheRoundMustCloseBeforeThe  = apperr.NewReason("round_closes_before_cutoff", "the round must close before the booking cutoff of its sessions")
	rsnWant1504                    = apperr.NewReason("time_format", "want 15:04")
	rsnWantADate20060102           = apperr.NewReason("date_time_format", "want a date 2006-01-02 and a time 15:04")
	rsnRoundSessions               = apperr.NewReason("round_sessions", "sessions must be draft or published, in preference mode, and in no other round")
)
