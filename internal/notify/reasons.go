package notify

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnMustBePositive                 = apperr.NewReason("positive", "must be positive")
	rsnRequiredNameTheBusinessEventE  = apperr.NewReason("dedupe_key_required", "required: name the business event, e.g. application:42:approved")
	rsnWantPendingQueuedSendingSentOr = apperr.NewReason("message_status", "want pending, queued, sending, sent or dead")
	rsnWantSmsOrPostal                = apperr.NewReason("channel_sms_or_postal", "want sms or postal")
	rsnMaxBytes                       = apperr.NewReason("max_bytes", "at most {n} bytes")
	rsnTemplateVarRequired            = apperr.NewReason("template_var_required", "required by template {template}")
	rsnTemplateVarUnknown             = apperr.NewReason("template_var_unknown", "not a variable of template {template}")
)
