package archive

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnMustNotBeInTheFuture       = apperr.NewReason("not_in_future", "must not be in the future")
	rsnTheFull18CharacterIdNumber = apperr.NewReason("candidate_query", "the full 18-character ID number, an 11-digit phone number or a candidate number")
	rsnDateInZone                 = apperr.NewReason("date_in_zone", "a date like 2024-01-31 (the bureau's zone, {zone}; no time or offset)")
	rsnMaxExportDays              = apperr.NewReason("max_export_days", "at most {n} days per export; split a longer period")
)
