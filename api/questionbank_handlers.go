package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/errcodes"
	"taxiexam/internal/platform/apperr"
	questionbank "taxiexam/question-bank"
)

// ---- question bank: request and response types ----

// BankChapter is a chapter with its question count.
type BankChapter struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject" doc:"national (全国公共科目) | regional (区域科目)"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Sort      int    `json:"sort"`
	Version   int    `json:"version" doc:"send it back when editing"`
	Questions int    `json:"questions" doc:"questions in the chapter, any status"`
}

// BankChapterList lists chapters.
type BankChapterList struct {
	Items []BankChapter `json:"items"`
}

// ChapterCreateRequest adds a chapter.
type ChapterCreateRequest struct {
	Subject string `json:"subject" doc:"national | regional"`
	Code    string `json:"code" doc:"2-32 lower-case letters, digits, _ and -; used in import files"`
	Name    string `json:"name"`
	Sort    int    `json:"sort"`
}

// ChapterUpdateRequest renames or re-sorts a chapter.
type ChapterUpdateRequest struct {
	Version int    `json:"version" doc:"the version you read; a stale one gets 409"`
	Name    string `json:"name"`
	Sort    int    `json:"sort"`
}

// BankOption is one answer choice.
type BankOption struct {
	Key  string `json:"key" doc:"A-D"`
	Text string `json:"text"`
}

// BankQuestion is a question's working version as the console sees it.
type BankQuestion struct {
	ID          int64        `json:"id"`
	Version     int          `json:"version" doc:"content version being worked on"`
	LiveVersion int          `json:"live_version" doc:"version candidates see; 0 when never published"`
	RowVersion  int          `json:"row_version" doc:"send it back with every change; a stale one gets 409"`
	Status      string       `json:"status" doc:"draft | in_review | published | retired"`
	Subject     string       `json:"subject"`
	ChapterID   int64        `json:"chapter_id"`
	Type        string       `json:"type" doc:"true_false | single | multiple"`
	Stem        string       `json:"stem"`
	Options     []BankOption `json:"options"`
	Answer      []string     `json:"answer"`
	Explanation string       `json:"explanation"`
	ImageURL    string       `json:"image_url"`
	Difficulty  int          `json:"difficulty" doc:"1-5"`
	Tags        []string     `json:"tags"`
	Context     string       `json:"context" doc:"both | taxi | ride_hailing"`
	ReviewNote  string       `json:"review_note" doc:"why the reviewer sent it back"`
	UpdatedAt   time.Time    `json:"updated_at"`
	UpdatedBy   int64        `json:"updated_by"`
}

// BankVersion is one stored version of a question.
type BankVersion struct {
	Version     int          `json:"version"`
	Frozen      bool         `json:"frozen" doc:"published once; never changes again"`
	Stem        string       `json:"stem"`
	Options     []BankOption `json:"options"`
	Answer      []string     `json:"answer"`
	Explanation string       `json:"explanation"`
	ImageURL    string       `json:"image_url"`
}

// BankVersionList lists versions, newest first.
type BankVersionList struct {
	Items []BankVersion `json:"items"`
}

// QuestionRequest is a question's content.
type QuestionRequest struct {
	Subject     string       `json:"subject" doc:"national | regional"`
	ChapterID   int64        `json:"chapter_id"`
	Type        string       `json:"type" doc:"true_false | single | multiple"`
	Stem        string       `json:"stem"`
	Options     []BankOption `json:"options" doc:"A-D in order; leave empty for true/false (A=正确 B=错误)"`
	Answer      []string     `json:"answer" doc:"correct keys; exactly one unless multiple"`
	Explanation string       `json:"explanation"`
	ImageID     string       `json:"image_id" doc:"id of an uploaded image, or empty"`
	Difficulty  int          `json:"difficulty" doc:"1-5, default 2"`
	Tags        []string     `json:"tags"`
	Context     string       `json:"context" doc:"both (default) | taxi | ride_hailing"`
}

// QuestionUpdateRequest replaces a question's content.
type QuestionUpdateRequest struct {
	RowVersion int `json:"row_version" doc:"the row_version you read"`
	QuestionRequest
}

// RowVersionRequest names the state a lifecycle step acts on.
type RowVersionRequest struct {
	RowVersion int `json:"row_version" doc:"the row_version you read"`
}

// RejectRequest sends a question back to draft.
type RejectRequest struct {
	RowVersion int    `json:"row_version"`
	Note       string `json:"note" doc:"what to fix"`
}

// QuestionSearchQuery filters the console list.
type QuestionSearchQuery struct {
	Subject   string `form:"subject" json:"subject" doc:"national | regional"`
	ChapterID int64  `form:"chapter_id" json:"chapter_id"`
	Type      string `form:"type" json:"type" doc:"true_false | single | multiple"`
	Status    string `form:"status" json:"status" doc:"draft | in_review | published | retired"`
	Text      string `form:"text" json:"text" doc:"part of the stem"`
	Page      int    `form:"page" json:"page"`
	PageSize  int    `form:"page_size" json:"page_size"`
}

// ExportQuery picks the format and filters of an export.
type ExportQuery struct {
	Format    string `form:"format" json:"format" doc:"xlsx (default) | csv"`
	Subject   string `form:"subject" json:"subject"`
	ChapterID int64  `form:"chapter_id" json:"chapter_id"`
	Type      string `form:"type" json:"type"`
	Status    string `form:"status" json:"status"`
	Text      string `form:"text" json:"text"`
}

// FormatQuery picks a sheet format.
type FormatQuery struct {
	Format string `form:"format" json:"format" doc:"xlsx (default) | csv"`
}

// BankImage is an uploaded image.
type BankImage struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

// ImportRowError is one bad cell of an import.
type ImportRowError struct {
	Row    int            `json:"row" doc:"row number in the file; the header is row 1"`
	Column string         `json:"column" doc:"spreadsheet column letter"`
	Field  string         `json:"field"`
	Reason string         `json:"reason" doc:"English"`
	Code   string         `json:"code,omitempty" doc:"reason code the client translates (empty for reports saved before codes)"`
	Params map[string]any `json:"params,omitempty"`
}

// ImportPreviewRow is a parsed row.
type ImportPreviewRow struct {
	Row         int          `json:"row"`
	Subject     string       `json:"subject"`
	ChapterID   int64        `json:"chapter_id"`
	Type        string       `json:"type"`
	Stem        string       `json:"stem"`
	Options     []BankOption `json:"options"`
	Answer      []string     `json:"answer"`
	Explanation string       `json:"explanation"`
}

// ImportPreview is the check of an uploaded file.
type ImportPreview struct {
	ID        int64              `json:"id"`
	FileName  string             `json:"file_name"`
	Status    string             `json:"status" doc:"pending | done"`
	ValidRows int                `json:"valid_rows"`
	Errors    []ImportRowError   `json:"errors" doc:"every bad cell; a file with any error cannot be confirmed"`
	Preview   []ImportPreviewRow `json:"preview" doc:"the first rows as they will be imported"`
	CanImport bool               `json:"can_import"`
}

// ImportConfirmed reports a written import.
type ImportConfirmed struct {
	Imported int    `json:"imported" doc:"questions added, all in review"`
	Status   string `json:"status"`
}

// BlueprintItemJSON asks for questions of one chapter and type.
type BlueprintItemJSON struct {
	ChapterID int64  `json:"chapter_id"`
	Type      string `json:"type" doc:"true_false | single | multiple"`
	Count     int    `json:"count"`
	Points    int    `json:"points" doc:"per question"`
}

// BlueprintSectionJSON is one subject of a paper.
type BlueprintSectionJSON struct {
	Subject         string              `json:"subject" doc:"national | regional"`
	DurationMinutes int                 `json:"duration_minutes"`
	PassPercent     int                 `json:"pass_percent"`
	TotalPoints     int                 `json:"total_points" doc:"computed; ignored on input"`
	Items           []BlueprintItemJSON `json:"items"`
}

// BankBlueprint is a paper blueprint.
type BankBlueprint struct {
	ID         int64                  `json:"id"`
	Name       string                 `json:"name"`
	Kind       string                 `json:"kind" doc:"formal | mock"`
	IsDefault  bool                   `json:"is_default"`
	Version    int                    `json:"version"`
	Sections   []BlueprintSectionJSON `json:"sections"`
	Shortfalls []string               `json:"shortfalls" doc:"items the published bank cannot fill (empty: a paper can be drawn)"`
}

// BankBlueprintList lists blueprints.
type BankBlueprintList struct {
	Items []BankBlueprint `json:"items"`
}

// BlueprintRequest creates or replaces a blueprint.
type BlueprintRequest struct {
	Version   int                    `json:"version" doc:"on update: the version you read"`
	Name      string                 `json:"name"`
	Kind      string                 `json:"kind" doc:"formal | mock"`
	IsDefault bool                   `json:"is_default" doc:"replaces the previous default of this kind"`
	Sections  []BlueprintSectionJSON `json:"sections"`
}

// ---- conversions ----

func bankOptions(o []questionbank.Option) []BankOption {
	return mapSlice(o, func(x questionbank.Option) BankOption { return BankOption(x) })
}

func domainOptions(o []BankOption) []questionbank.Option {
	return mapSlice(o, func(x BankOption) questionbank.Option { return questionbank.Option(x) })
}

func (s *Server) bankQuestion(q questionbank.QuestionInfo) BankQuestion {
	return BankQuestion{ID: q.ID, Version: q.Version, LiveVersion: q.LiveVersion, RowVersion: q.RowVersion, Status: q.Status,
		Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type), Stem: q.Stem, Options: bankOptions(q.Options),
		Answer: letters(q.Answer), Explanation: q.Explanation, ImageURL: q.ImageURL, Difficulty: q.Difficulty, Tags: nonNil(q.Tags),
		Context: q.Context, ReviewNote: q.ReviewNote, UpdatedAt: s.at(q.UpdatedAt), UpdatedBy: q.UpdatedBy}
}

func (r QuestionRequest) input() questionbank.QuestionInput {
	return questionbank.QuestionInput{Subject: questionbank.Subject(r.Subject), ChapterID: r.ChapterID, Type: questionbank.QuestionType(r.Type),
		Stem: r.Stem, Options: domainOptions(r.Options), Answer: r.Answer, Explanation: r.Explanation, ImageID: r.ImageID,
		Difficulty: r.Difficulty, Tags: r.Tags, Context: r.Context}
}

func bankBlueprint(b questionbank.BlueprintView) BankBlueprint {
	out := BankBlueprint{ID: b.ID, Name: b.Name, Kind: b.Kind, IsDefault: b.IsDefault, Version: b.Version, Sections: []BlueprintSectionJSON{}, Shortfalls: nonNil(b.Shortfalls)}
	for _, sec := range b.Sections {
		sj := BlueprintSectionJSON{Subject: string(sec.Subject), DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent, TotalPoints: sec.TotalPoints(), Items: []BlueprintItemJSON{}}
		for _, it := range sec.Items {
			sj.Items = append(sj.Items, BlueprintItemJSON{ChapterID: it.ChapterID, Type: string(it.Type), Count: it.Count, Points: it.Points})
		}
		out.Sections = append(out.Sections, sj)
	}
	return out
}

func (r BlueprintRequest) input() questionbank.BlueprintInput {
	in := questionbank.BlueprintInput{Name: r.Name, Kind: r.Kind, IsDefault: r.IsDefault}
	for _, sec := range r.Sections {
		bs := questionbank.BlueprintSection{Subject: questionbank.Subject(sec.Subject), DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent}
		for _, it := range sec.Items {
			bs.Items = append(bs.Items, questionbank.BlueprintItem{ChapterID: it.ChapterID, Type: questionbank.QuestionType(it.Type), Count: it.Count, Points: it.Points})
		}
		in.Sections = append(in.Sections, bs)
	}
	return in
}

func importPreview(b questionbank.ImportBatch) ImportPreview {
	p := ImportPreview{ID: b.ID, FileName: b.FileName, Status: b.Status, ValidRows: len(b.Rows), Errors: []ImportRowError{}, Preview: []ImportPreviewRow{},
		CanImport: len(b.Errors) == 0 && b.Status == questionbank.ImportPending}
	for _, e := range b.Errors {
		p.Errors = append(p.Errors, ImportRowError{Row: e.Row, Column: e.Column, Field: e.Field, Reason: e.Reason.Message(), Code: e.Reason.Code(), Params: e.Reason.Params()})
	}
	for i, r := range b.Rows {
		if i == questionbank.PreviewLimit {
			break
		}
		q := r.Question
		p.Preview = append(p.Preview, ImportPreviewRow{Row: r.Row, Subject: string(q.Subject), ChapterID: q.ChapterID, Type: string(q.Type),
			Stem: q.Stem, Options: bankOptions(q.Options), Answer: letters(q.Answer), Explanation: q.Explanation})
	}
	return p
}

func searchFilter(c *gin.Context) (questionbank.SearchFilter, apperr.Fields) {
	f := apperr.Fields{}
	return questionbank.SearchFilter{Subject: questionbank.Subject(c.Query("subject")), ChapterID: queryInt(c, f, "chapter_id", 1, rsnPositiveWhole),
		Type: questionbank.QuestionType(c.Query("type")), Status: c.Query("status"), Text: c.Query("text")}, f
}

func sheetFormat(c *gin.Context) (string, error) {
	switch f := c.DefaultQuery("format", questionbank.FormatXLSX); f {
	case questionbank.FormatXLSX, questionbank.FormatCSV:
		return f, nil
	default:
		return "", apperr.Invalid(apperr.Fields{"format": apperr.OneOf("xlsx", "csv")})
	}
}

func sendSheet(c *gin.Context, format, base string, b []byte) {
	ctype := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if format == questionbank.FormatCSV {
		ctype = "text/csv; charset=utf-8"
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": base + "." + format}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, b)
}

// bankUpload reads an uploaded image or import file.
func (s *Server) bankUpload(c *gin.Context) ([]byte, string, error) {
	limit := s.deps.Config.Server.UploadLimitBytes
	return uploadedFile(c, limit, errBodyTooLarge.WithMessage("the upload is larger than %d bytes", limit))
}

// ---- chapters ----

func bankChapterJSON(ch questionbank.Chapter) BankChapter {
	return BankChapter{ID: ch.ID, Subject: string(ch.Subject), Code: ch.Code, Name: ch.Name, Sort: ch.Sort, Version: ch.Version}
}

func (s *Server) bankChapters(c *gin.Context) (BankChapterList, error) {
	cs, err := s.deps.Bank.ChaptersWithCounts(c.Request.Context())
	return BankChapterList{Items: mapSlice(cs, func(ch questionbank.ChapterStats) BankChapter {
		out := bankChapterJSON(ch.Chapter)
		out.Questions = ch.Questions
		return out
	})}, err
}

func (s *Server) createBankChapter(c *gin.Context, req ChapterCreateRequest) (BankChapter, error) {
	ch, err := s.deps.Bank.CreateChapter(c.Request.Context(), questionbank.ChapterInput{Subject: questionbank.Subject(req.Subject), Code: req.Code, Name: req.Name, Sort: req.Sort})
	return bankChapterJSON(ch), err
}

func (s *Server) updateBankChapter(c *gin.Context, id int64, req ChapterUpdateRequest) (BankChapter, error) {
	ch, err := s.deps.Bank.UpdateChapter(c.Request.Context(), id, req.Version, questionbank.ChapterInput{Name: req.Name, Sort: req.Sort})
	return bankChapterJSON(ch), err
}

func (s *Server) deleteBankChapter(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Bank.DeleteChapter(c.Request.Context(), id)
}

// ---- questions ----

func (s *Server) searchBankQuestions(c *gin.Context, p pageReq) ([]BankQuestion, int64, error) {
	f, bad := searchFilter(c)
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	f.Page, f.PageSize = p.page, p.size
	qs, total, err := s.deps.Bank.SearchQuestions(c.Request.Context(), f)
	return mapSlice(qs, s.bankQuestion), total, err
}

func (s *Server) getBankQuestion(c *gin.Context, id int64) (BankQuestion, error) {
	q, err := s.deps.Bank.Question(c.Request.Context(), id)
	return s.bankQuestion(q), err
}

func (s *Server) bankQuestionVersions(c *gin.Context, id int64) (BankVersionList, error) {
	vs, err := s.deps.Bank.History(c.Request.Context(), id)
	return BankVersionList{Items: mapSlice(vs, func(v questionbank.Question) BankVersion {
		return BankVersion{Version: v.Version, Frozen: v.Status == questionbank.StatusPublished, Stem: v.Stem,
			Options: bankOptions(v.Options), Answer: letters(v.Answer), Explanation: v.Explanation, ImageURL: v.ImageURL}
	})}, err
}

func (s *Server) createBankQuestion(c *gin.Context, req QuestionRequest) (BankQuestion, error) {
	q, err := s.deps.Bank.CreateQuestion(c.Request.Context(), req.input())
	return s.bankQuestion(q), err
}

func (s *Server) updateBankQuestion(c *gin.Context, id int64, req QuestionUpdateRequest) (BankQuestion, error) {
	q, err := s.deps.Bank.UpdateQuestion(c.Request.Context(), id, req.RowVersion, req.QuestionRequest.input())
	return s.bankQuestion(q), err
}

// bankStep runs one lifecycle step (submit, approve, retire).
func (s *Server) bankStep(step func(ctx context.Context, id int64, rowVersion int) (questionbank.QuestionInfo, error)) gin.HandlerFunc {
	return withIDBody(func(c *gin.Context, id int64, req RowVersionRequest) (BankQuestion, error) {
		q, err := step(c.Request.Context(), id, req.RowVersion)
		return s.bankQuestion(q), err
	})
}

func (s *Server) rejectBankQuestion(c *gin.Context, id int64, req RejectRequest) (BankQuestion, error) {
	q, err := s.deps.Bank.Reject(c.Request.Context(), id, req.RowVersion, req.Note)
	return s.bankQuestion(q), err
}

// ---- images ----

func (s *Server) uploadBankImage(c *gin.Context) {
	data, _, err := s.bankUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	img, err := s.deps.Bank.UploadImage(c.Request.Context(), data)
	respond(c, BankImage{ID: img.ID, URL: questionbank.ImageURL(img.ID), ContentType: img.ContentType, Width: img.Width, Height: img.Height}, err)
}

// bankImage serves an image. Images are content-addressed, so they never
// change: browsers may keep them for a year and revalidate by ETag.
func (s *Server) bankImage(c *gin.Context) {
	id := c.Param("id")
	etag := `"` + id + `"`
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		c.Header("ETag", etag)
		c.Header("Cache-Control", "private, max-age=31536000, immutable")
		c.Status(http.StatusNotModified)
		return
	}
	img, err := s.deps.Bank.Image(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s"`, id[:12]))
	c.Data(http.StatusOK, img.ContentType, img.Data)
}

// ---- import / export ----

func (s *Server) bankTemplate(c *gin.Context) {
	format, err := sheetFormat(c)
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Bank.Template(c.Request.Context(), format)
	if err != nil {
		fail(c, err)
		return
	}
	sendSheet(c, format, "question-bank-template", b)
}

func (s *Server) exportBank(c *gin.Context) {
	format, err := sheetFormat(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, bad := searchFilter(c)
	if err := bad.Err(); err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Bank.Export(c.Request.Context(), format, f)
	if err != nil {
		fail(c, err)
		return
	}
	sendSheet(c, format, "question-bank-"+s.now().Format("20060102-1504"), b)
}

func (s *Server) previewBankImport(c *gin.Context) {
	data, name, err := s.bankUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Bank.PreviewImport(c.Request.Context(), name, data)
	respond(c, importPreview(b), err)
}

func (s *Server) getBankImport(c *gin.Context, id int64) (ImportPreview, error) {
	b, err := s.deps.Bank.Import(c.Request.Context(), id)
	return importPreview(b), err
}

func (s *Server) confirmBankImport(c *gin.Context, id int64) (ImportConfirmed, error) {
	n, err := s.deps.Bank.ConfirmImport(c.Request.Context(), id)
	return ImportConfirmed{Imported: n, Status: questionbank.ImportDone}, err
}

// ---- blueprints ----

func (s *Server) bankBlueprints(c *gin.Context) (BankBlueprintList, error) {
	vs, err := s.deps.Bank.BlueprintViews(c.Request.Context())
	out := BankBlueprintList{Items: make([]BankBlueprint, len(vs))}
	for i, v := range vs {
		out.Items[i] = bankBlueprint(v)
	}
	return out, err
}

func (s *Server) getBankBlueprint(c *gin.Context, id int64) (BankBlueprint, error) {
	v, err := s.deps.Bank.BlueprintView(c.Request.Context(), id)
	return bankBlueprint(v), err
}

func (s *Server) createBankBlueprint(c *gin.Context, req BlueprintRequest) (BankBlueprint, error) {
	v, err := s.deps.Bank.CreateBlueprintView(c.Request.Context(), req.input())
	return bankBlueprint(v), err
}

func (s *Server) updateBankBlueprint(c *gin.Context, id int64, req BlueprintRequest) (BankBlueprint, error) {
	v, err := s.deps.Bank.UpdateBlueprintView(c.Request.Context(), id, req.Version, req.input())
	return bankBlueprint(v), err
}

// LangQuery picks the language of a report; without it, Accept-Language.
type LangQuery struct {
	Lang string `form:"lang" json:"lang" doc:"zh-CN | en; default: the Accept-Language header, else zh-CN"`
}

// reportHeaders are the error report's sheet name and column titles.
var reportHeaders = map[string][4]string{
	"zh-CN": {"错误", "行", "列", "原因"},
	"en":    {"Errors", "Row", "Column", "Reason"},
}

// bankImportErrors is a checked import's error report (xlsx) in the
// language of the person who asks for it.
func (s *Server) bankImportErrors(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	lang := errcodes.Lang(c.Query("lang"), c.GetHeader("Accept-Language"))
	tr, err := errcodes.NewTranslator(lang)
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Bank.Import(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := questionbank.ErrorReport(b, reportHeaders[lang], tr.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	sendSheet(c, questionbank.FormatXLSX, fmt.Sprintf("import-%d-errors", id), out)
}
