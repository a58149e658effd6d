package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// ---------------------------------------------------------------- one dossier

// PDF renders a candidate's dossier in full (bureau only, audited): every
// section, and the formal papers question by question.
func (s *Service) PDF(ctx context.Context, candidateID int64) ([]byte, Record, error) {
	if s.d.Printer == nil {
		return nil, Record{}, ErrNoPrinter
	}
	r, papers, err := s.exportable(ctx, candidateID, "archive.export_pdf")
	if err != nil {
		return nil, Record{}, err
	}
	var formal []PaperRecord
	for _, p := range papers {
		if p.Kind == "formal" {
			formal = append(formal, p)
		}
	}
	b, err := s.d.Printer.PDF(r, formal)
	return b, r, err
}

// Zip is a candidate's dossier as machine-readable files (bureau only,
// audited): dossier.json (the whole record), one CSV per section, every
// attempt's exact paper as papers/attempt-ID.json, and the PDF.
func (s *Service) Zip(ctx context.Context, candidateID int64, w io.Writer) (Record, error) {
	r, papers, err := s.exportable(ctx, candidateID, "archive.export_zip")
	if err != nil {
		return Record{}, err
	}
	z := zip.NewWriter(w)
	if err := s.writeDossier(z, "", r, papers, true); err != nil {
		return Record{}, err
	}
	return r, z.Close()
}

// exportable reads the full dossier and its papers for an export, with the
// audit entry of the export in the same transaction.
func (s *Service) exportable(ctx context.Context, candidateID int64, action string) (Record, []PaperRecord, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return Record{}, nil, err
	}
	if !v.bureau() {
		return Record{}, nil, ErrFullDataForbidden
	}
	var r Record
	var papers []PaperRecord
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.build(ctx, v, candidateID, true); err != nil {
			return err
		}
		if papers, err = s.papers(ctx, r); err != nil {
			return err
		}
		return s.d.Audit.Record(ctx, audit.Entry{Action: action, TargetType: "candidate", TargetID: itoa(candidateID)})
	})
	return r, papers, err
}

// writeDossier adds one dossier's files under dir ("" or "candidate-12/");
// withPDF adds the printable dossier too (single exports: a bulk export of
// a year would spend most of its time typesetting).
func (s *Service) writeDossier(z *zip.Writer, dir string, r Record, papers []PaperRecord, withPDF bool) error {
	put := func(name string, fn func(w io.Writer) error) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: dir + name, Method: zip.Deflate, Modified: r.GeneratedAt})
		if err != nil {
			return err
		}
		return fn(w)
	}
	js := func(v any) func(io.Writer) error {
		return func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		}
	}
	if err := put("dossier.json", js(r)); err != nil {
		return err
	}
	for _, t := range tables(r) {
		if err := put(t.name+".csv", t.write); err != nil {
			return err
		}
	}
	for _, p := range papers {
		if err := put(fmt.Sprintf("papers/attempt-%d.json", p.AttemptID), js(p)); err != nil {
			return err
		}
	}
	if withPDF && s.d.Printer != nil {
		var formal []PaperRecord
		for _, p := range papers {
			if p.Kind == "formal" {
				formal = append(formal, p)
			}
		}
		pdf, err := s.d.Printer.PDF(r, formal)
		if err != nil {
			return err
		}
		if err := put("dossier.pdf", func(w io.Writer) error { _, err := w.Write(pdf); return err }); err != nil {
			return err
		}
	}
	return nil
}

// table is one CSV of the zip.
type table struct {
	name  string
	write func(w io.Writer) error
}

func csvOf(header []string, rows [][]string) func(io.Writer) error {
	return func(w io.Writer) error {
		// A BOM so spreadsheet programs read the Chinese as UTF-8.
		if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func tp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func tables(r Record) []table {
	var apps, hist, books, atts, res, certs, cevents, dels, msgs, acts, led [][]string
	for _, a := range r.Applications {
		apps = append(apps, []string{i64(a.ID), a.Status, a.Channel, ts(a.CreatedAt), tp(a.SubmittedAt), tp(a.DecidedAt), strconv.Itoa(a.SubmitCount),
			a.Form.Name, a.Form.IDNumber, a.Form.LicenceClass, a.Form.LicenceFirstIssued, a.Form.Delivery, a.ReasonCode, a.Reason})
		for _, h := range a.History {
			hist = append(hist, []string{i64(a.ID), ts(h.At), h.Status, h.Actor, h.Note, h.SMS})
		}
	}
	for _, b := range r.Bookings {
		books = append(books, []string{i64(b.ID), i64(b.SessionID), b.Centre, b.Room, ts(b.StartsAt), strconv.Itoa(b.Seat), b.TicketNo, b.Status, i64(b.ReplacesID), ts(b.CreatedAt), ts(b.ChangedAt), tp(b.CheckedInAt)})
	}
	for _, a := range r.Attempts {
		var parts []string
		for _, sec := range a.Sections {
			parts = append(parts, fmt.Sprintf("%s %d/%d", sec.Subject, sec.Score, sec.TotalPoints))
		}
		atts = append(atts, []string{i64(a.ID), a.Kind, ts(a.StartedAt), tp(a.SubmittedAt), a.Reason, strconv.FormatBool(a.Passed), strings.Join(parts, "; ")})
	}
	for _, x := range r.Results {
		res = append(res, []string{i64(x.ID), i64(x.AttemptID), x.Subject, strconv.Itoa(x.Score), strconv.Itoa(x.TotalPoints), strconv.Itoa(x.PassPercent),
			strconv.FormatBool(x.Passed), ts(x.SatAt), ts(x.ValidUntil), strconv.FormatBool(x.ValidNow)})
	}
	for _, c := range r.Certificates {
		certs = append(certs, []string{i64(c.ID), c.Kind, strconv.Itoa(c.Version), c.LicenceID, c.Holder, c.IDNumber, c.IssuedOn, c.ExpiresOn, c.Status, c.Reason, i64(c.ReplacedBy)})
		for _, e := range c.History {
			cevents = append(cevents, []string{i64(c.ID), ts(e.At), e.Action, e.Actor, e.Reason})
		}
	}
	for _, d := range r.Deliveries {
		dels = append(dels, []string{i64(d.ID), i64(d.ApplicationID), d.Method, d.Status, d.Waybill, tp(d.OrderedAt), tp(d.DispatchedAt), tp(d.DeliveredAt),
			tp(d.ArrivedAt), tp(d.CollectedAt), d.CollectedBy, strconv.FormatBool(d.Proxy), d.ProxyReason})
	}
	for _, m := range r.Messages {
		msgs = append(msgs, []string{i64(m.ID), m.Topic, m.Template, m.Title, m.To, m.Summary, m.Status, ts(m.CreatedAt), tp(m.SentAt)})
	}
	for _, a := range r.StaffActions {
		acts = append(acts, []string{ts(a.At), a.Actor, a.Action, a.Target, a.IP, a.Before, a.After})
	}
	for _, l := range r.Ledger {
		led = append(led, []string{i64(l.Seq), l.Kind, l.Subject, ts(l.At), l.Hash})
	}
	return []table{
		{"applications", csvOf([]string{"id", "status", "channel", "created_at", "submitted_at", "decided_at", "submit_count", "name", "id_number", "licence_class", "licence_first_issued", "delivery", "reason_code", "reason"}, apps)},
		{"application_history", csvOf([]string{"application_id", "at", "status", "actor", "note", "sms"}, hist)},
		{"bookings", csvOf([]string{"id", "session_id", "centre", "room", "starts_at", "seat", "ticket_no", "status", "replaces_id", "created_at", "changed_at", "checked_in_at"}, books)},
		{"attempts", csvOf([]string{"id", "kind", "started_at", "submitted_at", "submitted_by", "passed", "sections"}, atts)},
		{"results", csvOf([]string{"id", "attempt_id", "subject", "score", "total_points", "pass_percent", "passed", "sat_at", "valid_until", "valid_now"}, res)},
		{"certificates", csvOf([]string{"id", "kind", "version", "licence_id", "holder", "id_number", "issued_on", "expires_on", "status", "reason", "replaced_by"}, certs)},
		{"certificate_history", csvOf([]string{"certificate_id", "at", "action", "actor", "reason"}, cevents)},
		{"deliveries", csvOf([]string{"id", "application_id", "method", "status", "waybill", "ordered_at", "dispatched_at", "delivered_at", "arrived_at", "collected_at", "collected_by", "proxy", "proxy_reason"}, dels)},
		{"messages", csvOf([]string{"id", "topic", "template", "title", "to", "summary", "status", "created_at", "sent_at"}, msgs)},
		{"staff_actions", csvOf([]string{"at", "actor", "action", "target", "ip", "before", "after"}, acts)},
		{"ledger", csvOf([]string{"seq", "kind", "subject", "at", "hash"}, led)},
	}
}

// ---------------------------------------------------------------- bulk exports

// ExportStore persists bulk export jobs (archivedb).
type ExportStore interface {
	CreateExport(ctx context.Context, e *Export) error
	ExportByID(ctx context.Context, id int64) (Export, error)
	ListExports(ctx context.Context, offset, limit int) ([]Export, int64, error)
	// ClaimExport takes a queued export, or a running one whose lease ran
	// out (its node died), for this node until leaseUntil; false if taken.
	ClaimExport(ctx context.Context, id int64, now, leaseUntil time.Time) (bool, error)
	// DueExports lists exports waiting for a node.
	DueExports(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// Progress records how far a running export is and renews its lease.
	Progress(ctx context.Context, id int64, total, done int, leaseUntil time.Time) error
	FinishExport(ctx context.Context, id int64, status ExportStatus, bytes int64, errText string, at time.Time) error
}

// ExportFiles keeps the finished zips (a directory shared by the nodes).
type ExportFiles interface {
	Create(id int64) (io.WriteCloser, error)
	Open(id int64) (io.ReadCloser, int64, error)
	Remove(id int64) error
}

// ParseDay reads a civil date of the bureau's zone.
func (s *Service) ParseDay(v, field string, f apperr.Fields) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), s.cfg.Location)
	if err != nil {
		f.Add(field, rsnDateInZone.With("zone", s.cfg.Location.String()))
	}
	return d
}

// StartExport queues a bulk export of the dossiers of every candidate whose
// application was opened between from and to (civil dates, inclusive).
// The bureau's archive office only; built in the background (RunExports).
func (s *Service) StartExport(ctx context.Context, from, to string) (Export, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return Export{}, err
	}
	if !v.bureau() {
		return Export{}, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	a, b := s.ParseDay(from, "from", f), s.ParseDay(to, "to", f)
	if len(f) == 0 {
		days := int(b.Sub(a).Hours()/24) + 1
		f.Check(!b.Before(a), "to", apperr.NotBeforeFrom())
		f.Check(days <= s.cfg.MaxExportDays, "to", rsnMaxExportDays.With("n", s.cfg.MaxExportDays))
		f.Check(!a.After(s.d.Clock.Now()), "from", rsnMustNotBeInTheFuture)
	}
	if err := f.Err(); err != nil {
		return Export{}, err
	}
	e := Export{From: a.Format(time.DateOnly), To: b.Format(time.DateOnly), Status: ExportQueued, CreatedBy: v.actor.UserID, CreatedAt: s.d.Clock.Now().UTC()}
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Exports.CreateExport(ctx, &e); err != nil {
			return err
		}
		return s.d.Audit.Record(ctx, audit.Entry{Action: "archive.bulk_export", TargetType: "archive_export", TargetID: itoa(e.ID),
			After: map[string]any{"from": e.From, "to": e.To}})
	})
	return e, err
}

// ExportByID is one bulk export with its progress.
func (s *Service) ExportByID(ctx context.Context, id int64) (Export, error) {
	if v, err := viewerOf(ctx); err != nil || !v.bureau() {
		return Export{}, apperr.ErrNotFound
	}
	return s.d.Exports.ExportByID(ctx, id)
}

// Exports lists bulk exports, newest first.
func (s *Service) Exports(ctx context.Context, offset, limit int) ([]Export, int64, error) {
	if v, err := viewerOf(ctx); err != nil || !v.bureau() {
		return nil, 0, apperr.ErrForbidden
	}
	return s.d.Exports.ListExports(ctx, offset, limit)
}

// ExportFile opens a finished bulk export (audited download).
func (s *Service) ExportFile(ctx context.Context, id int64) (io.ReadCloser, Export, int64, error) {
	e, err := s.ExportByID(ctx, id)
	if err != nil {
		return nil, Export{}, 0, err
	}
	if e.Status != ExportDone {
		return nil, e, 0, ErrExportNotReady
	}
	if err := s.d.Audit.Record(ctx, audit.Entry{Action: "archive.bulk_export_download", TargetType: "archive_export", TargetID: itoa(id)}); err != nil {
		return nil, e, 0, err
	}
	rc, size, err := s.d.Files.Open(id)
	return rc, e, size, err
}

// exportLease is how long a node holds an export between progress reports.
const exportLease = time.Minute

// RunExports builds queued exports on this node (every node runs it; the
// claim is a conditional UPDATE, and a dead node's export is taken over
// when its lease ends).
func (s *Service) RunExports(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			ids, err := s.d.Exports.DueExports(ctx, s.d.Clock.Now().UTC(), 5)
			if err != nil {
				continue
			}
			for _, id := range ids {
				now := s.d.Clock.Now().UTC()
				if ok, err := s.d.Exports.ClaimExport(ctx, id, now, now.Add(exportLease)); err != nil || !ok {
					continue
				}
				s.build1(ctx, id)
			}
		}
	}
}

// system is the identity exports are built under (the audit shows who
// asked for them; the build itself reads as the bureau).
func (s *Service) system(ctx context.Context, by int64) context.Context {
	return withBureau(ctx, by)
}

func (s *Service) build1(ctx context.Context, id int64) {
	e, err := s.d.Exports.ExportByID(ctx, id)
	if err == nil {
		err = s.buildExport(s.system(ctx, e.CreatedBy), e)
	}
	status, text := ExportDone, ""
	if err != nil {
		status, text = ExportFailed, err.Error()
		_ = s.d.Files.Remove(id)
	}
	var size int64
	if rc, n, err := s.d.Files.Open(id); err == nil {
		rc.Close()
		size = n
	}
	_ = s.d.Exports.FinishExport(context.WithoutCancel(ctx), id, status, size, text, s.d.Clock.Now().UTC())
}

// buildExport writes the zip: an index (index.csv) and one folder per
// candidate with the same files as a single dossier's zip.
func (s *Service) buildExport(ctx context.Context, e Export) error {
	from, _ := time.ParseInLocation(time.DateOnly, e.From, s.cfg.Location)
	to, _ := time.ParseInLocation(time.DateOnly, e.To, s.cfg.Location)
	to = to.AddDate(0, 0, 1)
	total, err := s.d.Applications.CountCandidatesIn(ctx, from, to)
	if err != nil {
		return err
	}
	if err := s.d.Exports.Progress(ctx, e.ID, total, 0, s.d.Clock.Now().UTC().Add(exportLease)); err != nil {
		return err
	}
	w, err := s.d.Files.Create(e.ID)
	if err != nil {
		return err
	}
	defer w.Close()
	z := zip.NewWriter(w)
	var index bytes.Buffer
	index.WriteString("\xef\xbb\xbf")
	iw := csv.NewWriter(&index)
	_ = iw.Write([]string{"candidate_id", "folder", "name", "id_number", "applications", "certificates", "results"})
	done := 0
	v := viewer{actor: reqctxActor(ctx)}
	for after := int64(0); ; {
		ids, err := s.d.Applications.CandidatesIn(ctx, from, to, after, 100)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, cid := range ids {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r, err := s.build(ctx, v, cid, true)
			if err != nil {
				return fmt.Errorf("candidate %d: %w", cid, err)
			}
			papers, err := s.papers(ctx, r)
			if err != nil {
				return err
			}
			dir := fmt.Sprintf("candidate-%d/", cid)
			if err := s.writeDossier(z, dir, r, papers, false); err != nil {
				return err
			}
			_ = iw.Write([]string{i64(cid), dir, r.Candidate.Name, r.Candidate.IDNumber, strconv.Itoa(len(r.Applications)), strconv.Itoa(len(r.Certificates)), strconv.Itoa(len(r.Results))})
			done++
			if done%10 == 0 || done == total {
				if err := s.d.Exports.Progress(ctx, e.ID, max(total, done), done, s.d.Clock.Now().UTC().Add(exportLease)); err != nil {
					return err
				}
			}
		}
		after = ids[len(ids)-1]
	}
	iw.Flush()
	iz, err := z.Create("index.csv")
	if err != nil {
		return err
	}
	if _, err := iz.Write(index.Bytes()); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	return s.d.Exports.Progress(ctx, e.ID, max(total, done), done, s.d.Clock.Now().UTC().Add(exportLease))
}
