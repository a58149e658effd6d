package certdb

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnAlreadyUsedByAnotherParcel = apperr.NewReason("waybill_taken", "already used by another parcel")
)
