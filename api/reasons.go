package api

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnAlreadyUsedForADifferentRequest = apperr.NewReason("idempotency_key_reused", "already used for a different request body")
	rsnMustBeAWholeNumberFrom          = apperr.NewReason("page_size_range", "must be a whole number from 1 to 100")
	rsnRequiredTheVersionOnTheReview   = apperr.NewReason("version_required", "required: the version on the review screen")
	rsnUnknownParcelStatus             = apperr.NewReason("unknown_parcel_status", "unknown parcel status")
	rsnNotACheckpointExportedByThis    = apperr.NewReason("bad_checkpoint", "not a checkpoint exported by this ledger (unreadable, or the signature does not verify)")
	rsnJSONNumber                      = apperr.NewReason("json_number", "must be a number")
	rsnJSONBool                        = apperr.NewReason("json_boolean", "must be a boolean (true/false)")
	rsnJSONList                        = apperr.NewReason("json_list", "must be a list")
	rsnJSONObject                      = apperr.NewReason("json_object", "must be an object")
	rsnJSONString                      = apperr.NewReason("json_string", "must be a string")
	rsnNumber                          = apperr.NewReason("number", "must be a number")
	rsnCentreID                        = apperr.NewReason("centre_id", "must be a centre id")
	rsnPixels                          = apperr.NewReason("pixels", "must be a whole number of pixels")
	rsnWholeNumber                     = apperr.NewReason("whole_number", "must be a whole number")
	rsnPositiveWhole                   = apperr.NewReason("positive_whole_number", "must be a positive whole number")
	rsnNoSession                       = apperr.NewReason("no_session", "no session {id}")
)
