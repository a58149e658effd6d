package registration

import "taxiexam/internal/platform/apperr"

var (
	ErrChannelUnknown    = apperr.New(apperr.KindNotFound, "channel_unknown", "this registration code does not exist")
	ErrChannelDisabled   = apperr.New(apperr.KindConflict, "channel_disabled", "this registration code has been disabled; please use another channel")
	ErrChannelCodeTaken  = apperr.New(apperr.KindConflict, "channel_code_taken", "this channel code is already used")
	ErrNotEditable       = apperr.New(apperr.KindConflict, "application_not_editable", "a submitted application cannot be edited unless it is returned for correction")
	ErrIDNumberTaken     = apperr.New(apperr.KindConflict, "id_number_taken", "another active application already uses this ID number")
	ErrAlreadyDecided    = apperr.New(apperr.KindConflict, "already_decided", "this application has already been decided")
	ErrNotInQueue        = apperr.New(apperr.KindConflict, "not_in_queue", "this application is not waiting for a background check")
	ErrPhotoInvalid      = apperr.New(apperr.KindInvalid, "photo_invalid", "the photo must be a JPEG or PNG image")
	ErrPhotoTooLarge     = apperr.New(apperr.KindTooLarge, "photo_too_large", "the photo is too large")
	ErrNoPhoto           = apperr.New(apperr.KindNotFound, "photo_missing", "no photo has been uploaded")
	ErrSpreadsheet       = apperr.New(apperr.KindInvalid, "spreadsheet_invalid", "the file is not a results spreadsheet in the export format")
	ErrOfficeUnavailable = apperr.New(apperr.KindInvalid, "office_unavailable", "this issuing window does not exist or is closed")
)
