package questionbank

import (
	"time"

	"taxiexam/internal/platform/apperr"
)

// ImportBatch is an uploaded file, parsed and checked, waiting for the
// editor to confirm it. Nothing is written to the bank before Confirm, and
// Confirm refuses a batch with any bad row.
type ImportBatch struct {
	ID        int64
	FileName  string
	Rows      []ImportRow
	Errors    []RowError
	Status    string // pending | done
	CreatedBy int64
	CreatedAt time.Time
	DoneAt    *time.Time
}

// ImportRow is one parsed data row.
type ImportRow struct {
	Row      int // 1-based row number in the file (header is row 1)
	Question Question
}

// RowError is one reason a row is bad.
type RowError struct {
	Row    int
	Column string // spreadsheet letter, e.g. "I"
	Field  string // e.g. "answer"
	Reason apperr.Reason
}
