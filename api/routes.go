package api

import (
	"net/http"

	"taxiexam/cert"
	"taxiexam/internal/auth"
)

// routes is THE route table: every endpoint of examd, who may call it, and
// what it takes and returns. The OpenAPI document is generated from it and
// the role-matrix test calls every line as every role.
//
// Keep sections by capability; add a feature's routes in its own section.
func (s *Server) routes() []Route {
	admin := roles(auth.RoleBureauAdmin)
	bankEditors := roles(auth.RoleQuestionEditor, auth.RoleBureauAdmin) // question bank
	return []Route{
		// ---- operations ----
		{Method: http.MethodGet, Path: "/healthz", Access: public, Handler: noBody(s.healthz), Tag: "ops", Summary: "Liveness: the process answers", Resp: HealthResponse{}},
		{Method: http.MethodGet, Path: "/readyz", Access: public, Handler: s.readyz, Tag: "ops", Summary: "Readiness: database and Redis answer (503 otherwise)", Resp: HealthResponse{}},
		{Method: http.MethodGet, Path: "/metrics", Access: public, Handler: s.metrics, Tag: "ops", Summary: "Prometheus metrics (restrict to the monitoring network at the proxy)", Raw: "text/plain"},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Access: public, Handler: s.openapi, Tag: "ops", Summary: "This API's OpenAPI 3 document", Raw: "application/json"},

		// ---- authentication ----
		{Method: http.MethodPost, Path: "/api/v1/auth/sms-code", Access: public, Handler: withBody(s.requestSMSCode), Tag: "auth", Summary: "Send a 6-digit login code by SMS (1/min, 5/h, 10/day per number)", Body: SMSCodeRequest{}, Resp: SMSCodeResponse{}, Status: http.StatusAccepted},
		{Method: http.MethodPost, Path: "/api/v1/auth/candidate/login", Access: public, Handler: withBody(s.candidateLogin), Tag: "auth", Summary: "Candidate login with phone and SMS code; sets the session cookie", Body: CandidateLoginRequest{}, Resp: LoginResponse{}},
		{Method: http.MethodPost, Path: "/api/v1/auth/staff/login", Access: public, Handler: withBody(s.staffLogin), Tag: "auth", Summary: "Staff login with username and password; sets the session cookie", Body: StaffLoginRequest{}, Resp: LoginResponse{}},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Access: anyLoggedIn, Handler: noBody(s.logout), Tag: "auth", Summary: "End this session"},
		{Method: http.MethodGet, Path: "/api/v1/auth/me", Access: anyLoggedIn, Handler: noBody(s.me), Tag: "auth", Summary: "The logged-in user", Resp: Me{}},

		// ---- practice and mock exams (exam/practice, exam/attempt) ----
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters", Access: candidateOnly, Handler: noBody(s.practiceChapters), Tag: "practice", Summary: "Practice home: chapters with the candidate's progress and resume position", Resp: PracticeChapters{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters/:id/study", Access: candidateOnly, Handler: withID(s.practiceStudy), Tag: "practice", Summary: "Study mode: a chapter's questions with answers and explanations", Query: PageQuery{}, Resp: Page[PracticeQuestion]{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/chapters/:id/card", Access: candidateOnly, Handler: withID(s.practiceCard), Tag: "practice", Summary: "Answer card of a chapter: each number unanswered, right or wrong", Resp: PracticeCard{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/next", Access: candidateOnly, Handler: noBody(s.practiceNext), Tag: "practice", Summary: "The next practice question (no key until answered)", Query: PracticeNextQuery{}, Resp: PracticeShown{}},
		{Method: http.MethodPost, Path: "/api/v1/practice/answers", Access: candidateOnly, Handler: withBody(s.practiceAnswer), Tag: "practice", Summary: "Check a practice answer: verdict, key, explanation; updates the wrong-answer book and position", Body: PracticeAnswerRequest{}, Resp: PracticeChecked{}, Idempotent: true},
		{Method: http.MethodPost, Path: "/api/v1/practice/sessions", Access: candidateOnly, Handler: withBody(s.practiceStartSession), Tag: "practice", Summary: "Start a practice session (counted per day for the bureau)", Body: PracticeSessionRequest{}, Resp: PracticeSession{}, Status: http.StatusCreated, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/practice/wrong-book", Access: candidateOnly, Handler: paged(s.practiceWrongBook), Tag: "practice", Summary: "Wrong-answer book, oldest mistake first (a question leaves after 3 right answers in a row)", Query: PageQuery{}, Resp: Page[PracticeEntry]{}},
		{Method: http.MethodGet, Path: "/api/v1/practice/favourites", Access: candidateOnly, Handler: paged(s.practiceFavourites), Tag: "practice", Summary: "Favourite questions, newest first", Query: PageQuery{}, Resp: Page[PracticeEntry]{}},
		{Method: http.MethodPut, Path: "/api/v1/practice/favourites/:question_id", Access: candidateOnly, Handler: s.practiceFavourite(true), Tag: "practice", Summary: "Add a question to the favourites"},
		{Method: http.MethodDelete, Path: "/api/v1/practice/favourites/:question_id", Access: candidateOnly, Handler: s.practiceFavourite(false), Tag: "practice", Summary: "Remove a question from the favourites"},
		{Method: http.MethodGet, Path: "/api/v1/practice/progress", Access: candidateOnly, Handler: noBody(s.practiceProgress), Tag: "practice", Summary: "Progress: per-chapter accuracy, mock history, readiness estimate", Resp: PracticeProgress{}},
		{Method: http.MethodPost, Path: "/api/v1/mock-exams", Access: candidateOnly, Handler: noBody(s.startMock), Tag: "mock", Summary: "Start a full mock exam, or resume the one in progress", Resp: AttemptView{}, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/mock-exams", Access: candidateOnly, Handler: paged(s.listMocks), Tag: "mock", Summary: "The candidate's mock exams, newest first", Query: PageQuery{}, Resp: Page[AttemptSummary]{}},
		{Method: http.MethodGet, Path: "/api/v1/mock-exams/:id", Access: candidateOnly, Handler: withID(s.getMock), Tag: "mock", Summary: "A mock exam: questions and saved answers (keys only after submission), server time and deadline", Resp: AttemptView{}},
		{Method: http.MethodPut, Path: "/api/v1/mock-exams/:id/answers/:question_id", Access: candidateOnly, Handler: s.saveMockAnswer, Tag: "mock", Summary: "Save one answer (a lower or equal seq never overwrites a newer answer)", Body: AttemptAnswerRequest{}, Resp: AttemptAnswerSaved{}},
		{Method: http.MethodPost, Path: "/api/v1/mock-exams/:id/submit", Access: candidateOnly, Handler: withID(s.submitMock), Tag: "mock", Summary: "Submit and grade; returns the result with the review", Resp: AttemptView{}},
		{Method: http.MethodGet, Path: "/api/v1/stats/practice-usage", Access: roles(auth.RoleBureauAdmin), Handler: noBody(s.practiceUsage), Tag: "practice", Summary: "Practice sessions per day (bureau statistics)", Query: UsageQuery{}, Resp: PracticeUsage{}},

		// ---- registration and background check (exam/registration) ----
		{Method: http.MethodGet, Path: "/api/v1/registration/options", Access: public, Handler: noBody(s.registrationOptions), Tag: "registration", Summary: "Fixed lists of the application form: pledge items, licence classes, reject reasons, photo limits", Resp: RegistrationOptions{}},
		{Method: http.MethodGet, Path: "/api/v1/registration/channels/:code", Access: public, Handler: noBody(s.channelLanding), Tag: "registration", Summary: "The channel a QR code opens (active=false: the code is disabled)", Resp: ChannelLanding{}},
		{Method: http.MethodGet, Path: "/api/v1/registration/platforms", Access: public, Handler: s.listPlatforms(false), Tag: "registration", Summary: "Compliant ride-hailing platforms and their driver demand (供需对接)", Resp: itemList[PlatformJSON]{}},
		{Method: http.MethodGet, Path: "/api/v1/registration/offices", Access: public, Handler: s.listOffices(false), Tag: "registration", Summary: "Open issuing windows for certificate pick-up", Resp: itemList[OfficeJSON]{}},
		{Method: http.MethodGet, Path: "/api/v1/me/applications", Access: candidateOnly, Handler: noBody(s.myApplications), Tag: "registration", Summary: "The candidate's applications, newest first", Resp: MyApplications{}},
		{Method: http.MethodPost, Path: "/api/v1/me/applications", Access: candidateOnly, Handler: withBody(s.startApplication), Tag: "registration", Summary: "Open a draft application (remembering the QR channel), or return the open one", Body: StartApplicationRequest{}, Resp: MyApplication{}, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/me/applications/:id", Access: candidateOnly, Handler: withID(s.getMyApplication), Tag: "registration", Summary: "One of the candidate's applications with its status timeline", Resp: MyApplication{}},
		{Method: http.MethodPut, Path: "/api/v1/me/applications/:id", Access: candidateOnly, Handler: withIDBody(s.saveDraft), Tag: "registration", Summary: "Save the form of a draft or returned application (as the candidate types)", Body: SaveDraftRequest{}, Resp: MyApplication{}},
		{Method: http.MethodPost, Path: "/api/v1/me/applications/:id/submit", Access: candidateOnly, Handler: withIDBody(s.submitApplication), Tag: "registration", Summary: "Check every rule and submit for the police background check (SMS)", Body: SubmitRequest{}, Resp: MyApplication{}, Idempotent: true},
		{Method: http.MethodPost, Path: "/api/v1/me/applications/:id/photo", Access: candidateOnly, Handler: s.uploadPhoto, Tag: "registration", Summary: "Upload the ID photo (multipart/form-data field file; JPEG or PNG, portrait, at least 260x320)", Resp: MyApplication{}},
		{Method: http.MethodGet, Path: "/api/v1/me/applications/:id/photo", Access: candidateOnly, Handler: s.applicationPhoto, Tag: "registration", Summary: "The candidate's own ID photo", Raw: "image/jpeg"},
		{Method: http.MethodGet, Path: "/api/v1/review/queue", Access: roles(auth.RolePoliceReviewer), Handler: paged(s.reviewQueue), Tag: "review", Summary: "Applications waiting for a background check, oldest first (ID numbers masked)", Query: QueueQuery{}, Resp: Page[ApplicationSummary]{}},
		{Method: http.MethodGet, Path: "/api/v1/review/applications/:id", Access: roles(auth.RolePoliceReviewer), Handler: withID(s.reviewApplication), Tag: "review", Summary: "Review screen: identity with the full ID number (audited), pledge, history; takes the application under check", Resp: ReviewApplication{}},
		{Method: http.MethodGet, Path: "/api/v1/review/applications/:id/photo", Access: roles(auth.RolePoliceReviewer, auth.RoleBureauAdmin), Handler: s.applicationPhoto, Tag: "review", Summary: "The applicant's ID photo", Raw: "image/jpeg"},
		{Method: http.MethodPost, Path: "/api/v1/review/applications/:id/decision", Access: roles(auth.RolePoliceReviewer), Handler: withIDBody(s.decideApplication), Tag: "review", Summary: "Record the check items and approve, return for correction or reject (SMS; audited)", Body: DecisionRequest{}, Resp: ApplicationSummary{}},
		{Method: http.MethodGet, Path: "/api/v1/review/export.xlsx", Access: roles(auth.RolePoliceReviewer), Handler: s.exportPending, Tag: "review", Summary: "Weekly feedback: pending applications as xlsx for police systems (audited)", Raw: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{Method: http.MethodPost, Path: "/api/v1/review/import", Access: roles(auth.RolePoliceReviewer), Handler: s.importResults, Tag: "review", Summary: "Import the results in the export format (multipart field file); all or nothing, row errors reported", Resp: ImportResultJSON{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/channels", Access: admin, Handler: noBody(s.listChannels), Tag: "registration-admin", Summary: "Registration channels with their application counts", Resp: ChannelList{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/channels", Access: admin, Handler: withBody(s.createChannel), Tag: "registration-admin", Summary: "Create a registration channel (QR code)", Body: CreateChannelRequest{}, Resp: ChannelJSON{}, Status: http.StatusCreated},
		{Method: http.MethodPatch, Path: "/api/v1/admin/channels/:id", Access: admin, Handler: withIDBody(s.updateChannel), Tag: "registration-admin", Summary: "Rename, disable or enable a channel", Body: UpdateChannelRequest{}, Resp: ChannelJSON{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/channels/:id/qr.png", Access: admin, Handler: s.channelQRPNG, Tag: "registration-admin", Summary: "The channel's QR code as PNG at a print size", Query: QRQuery{}, Raw: "image/png"},
		{Method: http.MethodGet, Path: "/api/v1/admin/channels/:id/qr.svg", Access: admin, Handler: s.channelQRSVG, Tag: "registration-admin", Summary: "The channel's QR code as SVG", Raw: "image/svg+xml"},
		{Method: http.MethodGet, Path: "/api/v1/admin/channels/:id/poster", Access: admin, Handler: s.channelPoster, Tag: "registration-admin", Summary: "Printable A4 poster with the channel's QR code", Raw: "text/html"},
		{Method: http.MethodGet, Path: "/api/v1/admin/registration/stats", Access: admin, Handler: noBody(s.registrationStats), Tag: "registration-admin", Summary: "Applications per channel and status, created in a date range", Query: DateRangeQuery{}, Resp: RegistrationStats{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/applications", Access: admin, Handler: paged(s.searchApplications), Tag: "registration-admin", Summary: "Search applications by status, channel and date (personal data masked)", Query: ApplicationSearchQuery{}, Resp: Page[ApplicationSummary]{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/applications/:id", Access: admin, Handler: withID(s.applicationDossier), Tag: "registration-admin", Summary: "The candidate's dossier: all data, status history, messages sent (audited)", Resp: Dossier{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/platforms", Access: admin, Handler: s.listPlatforms(true), Tag: "registration-admin", Summary: "All ride-hailing platforms, including hidden ones", Resp: itemList[PlatformJSON]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/platforms", Access: admin, Handler: withBody(s.createPlatform), Tag: "registration-admin", Summary: "Add a ride-hailing platform", Body: PlatformRequest{}, Resp: PlatformJSON{}, Status: http.StatusCreated},
		{Method: http.MethodPut, Path: "/api/v1/admin/platforms/:id", Access: admin, Handler: withIDBody(s.updatePlatform), Tag: "registration-admin", Summary: "Edit a platform and its driver demand", Body: PlatformRequest{}, Resp: PlatformJSON{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/offices", Access: admin, Handler: s.listOffices(true), Tag: "registration-admin", Summary: "All issuing windows, including closed ones", Resp: itemList[OfficeJSON]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/offices", Access: admin, Handler: withBody(s.createOffice), Tag: "registration-admin", Summary: "Add an issuing window", Body: OfficeRequest{}, Resp: OfficeJSON{}, Status: http.StatusCreated},
		{Method: http.MethodPut, Path: "/api/v1/admin/offices/:id", Access: admin, Handler: withIDBody(s.updateOffice), Tag: "registration-admin", Summary: "Edit or close an issuing window", Body: OfficeRequest{}, Resp: OfficeJSON{}},

		// ---- certificates (cert): e-certificates, public verification, delivery, window, bureau ----
		{Method: http.MethodGet, Path: "/api/v1/me/certificates", Access: candidateOnly, Handler: noBody(s.myCertificates), Tag: "cert", Summary: "The candidate's certificates as cards, newest first (replaced and revoked versions too)", Resp: itemList[CertificateCard]{}},
		{Method: http.MethodGet, Path: "/api/v1/me/certificates/:id/pdf", Access: candidateOnly, Handler: s.myCertificatePDF, Tag: "cert", Summary: "A certificate as a printable PDF with its QR code", Raw: "application/pdf"},
		{Method: http.MethodGet, Path: "/api/v1/me/certificates/:id/qr.png", Access: candidateOnly, Handler: s.myCertificateQR, Tag: "cert", Summary: "The certificate's QR code (a link to the public verify page with the signed token)", Raw: "image/png"},
		{Method: http.MethodGet, Path: "/api/v1/me/certificates/:id/photo", Access: candidateOnly, Handler: s.myCertificatePhoto, Tag: "cert", Summary: "The holder photo of the candidate's certificate", Raw: "image/jpeg"},
		{Method: http.MethodGet, Path: "/api/v1/me/deliveries", Access: candidateOnly, Handler: noBody(s.myDeliveries), Tag: "cert", Summary: "Where the candidate's certificates are: post with the waybill, or pick-up", Resp: itemList[DeliveryJSON]{}},
		{Method: http.MethodPut, Path: "/api/v1/me/deliveries/:id", Access: candidateOnly, Handler: withIDBody(s.changeDelivery), Tag: "cert", Summary: "Switch between post and pick-up until the parcel is dispatched", Body: DeliveryChangeRequest{}, Resp: DeliveryJSON{}, Idempotent: true},
		{Method: http.MethodGet, Path: "/api/v1/cert/verify", Access: public, Handler: noBody(s.verifyCertificate), Tag: "cert-verify", Summary: "Check a certificate QR code: signature and live status (422 certificate_not_genuine; rate-limited per address)", Query: VerifyQuery{}, Resp: VerifyResult{}},
		{Method: http.MethodGet, Path: "/api/v1/cert/verify/photo", Access: public, Handler: s.verifiedPhoto, Tag: "cert-verify", Summary: "The holder photo of a genuine QR code", Query: VerifyQuery{}, Raw: "image/jpeg"},
		{Method: http.MethodGet, Path: "/api/v1/cert/public-keys", Access: public, Handler: noBody(s.certPublicKeys), Tag: "cert-verify", Summary: "The public keys that verify certificate QR codes offline (the active one first; old ones kept)", Resp: PublicKeysJSON{}},
		{Method: http.MethodGet, Path: "/.well-known/taxiexam-certificate-keys.json", Access: public, Handler: noBody(s.certPublicKeys), Tag: "cert-verify", Summary: "The same public keys at a well-known URL, for offline verifiers", Resp: PublicKeysJSON{}},
		{Method: http.MethodGet, Path: "/api/v1/window/parcels", Access: roles(auth.RoleWindowClerk), Handler: paged(s.windowParcels), Tag: "window", Summary: "Parcels of the clerk's office by status (to send, dispatched, at the window, returned)", Query: ParcelQuery{}, Resp: Page[ParcelJSON]{}},
		{Method: http.MethodGet, Path: "/api/v1/window/parcels/sheet", Access: roles(auth.RoleWindowClerk), Handler: s.parcelLabels, Tag: "window", Summary: "Printable list and address labels of the parcels to send", Raw: "text/html"},
		{Method: http.MethodGet, Path: "/api/v1/window/parcels/:id", Access: roles(auth.RoleWindowClerk), Handler: withID(s.windowParcel), Tag: "window", Summary: "A parcel of the clerk's office with its certificates", Resp: ParcelDetail{}},
		{Method: http.MethodGet, Path: "/api/v1/window/parcels/:id/photo", Access: roles(auth.RoleWindowClerk), Handler: s.windowParcelPhoto, Tag: "window", Summary: "The holder photo, to compare at the pick-up desk", Raw: "image/jpeg"},
		{Method: http.MethodPost, Path: "/api/v1/window/parcels/:id/waybill", Access: roles(auth.RoleWindowClerk), Handler: withIDBody(s.enterWaybill), Tag: "window", Summary: "Enter the 13-digit waybill of a posted parcel (SMS with the tracking number; audited)", Body: WaybillRequest{}, Resp: ParcelJSON{}},
		{Method: http.MethodPost, Path: "/api/v1/window/parcels/:id/delivered", Access: roles(auth.RoleWindowClerk), Handler: s.windowParcelStep(s.deps.Certs.MarkDelivered), Tag: "window", Summary: "The post delivered the parcel", Resp: ParcelJSON{}},
		{Method: http.MethodPost, Path: "/api/v1/window/parcels/:id/returned", Access: roles(auth.RoleWindowClerk), Handler: s.windowParcelStep(s.deps.Certs.MarkReturned), Tag: "window", Summary: "The post returned the parcel: it waits at the window (SMS)", Resp: ParcelJSON{}},
		{Method: http.MethodPost, Path: "/api/v1/window/parcels/:id/arrived", Access: roles(auth.RoleWindowClerk), Handler: s.windowParcelStep(s.deps.Certs.MarkArrived), Tag: "window", Summary: "Printed certificates reached the window (SMS ready for pick-up)", Resp: ParcelJSON{}},
		{Method: http.MethodPost, Path: "/api/v1/window/parcels/:id/handover", Access: roles(auth.RoleWindowClerk), Handler: withIDBody(s.handOverParcel), Tag: "window", Summary: "Record the hand-over after the ID check (who, when, to whom, proxy with reason; audited)", Body: HandOverRequest{}, Resp: ParcelJSON{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/certificates", Access: admin, Handler: paged(s.searchCertificates), Tag: "cert-admin", Summary: "Search certificates by holder ID number, kind and status (holder data masked)", Query: CertificateSearchQuery{}, Resp: Page[CertificateDetail]{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/certificates/figures", Access: admin, Handler: noBody(s.certificateFigures), Tag: "cert-admin", Summary: "Issuance and delivery figures for certificates issued in a date range", Query: CertFiguresQuery{}, Resp: CertificateFigures{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/certificates/:id", Access: admin, Handler: withID(s.getCertificate), Tag: "cert-admin", Summary: "A certificate with its history", Resp: CertificateDetail{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/certificates/:id/revoke", Access: admin, Handler: s.certificateAction(cert.ActionRevoked), Tag: "cert-admin", Summary: "Revoke a valid certificate with a reason (audited; the verify page shows revoked)", Body: CertificateActionRequest{}, Resp: CertificateDetail{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/certificates/:id/replace", Access: admin, Handler: s.certificateAction(cert.ActionReplaced), Tag: "cert-admin", Summary: "Replace after loss: a new version; the old one shows replaced (audited)", Body: CertificateActionRequest{}, Resp: CertificateDetail{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/certificates/:id/reissue", Access: admin, Handler: s.certificateAction(cert.ActionReissued), Tag: "cert-admin", Summary: "Reissue with corrected holder data: a new version (audited)", Body: CertificateActionRequest{}, Resp: CertificateDetail{}},

		// ---- question bank (question-bank): chapters, questions & review, images, import/export, blueprints ----
		{Method: http.MethodGet, Path: "/api/v1/bank/chapters", Access: bankEditors, Handler: noBody(s.bankChapters), Tag: "bank", Summary: "Chapters of both subjects with question counts", Resp: BankChapterList{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/chapters", Access: admin, Handler: withBody(s.createBankChapter), Tag: "bank", Summary: "Add a chapter", Body: ChapterCreateRequest{}, Resp: BankChapter{}, Status: http.StatusCreated},
		{Method: http.MethodPatch, Path: "/api/v1/bank/chapters/:id", Access: admin, Handler: withIDBody(s.updateBankChapter), Tag: "bank", Summary: "Rename or re-sort a chapter", Body: ChapterUpdateRequest{}, Resp: BankChapter{}},
		{Method: http.MethodDelete, Path: "/api/v1/bank/chapters/:id", Access: admin, Handler: withID(s.deleteBankChapter), Tag: "bank", Summary: "Delete an empty chapter no blueprint uses"},
		{Method: http.MethodGet, Path: "/api/v1/bank/questions", Access: bankEditors, Handler: paged(s.searchBankQuestions), Tag: "bank", Summary: "Search questions by subject, chapter, type, status and stem text", Query: QuestionSearchQuery{}, Resp: Page[BankQuestion]{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/questions", Access: bankEditors, Handler: withBody(s.createBankQuestion), Tag: "bank", Summary: "Write a new question (draft)", Body: QuestionRequest{}, Resp: BankQuestion{}, Status: http.StatusCreated},
		{Method: http.MethodGet, Path: "/api/v1/bank/questions/:id", Access: bankEditors, Handler: withID(s.getBankQuestion), Tag: "bank", Summary: "A question (working version)", Resp: BankQuestion{}},
		{Method: http.MethodPut, Path: "/api/v1/bank/questions/:id", Access: bankEditors, Handler: withIDBody(s.updateBankQuestion), Tag: "bank", Summary: "Edit a question; a published one gets a new version, the live one stays until it is published", Body: QuestionUpdateRequest{}, Resp: BankQuestion{}},
		{Method: http.MethodGet, Path: "/api/v1/bank/questions/:id/versions", Access: bankEditors, Handler: withID(s.bankQuestionVersions), Tag: "bank", Summary: "Every version of a question, newest first", Resp: BankVersionList{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/questions/:id/submit", Access: bankEditors, Handler: s.bankStep(s.deps.Bank.SubmitForReview), Tag: "bank", Summary: "Send a draft to the review queue", Body: RowVersionRequest{}, Resp: BankQuestion{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/questions/:id/approve", Access: admin, Handler: s.bankStep(s.deps.Bank.Approve), Tag: "bank", Summary: "Publish the version in review (frozen from now on)", Body: RowVersionRequest{}, Resp: BankQuestion{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/questions/:id/reject", Access: admin, Handler: withIDBody(s.rejectBankQuestion), Tag: "bank", Summary: "Send a question in review back to draft with a note", Body: RejectRequest{}, Resp: BankQuestion{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/questions/:id/retire", Access: admin, Handler: s.bankStep(s.deps.Bank.Retire), Tag: "bank", Summary: "Retire a question from practice and new papers", Body: RowVersionRequest{}, Resp: BankQuestion{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/images", Access: bankEditors, Handler: s.uploadBankImage, Tag: "bank", Summary: "Upload a question image (multipart field file; PNG, JPEG or GIF, at most 512 KiB, 4096 px)", Resp: BankImage{}, Status: http.StatusCreated},
		{Method: http.MethodGet, Path: "/api/v1/bank/images/:id", Access: anyLoggedIn, Handler: s.bankImage, Tag: "bank", Summary: "A question image (immutable; cached a year, ETag)", Raw: "image/*"},
		{Method: http.MethodGet, Path: "/api/v1/bank/template", Access: bankEditors, Handler: s.bankTemplate, Tag: "bank", Summary: "Import template with one example row per type and the chapter codes", Query: FormatQuery{}, Raw: "application/octet-stream"},
		{Method: http.MethodGet, Path: "/api/v1/bank/export", Access: bankEditors, Handler: s.exportBank, Tag: "bank", Summary: "Export the questions matching the filters in the import format", Query: ExportQuery{}, Raw: "application/octet-stream"},
		{Method: http.MethodPost, Path: "/api/v1/bank/imports", Access: bankEditors, Handler: s.previewBankImport, Tag: "bank", Summary: "Upload an .xlsx or .csv (multipart field file) and check every row; nothing is written yet", Resp: ImportPreview{}, Status: http.StatusCreated},
		{Method: http.MethodGet, Path: "/api/v1/bank/imports/:id", Access: bankEditors, Handler: withID(s.getBankImport), Tag: "bank", Summary: "An import check report", Resp: ImportPreview{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/imports/:id/confirm", Access: bankEditors, Handler: withID(s.confirmBankImport), Tag: "bank", Summary: "Write a clean import: every row becomes a question in review, all or nothing", Resp: ImportConfirmed{}},
		{Method: http.MethodGet, Path: "/api/v1/bank/blueprints", Access: bankEditors, Handler: noBody(s.bankBlueprints), Tag: "bank", Summary: "Paper blueprints with what the published bank cannot fill", Resp: BankBlueprintList{}},
		{Method: http.MethodPost, Path: "/api/v1/bank/blueprints", Access: admin, Handler: withBody(s.createBankBlueprint), Tag: "bank", Summary: "Add a blueprint", Body: BlueprintRequest{}, Resp: BankBlueprint{}, Status: http.StatusCreated},
		{Method: http.MethodGet, Path: "/api/v1/bank/blueprints/:id", Access: bankEditors, Handler: withID(s.getBankBlueprint), Tag: "bank", Summary: "A blueprint", Resp: BankBlueprint{}},
		{Method: http.MethodPut, Path: "/api/v1/bank/blueprints/:id", Access: admin, Handler: withIDBody(s.updateBankBlueprint), Tag: "bank", Summary: "Replace a blueprint (papers already drawn keep their questions)", Body: BlueprintRequest{}, Resp: BankBlueprint{}},

		// ---- bureau: staff accounts and audit ----
		{Method: http.MethodGet, Path: "/api/v1/admin/staff", Access: admin, Handler: paged(s.listStaff), Tag: "admin", Summary: "List staff accounts", Query: PageQuery{}, Resp: Page[StaffUser]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/staff", Access: admin, Handler: withBody(s.createStaff), Tag: "admin", Summary: "Create a staff account", Body: CreateStaffRequest{}, Resp: StaffUser{}, Status: http.StatusCreated},
		{Method: http.MethodPatch, Path: "/api/v1/admin/staff/:id", Access: admin, Handler: withIDBody(s.updateStaff), Tag: "admin", Summary: "Edit, disable or reset the password of a staff account", Body: UpdateStaffRequest{}, Resp: StaffUser{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/staff/:id/sessions", Access: admin, Handler: withID(s.staffSessions), Tag: "admin", Summary: "A staff user's sessions", Resp: itemList[SessionInfo]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/staff/:id/revoke-sessions", Access: admin, Handler: withID(s.revokeStaffSessions), Tag: "admin", Summary: "Log a staff user out everywhere"},
		{Method: http.MethodGet, Path: "/api/v1/admin/audit", Access: admin, Handler: paged(s.listAudit), Tag: "admin", Summary: "Audit log, newest first (read-only)", Query: AuditQuery{}, Resp: Page[AuditRecord]{}},

		// ---- notifications: queue monitoring (internal/notify) ----
		{Method: http.MethodGet, Path: "/api/v1/admin/notify/stats", Access: admin, Handler: noBody(s.notifyStats), Tag: "notify", Summary: "Queue depth per topic (outbox and Redis stream) and the oldest due message's age", Resp: NotifyStats{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/notify/messages", Access: admin, Handler: paged(s.notifyMessages), Tag: "notify", Summary: "Recent messages, newest first, by topic, status, candidate or phone (phones masked, codes hidden)", Query: NotifyMessagesQuery{}, Resp: Page[NotifyMessage]{}},
		{Method: http.MethodPost, Path: "/api/v1/admin/notify/messages/:id/retry", Access: admin, Handler: withID(s.retryNotifyMessage), Tag: "notify", Summary: "Send a dead message again (attempts start over; audited)", Resp: NotifyMessage{}},
		{Method: http.MethodGet, Path: "/api/v1/admin/notify/templates", Access: admin, Handler: noBody(s.notifyTemplates), Tag: "notify", Summary: "Every message template the product sends, with its variables", Resp: itemList[NotifyTemplate]{}},
	}
}
