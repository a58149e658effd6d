package booking

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn0SundayTo6Saturday          = apperr.NewReason("0_sunday_to_6_saturday", "0 (Sunday) to 6 (Saturday)")
	rsn1To500Sessions              = apperr.NewReason("1_to_500_sessions", "1 to 500 sessions")
	rsn1ToTheRoomSOpen             = apperr.NewReason("1_to_the_room_s_open", "1 to the room's open seats")
	rsnAtLeastOneStartTime         = apperr.NewReason("at_least_one_start_time", "at least one start time")
	rsnAtMostTheRoomSOpen          = apperr.NewReason("at_most_the_room_s_open", "at most the room's open seats")
	rsnBelowTheSeatsAlreadyBooked  = apperr.NewReason("below_the_seats_already_booked", "below the seats already booked")
	rsnDigitsSpacesAndOnly         = apperr.NewReason("digits_spaces_and_only", "digits, spaces, + and - only")
	rsnEachSessionOnce             = apperr.NewReason("each_session_once", "each session once")
	rsnEveryRoomMustBelongToThe    = apperr.NewReason("every_room_must_belong_to_the", "every room must belong to the centre")
	rsnEverySessionMustBelongToThe = apperr.NewReason("every_session_must_belong_to_the", "every session must belong to the round")
	rsnHexBytes                    = apperr.NewReason("hex_bytes", "hex bytes")
	rsnMoreThan500SessionsAtOnce   = apperr.NewReason("more_than_500_sessions_at_once", "more than 500 sessions at once; shorten the range")
	rsnMustBeAnHttpSLink           = apperr.NewReason("must_be_an_http_s_link", "must be an http(s) link")
	rsnNoDateInTheRangeFalls       = apperr.NewReason("no_date_in_the_range_falls", "no date in the range falls on these weekdays")
	rsnNoSuchRoom                  = apperr.NewReason("no_such_room", "no such room")
	rsnNoSuchSession               = apperr.NewReason("no_such_session", "no such session")
	rsnOnOrAfterFromWithinA        = apperr.NewReason("on_or_after_from_within_a", "on or after from, within a year")
	rsnOnlyADraftSessionCanMove    = apperr.NewReason("only_a_draft_session_can_move", "only a draft session can move; cancel a published one")
	rsnOnlyADraftSessionChangesIts = apperr.NewReason("only_a_draft_session_changes_its", "only a draft session changes its release mode")
	rsnPickAtLeastOneRoom          = apperr.NewReason("pick_at_least_one_room", "pick at least one room")
	rsnPickAtLeastOneWeekday       = apperr.NewReason("pick_at_least_one_weekday", "pick at least one weekday")
	rsnRank1To5Sessions            = apperr.NewReason("rank_1_to_5_sessions", "rank 1 to 5 sessions")
	rsnSeatNumbersMustBeBetween1   = apperr.NewReason("seat_numbers_must_be_between_1", "seat numbers must be between 1 and the number of seats")
	rsnTheRoundMustCloseBeforeThe  = apperr.NewReason("the_round_must_close_before_the", "the round must close before the booking cutoff of its sessions")
	rsnWant1504                    = apperr.NewReason("want_15_04", "want 15:04")
	rsnWantADate20060102           = apperr.NewReason("want_a_date_2006_01_02", "want a date 2006-01-02 and a time 15:04")
	rsnRoundSessions               = apperr.NewReason("round_sessions", "sessions must be draft or published, in preference mode, and in no other round")
)
