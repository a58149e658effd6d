package cert

import "taxiexam/internal/platform/apperr"

var (
	ErrNotQualified     = apperr.New(apperr.KindConflict, "not_qualified", "this candidate has no approved application to issue certificates for")
	ErrNotGenuine       = apperr.New(apperr.KindInvalid, "certificate_not_genuine", "this code was not issued by the bureau or has been altered")
	ErrNotValid         = apperr.New(apperr.KindConflict, "certificate_not_valid", "only a valid certificate can be revoked, replaced or reissued")
	ErrReasonRequired   = apperr.New(apperr.KindInvalid, "reason_required", "give a reason")
	ErrOtherOffice      = apperr.New(apperr.KindNotFound, "parcel_not_found", "no such parcel at your office")
	ErrWaybillInvalid   = apperr.New(apperr.KindInvalid, "waybill_invalid", "a China Post waybill number has exactly 13 digits")
	ErrWaybillTaken     = apperr.New(apperr.KindConflict, "waybill_taken", "this waybill number is already used by another parcel")
	ErrDeliveryState    = apperr.New(apperr.KindConflict, "delivery_state", "the parcel is not in a state that allows this")
	ErrAlreadyCollected = apperr.New(apperr.KindConflict, "already_collected", "these certificates have already been handed over")
	ErrIdentityMismatch = apperr.New(apperr.KindInvalid, "identity_mismatch", "the ID number does not match the holder")
	ErrDeliveryFixed    = apperr.New(apperr.KindConflict, "delivery_fixed", "the parcel has been dispatched; the delivery method can no longer change")
	ErrOfficeRequired   = apperr.New(apperr.KindInvalid, "office_required", "choose an issuing window for pick-up")
	ErrRateLimited      = apperr.New(apperr.KindRateLimited, "rate_limited", "too many requests; please wait")
)
