package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/exam/results"
	"taxiexam/internal/platform/apperr"
)

// ---- scores (exam/results) ----

// ScoresQuery selects results. Proctors see only their own centre.
type ScoresQuery struct {
	CentreID  int64  `form:"centre_id" json:"centre_id"`
	SessionID int64  `form:"session_id" json:"session_id"`
	From      string `form:"from" json:"from" doc:"YYYY-MM-DD (bureau's zone), inclusive"`
	To        string `form:"to" json:"to" doc:"YYYY-MM-DD, inclusive"`
	Page      int    `form:"page" json:"page"`
	PageSize  int    `form:"page_size" json:"page_size"`
}

// SubjectResultJSON is one subject of one formal attempt.
type SubjectResultJSON struct {
	ID            int64      `json:"id"`
	CandidateID   int64      `json:"candidate_id"`
	ApplicationID int64      `json:"application_id"`
	AttemptID     int64      `json:"attempt_id"`
	SessionID     int64      `json:"session_id"`
	CentreID      int64      `json:"centre_id"`
	Subject       string     `json:"subject" doc:"national | regional"`
	Score         int        `json:"score"`
	TotalPoints   int        `json:"total_points"`
	Percent       int        `json:"percent"`
	PassPercent   int        `json:"pass_percent"`
	Passed        bool       `json:"passed"`
	SatAt         time.Time  `json:"sat_at"`
	ValidUntil    *time.Time `json:"valid_until" doc:"a pass counts until then (3 years); null when failed"`
}

// SubjectStatJSON is a pass rate.
type SubjectStatJSON struct {
	Subject     string  `json:"subject"`
	Sat         int64   `json:"sat"`
	Passed      int64   `json:"passed"`
	PassRatePct float64 `json:"pass_rate_pct" doc:"passed / sat x 100, one decimal"`
}

// AppealJSON is the exact paper a candidate had, with their answers, the
// key and the subject results.
type AppealJSON struct {
	Paper   AttemptView         `json:"paper"`
	Results []SubjectResultJSON `json:"results"`
}

func (s *Server) subjectResultJSON(r results.SubjectResult) SubjectResultJSON {
	out := SubjectResultJSON{ID: r.ID, CandidateID: r.CandidateID, ApplicationID: r.ApplicationID, AttemptID: r.AttemptID, SessionID: r.SessionID,
		CentreID: r.CentreID, Subject: string(r.Subject), Score: r.Score, TotalPoints: r.TotalPoints, Percent: r.Percent(),
		PassPercent: r.PassPercent, Passed: r.Passed, SatAt: s.at(r.SatAt)}
	if r.Passed {
		out.ValidUntil = s.atPtr(r.ValidUntil)
	}
	return out
}

// scoresFilter reads the query; dates are whole days in the bureau's zone.
func (s *Server) scoresFilter(c *gin.Context) (results.Filter, error) {
	var f results.Filter
	bad := apperr.Fields{}
	num := func(name string) int64 {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad.Add(name, apperr.Positive())
		}
		return n
	}
	day := func(name string) time.Time {
		v := c.Query(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, s.deps.Config.Location)
		if err != nil {
			bad.Add(name, apperr.Date())
		}
		return t
	}
	f.CentreID, f.SessionID = num("centre_id"), num("session_id")
	f.From, f.To = day("from"), day("to")
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad.Add("to", apperr.NotBeforeFrom())
	}
	return f, bad.Err()
}

func (s *Server) listScores(c *gin.Context, p pageReq) ([]SubjectResultJSON, int64, error) {
	f, err := s.scoresFilter(c)
	if err != nil {
		return nil, 0, err
	}
	f.Offset, f.Limit = p.offset(), p.size
	list, total, err := s.deps.Results.Search(c.Request.Context(), f)
	return mapSlice(list, s.subjectResultJSON), total, err
}

func (s *Server) scoreStats(c *gin.Context) (itemList[SubjectStatJSON], error) {
	f, err := s.scoresFilter(c)
	if err != nil {
		return itemList[SubjectStatJSON]{}, err
	}
	stats, err := s.deps.Results.Stats(c.Request.Context(), f)
	return itemList[SubjectStatJSON]{Items: mapSlice(stats, func(x results.SubjectStat) SubjectStatJSON {
		rate := 0.0
		if x.Sat > 0 {
			rate = float64(x.Passed*1000/x.Sat) / 10
		}
		return SubjectStatJSON{Subject: string(x.Subject), Sat: x.Sat, Passed: x.Passed, PassRatePct: rate}
	})}, err
}

func (s *Server) exportScores(c *gin.Context) {
	f, err := s.scoresFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Results.ExportXLSX(c.Request.Context(), f, s.deps.Config.Location)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="scores-`+s.now().Format("20060102")+`.xlsx"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

func (s *Server) candidateScores(c *gin.Context, id int64) (itemList[SubjectResultJSON], error) {
	list, err := s.deps.Results.History(c.Request.Context(), id)
	return itemList[SubjectResultJSON]{Items: mapSlice(list, s.subjectResultJSON)}, err
}

func (s *Server) appealPaper(c *gin.Context, id int64) (AppealJSON, error) {
	v, rs, err := s.deps.Results.Appeal(c.Request.Context(), id)
	if err != nil {
		return AppealJSON{}, err
	}
	c.Header("Cache-Control", "no-store")
	return AppealJSON{Paper: s.attemptView(v), Results: mapSlice(rs, s.subjectResultJSON)}, nil
}
