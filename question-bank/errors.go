package questionbank

import "taxiexam/internal/platform/apperr"

// Sentinel errors of the question bank.
var (
	ErrBankShort        = apperr.New(apperr.KindConflict, "bank_short", "the bank has too few published questions for this blueprint")
	ErrNoBlueprint      = apperr.New(apperr.KindNotFound, "no_blueprint", "no default blueprint of this kind")
	ErrWrongStatus      = apperr.New(apperr.KindConflict, "wrong_status", "the question is not in a status that allows this")
	ErrDuplicateStem    = apperr.New(apperr.KindConflict, "duplicate_stem", "a question with the same stem already exists")
	ErrChapterInUse     = apperr.New(apperr.KindConflict, "chapter_in_use", "the chapter still has questions or is used by a blueprint")
	ErrDuplicateChapter = apperr.New(apperr.KindConflict, "duplicate_chapter", "a chapter with this code already exists")
	ErrImportHasErrors  = apperr.New(apperr.KindInvalid, "import_has_errors", "the file has bad rows; fix them and upload again")
	ErrImportDone       = apperr.New(apperr.KindConflict, "import_done", "this import was already confirmed")
	ErrBadFile          = apperr.New(apperr.KindBadRequest, "bad_file", "the file cannot be read")
	ErrNotAnImage       = apperr.New(apperr.KindInvalid, "not_an_image", "the upload is not a PNG, JPEG or GIF image")
	ErrImageTooLarge    = apperr.New(apperr.KindTooLarge, "image_too_large", "the image is too large")
	ErrBankNotEmpty     = apperr.New(apperr.KindConflict, "bank_not_empty", "the bank already has questions")
)
