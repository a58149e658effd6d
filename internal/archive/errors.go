package archive

import "taxiexam/internal/platform/apperr"

var (
	// ErrFullDataForbidden: only the bureau sees personal data in full.
	ErrFullDataForbidden = apperr.New(apperr.KindForbidden, "archive_full_data_forbidden", "only the bureau may see a dossier's personal data in full")
	// ErrExportNotReady: the bulk export is still being built (or failed).
	ErrExportNotReady = apperr.New(apperr.KindConflict, "archive_export_not_ready", "this export is not finished yet")
	// ErrNoPrinter means the PDF renderer is not wired (a configuration bug).
	ErrNoPrinter = apperr.New(apperr.KindUnavailable, "pdf_unavailable", "dossier printing is not available")
)
