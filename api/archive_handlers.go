package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/archive"
	"taxiexam/internal/platform/apperr"
)

// The dossier itself is served in the archive file format (archive.Record,
// "taxiexam-dossier/1"): the same document the zip export holds, so what
// the console shows and what the archive office files cannot differ.

// ArchiveSearchQuery finds candidates.
type ArchiveSearchQuery struct {
	PageQuery
	Q string `form:"q" json:"q" doc:"the full 18-character ID number, an 11-digit phone number or a candidate number; empty: newest applications first"`
}

// ArchiveHit is a candidate found (masked).
type ArchiveHit struct {
	CandidateID   int64     `json:"candidate_id"`
	NameMasked    string    `json:"name_masked"`
	IDNumber      string    `json:"id_number_masked"`
	PhoneMasked   string    `json:"phone_masked"`
	ApplicationID int64     `json:"application_id"`
	Status        string    `json:"status" doc:"of the newest application"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// DossierQuery asks for the full personal data.
type DossierQuery struct {
	Full string `form:"full" json:"full" doc:"true: personal data unmasked (bureau admins; the view is audited)"`
}

// ArchiveExportRequest asks for a bulk export of a period.
type ArchiveExportRequest struct {
	From string `json:"from" doc:"first day, 2006-01-02 in the bureau's zone"`
	To   string `json:"to" doc:"last day, inclusive; at most archive.max_export_days days after from"`
}

// ArchiveExport is a bulk export and how far it is.
type ArchiveExport struct {
	ID         int64      `json:"id"`
	From       string     `json:"from"`
	To         string     `json:"to"`
	Status     string     `json:"status" doc:"queued | running | done | failed"`
	Total      int        `json:"total" doc:"candidates in the period (known once running)"`
	Done       int        `json:"done"`
	Percent    int        `json:"percent"`
	Bytes      int64      `json:"bytes"`
	Error      string     `json:"error"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// RetentionLineJSON is one rule's dry run.
type RetentionLineJSON struct {
	What        string     `json:"what" doc:"messages | practice | unqualified_applicants | certificate_holders | audit_log"`
	Action      string     `json:"action" doc:"delete | anonymise"`
	Years       int        `json:"years"`
	Cutoff      time.Time  `json:"cutoff" doc:"records older than this"`
	Records     int64      `json:"records"`
	Candidates  int64      `json:"candidates"`
	Oldest      *time.Time `json:"oldest"`
	Description string     `json:"description"`
}

// RetentionReportJSON is the retention rule's dry run: nothing is changed.
type RetentionReportJSON struct {
	At     time.Time           `json:"at"`
	DryRun bool                `json:"dry_run"`
	Lines  []RetentionLineJSON `json:"lines"`
}

func (s *Server) archiveSearch(c *gin.Context, p pageReq) ([]ArchiveHit, int64, error) {
	hits, total, err := s.deps.Archive.Search(c.Request.Context(), c.Query("q"), p.offset(), p.size)
	out := make([]ArchiveHit, len(hits))
	for i, h := range hits {
		out[i] = ArchiveHit{CandidateID: h.CandidateID, NameMasked: h.Name, IDNumber: h.IDNumber, PhoneMasked: h.Phone, ApplicationID: h.ApplicationID,
			Status: h.Status, UpdatedAt: h.UpdatedAt}
	}
	return out, total, err
}

func boolQuery(c *gin.Context, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalid(apperr.Fields{name: apperr.Bool()})
	}
	return b, nil
}

func (s *Server) archiveDossier(c *gin.Context, id int64) (archive.Record, error) {
	full, err := boolQuery(c, "full")
	if err != nil {
		return archive.Record{}, err
	}
	c.Header("Cache-Control", "no-store")
	return s.deps.Archive.Dossier(c.Request.Context(), id, full)
}

func (s *Server) archivePaper(c *gin.Context) {
	id, err := pathID(c, "id")
	if err == nil {
		var aid int64
		if aid, err = pathID(c, "attempt_id"); err == nil {
			var p archive.PaperRecord
			if p, err = s.deps.Archive.Paper(c.Request.Context(), id, aid); err == nil {
				c.Header("Cache-Control", "no-store")
				c.JSON(http.StatusOK, p)
				return
			}
		}
	}
	fail(c, err)
}

func (s *Server) archivePDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, _, err := s.deps.Archive.PDF(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="dossier-%d.pdf"`, id))
	c.Data(http.StatusOK, "application/pdf", b)
}

func (s *Server) archiveZip(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	// Built in memory first: a failure half way must still answer an error, not half a zip.
	var b bytes.Buffer
	if _, err := s.deps.Archive.Zip(c.Request.Context(), id, &b); err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="dossier-%d.zip"`, id))
	c.Data(http.StatusOK, "application/zip", b.Bytes())
}

func (s *Server) exportJSON(e archive.Export) ArchiveExport {
	out := ArchiveExport{ID: e.ID, From: e.From, To: e.To, Status: string(e.Status), Total: e.Total, Done: e.Done, Bytes: e.Bytes, Error: e.Error,
		CreatedAt: s.at(e.CreatedAt), FinishedAt: s.atPtr(e.FinishedAt)}
	switch {
	case e.Status == archive.ExportDone:
		out.Percent = 100
	case e.Total > 0:
		out.Percent = min(99, e.Done*100/e.Total)
	}
	return out
}

func (s *Server) startArchiveExport(c *gin.Context, req ArchiveExportRequest) (ArchiveExport, error) {
	e, err := s.deps.Archive.StartExport(c.Request.Context(), req.From, req.To)
	return s.exportJSON(e), err
}

func (s *Server) archiveExports(c *gin.Context, p pageReq) ([]ArchiveExport, int64, error) {
	list, total, err := s.deps.Archive.Exports(c.Request.Context(), p.offset(), p.size)
	return mapSlice(list, s.exportJSON), total, err
}

func (s *Server) archiveExport(c *gin.Context, id int64) (ArchiveExport, error) {
	e, err := s.deps.Archive.ExportByID(c.Request.Context(), id)
	return s.exportJSON(e), err
}

// archiveExportFile streams a finished export from its file.
func (s *Server) archiveExportFile(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	rc, e, size, err := s.deps.Archive.ExportFile(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	defer rc.Close()
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="archive-%s-%s.zip"`, e.From, e.To))
	c.Header("Content-Length", strconv.FormatInt(size, 10))
	c.Status(http.StatusOK)
	c.Header("Content-Type", "application/zip")
	_, _ = io.Copy(c.Writer, rc)
}

func (s *Server) retentionDryRun(c *gin.Context) (RetentionReportJSON, error) {
	rep, err := s.deps.Archive.RetentionDryRun(c.Request.Context())
	out := RetentionReportJSON{At: s.at(rep.At), DryRun: true, Lines: []RetentionLineJSON{}}
	for _, l := range rep.Lines {
		out.Lines = append(out.Lines, RetentionLineJSON{What: l.Rule.What, Action: l.Rule.Action, Years: l.Rule.Years, Cutoff: s.at(l.Cutoff),
			Records: l.Records, Candidates: l.Subjects, Oldest: s.atPtr(l.Oldest), Description: l.Describes})
	}
	return out, err
}
