package cert

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnChooseAnIssuingWindow    = apperr.NewReason("choose_an_issuing_window", "choose an issuing window")
	rsnDoesNotMatchTheHolder    = apperr.NewReason("does_not_match_the_holder", "does not match the holder")
	rsnExactly13Digits          = apperr.NewReason("exactly_13_digits", "exactly 13 digits")
	rsnGiveTheCorrectedNameOrId = apperr.NewReason("give_the_corrected_name_or_id", "give the corrected name or ID number")
	rsnNoSuchOpenIssuingWindow  = apperr.NewReason("no_such_open_issuing_window", "no such open issuing window")
	rsnNotAValid18CharacterId   = apperr.NewReason("not_a_valid_18_character_id", "not a valid 18-character ID number (check character)")
	rsnRequiredForAProxy        = apperr.NewReason("required_for_a_proxy", "required for a proxy")
	rsnIDNumberOrLastDigits     = apperr.NewReason("id_number_or_last_digits", "the full 18-character ID number, or its last digits (at least 4) after checking the photo")
)
