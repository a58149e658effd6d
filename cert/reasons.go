package cert

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnChooseAnIssuingWindow    = apperr.NewReason("choose_office", "choose an issuing window")
	rsnDoesNotMatchTheHolder    = apperr.NewReason("holder_mismatch", "does not match the holder")
	rsnExactly13Digits          = apperr.NewReason("waybill_format", "exactly 13 digits")
	rsnGiveTheCorrectedNameOrId = apperr.NewReason("correction_required", "give the corrected name or ID number")
	rsnNoSuchOpenIssuingWindow  = apperr.NewReason("no_open_office", "no such open issuing window")
	rsnNotAValid18CharacterId   = apperr.NewReason("id_number_invalid", "not a valid 18-character ID number (check character)")
	rsnRequiredForAProxy        = apperr.NewReason("proxy_required", "required for a proxy")
	rsnIDNumberOrLastDigits     = apperr.NewReason("id_number_or_last_digits", "the full 18-character ID number, or its last digits (at least 4) after checking the photo")
)
