package statistics

import "taxiexam/internal/platform/apperr"

// Sentinel errors of the statistics. The range errors name the field
// (from, to, zone) so the console can point at it; nothing is ever
// written by a statistics call, so a refused query changes nothing.
var (
	ErrRangeReversed = apperr.New(apperr.KindInvalid, "range_reversed", "the last day is before the first day")
	ErrRangeTooLong  = apperr.New(apperr.KindInvalid, "range_too_long", "the date range is too long")
	ErrWrongZone     = apperr.New(apperr.KindInvalid, "wrong_zone", "statistics are counted in days of the bureau's time zone")

	ErrExportNotFound = apperr.New(apperr.KindNotFound, "export_not_found", "no such export (exports are kept for 30 minutes)")
	ErrExportNotReady = apperr.New(apperr.KindConflict, "export_not_ready", "the export is still being prepared")
	ErrExportFailed   = apperr.New(apperr.KindConflict, "export_failed", "the export failed; start it again")
	ErrExportBusy     = apperr.New(apperr.KindUnavailable, "export_busy", "too many exports are being prepared; try again in a minute")
)
