package statistics

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnMustBeADateLike2024 = apperr.NewReason("date_example_2024", "must be a date like 2024-01-31")
	rsnZhCnOrEn            = apperr.NewReason("lang", "zh-CN or en")
	rsnUnknownTable        = apperr.NewReason("unknown_table", "unknown table {table}")
	rsnZone                = apperr.NewReason("time_zone", "must be {zone}")
	rsnDateOrMidnight      = apperr.NewReason("date_or_midnight", "must be a date, or a midnight in {zone}")
	rsnMaxDaysAfterFrom    = apperr.NewReason("max_days_after_from", "at most {n} days after from")
)
