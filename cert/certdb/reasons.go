package certdb

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnAlreadyUsedByAnotherParcel = apperr.NewReason("already_used_by_another_parcel", "already used by another parcel")
)
