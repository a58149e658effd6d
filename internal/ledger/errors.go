package ledger

import "taxiexam/internal/platform/apperr"

var (
	// ErrNoEntries: there is nothing to checkpoint yet.
	ErrNoEntries = apperr.New(apperr.KindConflict, "ledger_empty", "the ledger has no entries yet")
	// ErrBadCheckpoint: an exported checkpoint given for comparison is not one (unreadable, or its signature does not verify).
	ErrBadCheckpoint = apperr.New(apperr.KindInvalid, "checkpoint_invalid", "this is not a checkpoint exported by this ledger (unreadable, or the signature does not verify)")
)
