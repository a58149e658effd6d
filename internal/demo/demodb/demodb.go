// Package demodb writes a demo world into SQL: multi-row INSERTs in one
// transaction (all or nothing), personal data encrypted and blind-indexed
// exactly as the owning stores do (pii), so every page reads demo rows as
// its own. The column lists mirror the stores' rows; the demo tests read
// the rows back through those stores.
package demodb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"taxiexam/internal/demo"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

// Sink implements demo.Sink.
type Sink struct {
	db  *sqldb.DB
	pii *pii.Protector
	// Progress, when set, hears each table as it is written.
	Progress func(table string, rows int)
}

// New returns the sink.
func New(db *sqldb.DB, p *pii.Protector) *Sink { return &Sink{db: db, pii: p} }

var _ demo.Sink = (*Sink)(nil)

// occupiedTables are the business tables a demo would fill; staff accounts
// and the question bank may exist (a fresh `make run` creates them).
var occupiedTables = []string{"candidates", "applications", "registration_channels", "issuing_offices", "exam_centres", "exam_sessions",
	"exam_bookings", "exam_attempts", "certificates", "notify_outbox", "practice_sessions"}

// Occupied implements demo.Sink.
func (s *Sink) Occupied(ctx context.Context) ([]string, error) {
	var out []string
	for _, t := range occupiedTables {
		var n int64
		if err := s.db.Conn(ctx).Raw("SELECT COUNT(*) FROM (SELECT 1 AS x FROM " + t + " LIMIT 1) t").Scan(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// Bank implements demo.Sink.
func (s *Sink) Bank(ctx context.Context) (demo.Bank, error) {
	var b demo.Bank
	if err := s.db.Conn(ctx).Raw("SELECT COALESCE(MIN(id), 0) FROM qb_blueprints WHERE kind = 'formal' AND is_default = ?", true).Scan(&b.BlueprintID).Error; err != nil {
		return b, err
	}
	err := s.db.Conn(ctx).Raw("SELECT id FROM qb_chapters ORDER BY id").Scan(&b.ChapterIDs).Error
	return b, err
}

// table collects one table's rows for the batched insert.
type table struct {
	name string
	cols []string
	rows [][]any
}

func (t *table) add(v ...any) { t.rows = append(t.rows, v) }

func tp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func sp(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// enc encrypts, remembering the first failure.
type enc struct {
	p   *pii.Protector
	err error
}

func (e *enc) do(v string) string {
	if e.err != nil || v == "" {
		return ""
	}
	out, err := e.p.Encrypt(v)
	e.err = err
	return out
}

// Write implements demo.Sink.
func (s *Sink) Write(ctx context.Context, w *demo.World) error {
	tables, err := s.tables(w)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if s.db.Dialect() == sqldb.SQLite {
			// a big page cache for this connection: the whole year stays in
			// memory until the commit instead of spilling to the WAL
			if err := s.db.Conn(ctx).Exec("PRAGMA cache_size = -524288").Error; err != nil {
				return err
			}
		}
		for _, t := range tables {
			if err := s.insert(ctx, t); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if s.Progress != nil {
				s.Progress(t.name, len(t.rows))
			}
		}
		return nil
	})
}

// insert writes a table's rows in statements of at most ~20,000 values
// (under both MySQL's and SQLite's limits on placeholders).
func (s *Sink) insert(ctx context.Context, t *table) error {
	if len(t.rows) == 0 {
		return nil
	}
	head := "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	pool := s.db.Conn(ctx).Statement.ConnPool
	if s.db.Dialect() == sqldb.SQLite {
		// SQLite is fastest with one prepared row statement per row inside
		// the transaction (no network; parsing many placeholders is not).
		st, err := pool.PrepareContext(ctx, head+one)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range t.rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				return err
			}
		}
		return nil
	}
	per := max(1, 20000/len(t.cols))
	for i := 0; i < len(t.rows); i += per {
		batch := t.rows[i:min(len(t.rows), i+per)]
		var sb strings.Builder
		sb.Grow(len(head) + len(batch)*(len(one)+2))
		sb.WriteString(head)
		args := make([]any, 0, len(batch)*len(t.cols))
		for k, r := range batch {
			if k > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
			args = append(args, r...)
		}
		// the pool or transaction itself: GORM's statement builder costs
		// more than the insert at this many placeholders
		if _, err := pool.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// tables turns the world into rows, table by table, in an order that
// respects what refers to what.
func (s *Sink) tables(w *demo.World) ([]*table, error) {
	e := &enc{p: s.pii}
	now := time.Now().UTC()
	var out []*table
	add := func(t *table) *table { out = append(out, t); return t }

	ch := add(&table{name: "registration_channels", cols: []string{"id", "code", "name", "kind", "disabled", "version", "created_at", "updated_at"}})
	for _, c := range w.Channels {
		ch.add(c.ID, c.Code, c.Name, c.Kind, false, 1, c.CreatedAt, c.CreatedAt)
	}
	of := add(&table{name: "issuing_offices", cols: []string{"id", "name", "address", "hours", "disabled", "version", "created_at", "updated_at"}})
	for _, o := range w.Offices {
		of.add(o.ID, o.Name, o.Address, o.Hours, false, 1, now, now)
	}
	pl := add(&table{name: "ride_hailing_platforms", cols: []string{"name", "licence_no", "contact", "drivers_wanted", "updated_on", "disabled", "version", "created_at", "updated_at"}})
	for _, p := range w.Platforms {
		pl.add(p.Name, p.LicenceNo, p.Contact, p.DriversWanted, now.Format(time.DateOnly), false, 1, now, now)
	}
	ce := add(&table{name: "exam_centres", cols: []string{"id", "name", "address", "map_url", "phone", "notes", "disabled", "version", "created_at", "updated_at"}})
	ro := add(&table{name: "exam_rooms", cols: []string{"id", "centre_id", "name", "version", "created_at", "updated_at"}})
	se := add(&table{name: "exam_seats", cols: []string{"room_id", "number", "disabled"}})
	for _, c := range w.Centres {
		ce.add(c.ID, c.Name, c.Address, "", c.Phone, c.Notes, false, 1, now, now)
		for _, r := range c.Rooms {
			ro.add(r.ID, r.CentreID, r.Name, 1, now, now)
			for n := 1; n <= r.Seats; n++ {
				se.add(r.ID, n, false)
			}
		}
	}
	ss := add(&table{name: "exam_sessions", cols: []string{"id", "centre_id", "room_id", "starts_at", "ends_at", "duration_minutes", "capacity", "booked", "held", "status", "mode", "round_id", "version", "created_at", "updated_at"}})
	runs := add(&table{name: "exam_session_runs", cols: []string{"session_id", "centre_id", "started_at", "started_by", "ended_at", "ended_by"}})
	for _, x := range w.Sessions {
		ss.add(x.ID, x.CentreID, x.RoomID, x.StartsAt, x.EndsAt(), x.DurationMinutes, x.Capacity, x.Booked, 0, "closed", "first_come", 0, 1, x.StartsAt.AddDate(0, 0, -45), x.EndsAt())
		if x.Booked > 0 {
			runs.add(x.ID, x.CentreID, x.StartsAt, 0, x.EndsAt(), 0)
		}
	}
	ca := add(&table{name: "candidates", cols: []string{"id", "phone_enc", "phone_bidx", "created_at"}})
	for _, c := range w.Candidates {
		ca.add(c.ID, e.do(c.Person.Phone), s.pii.BlindIndex("phone", c.Person.Phone), c.CreatedAt)
	}
	ap := add(&table{name: "applications", cols: []string{"id", "candidate_id", "channel_id", "status", "version", "open_candidate", "active_id_bidx", "id_bidx",
		"name_enc", "id_number_enc", "licence_class", "licence_first_issued", "address_enc", "pledge", "want_taxi", "want_ride_hailing", "delivery",
		"receiver_name_enc", "receiver_phone_enc", "receiver_province", "receiver_city", "receiver_county", "receiver_address_enc", "office_id",
		"photo_key", "photo_type", "submit_count", "submitted_at", "queued_at", "decided_at", "reviewer_id", "checks", "reason_code", "reason", "created_at", "updated_at"}})
	pledge := "traffic_accident_crime,dangerous_driving,drug_use,drink_driving,full_12_points,violent_crime"
	checks := `{"dangerous_driving":"clear","drink_driving":"clear","drug_use":"clear","full_12_points":"clear","traffic_accident_crime":"clear","violent_crime":"clear"}`
	for _, a := range w.Applications {
		p := a.Person
		bidx := s.pii.BlindIndex("id_number", p.IDNumber)
		var open, active any
		if a.Status != "rejected" {
			open = a.CandidateID
		}
		if a.Status == "submitted" || a.Status == "under_check" || a.Status == "approved" || a.Status == "returned" {
			active = bidx
		}
		chk := ""
		if a.Checked {
			chk = checks
			if a.Status == "rejected" {
				chk = strings.Replace(checks, `"violent_crime":"clear"`, `"violent_crime":"found"`, 1)
			}
		}
		upd := a.UpdatedAt
		if upd.IsZero() {
			upd = a.CreatedAt
		}
		ap.add(a.ID, a.CandidateID, a.ChannelID, a.Status, 1+a.SubmitCount*2, open, active, bidx,
			e.do(p.Name), e.do(p.IDNumber), "C1", p.LicenceOn.Format(time.DateOnly), e.do(p.Address), pledge, a.WantTaxi, a.WantRide, a.Delivery,
			e.do(p.Name), e.do(p.Phone), "福建省", "漳州市", p.County.Name, e.do(p.Address), a.OfficeID,
			"", "", a.SubmitCount, tp(a.SubmittedAt), tp(a.QueuedAt), tp(a.DecidedAt), 0, chk, a.ReasonCode, a.Reason, a.CreatedAt, upd)
	}
	ev := add(&table{name: "application_events", cols: []string{"application_id", "at", "status", "actor_kind", "actor_id", "note", "sms_template"}})
	for _, x := range w.Events {
		ev.add(x.ApplicationID, x.At, x.Status, x.ActorKind, 0, x.Note, x.SMSTemplate)
	}
	bk := add(&table{name: "exam_bookings", cols: []string{"id", "session_id", "candidate_id", "seat_number", "ticket_no", "status", "replaces_id", "active_candidate", "seat_active", "created_at", "changed_at", "checked_in_at"}})
	for _, b := range w.Bookings {
		bk.add(b.ID, b.SessionID, b.CandidateID, b.Seat, b.TicketNo, b.Status, b.ReplacesID, nil, nil, b.CreatedAt, b.ChangedAt, tp(b.CheckedInAt))
	}
	at := add(&table{name: "exam_attempts", cols: []string{"id", "kind", "candidate_id", "open_slot", "ref", "blueprint_id", "seed", "sections", "status", "started_at", "deadline", "submitted_at", "submit_reason", "passed", "version", "created_at", "updated_at"}})
	for _, a := range w.Attempts {
		secs, err := json.Marshal(a.Sections)
		if err != nil {
			return nil, err
		}
		at.add(a.ID, a.Kind, a.CandidateID, nil, a.Ref, w.BlueprintID, a.Seed, string(secs), "submitted", a.StartedAt, a.Deadline, a.SubmittedAt, "candidate", a.Passed, 2, a.StartedAt, a.SubmittedAt)
	}
	st := add(&table{name: "exam_sittings", cols: []string{"booking_id", "session_id", "centre_id", "room_id", "candidate_id", "application_id", "ticket_no", "seat", "status", "reason", "terminal_id", "attempt_id", "subjects", "checked_in_at", "checked_in_by", "version"}})
	for _, x := range w.Sittings {
		st.add(x.BookingID, x.SessionID, x.CentreID, x.RoomID, x.CandidateID, x.ApplicationID, x.TicketNo, x.Seat, x.Status, x.Reason, 0, x.AttemptID, strings.Join(x.Subjects, ","), x.At, 0, 1)
	}
	rs := add(&table{name: "exam_subject_results", cols: []string{"id", "candidate_id", "application_id", "attempt_id", "session_id", "centre_id", "subject", "score", "total_points", "pass_percent", "passed", "sat_at", "valid_until"}})
	for _, r := range w.Results {
		rs.add(r.ID, r.CandidateID, r.ApplicationID, r.AttemptID, r.SessionID, r.CentreID, r.Subject, r.Score, r.TotalPoints, r.PassPercent, r.Passed, r.SatAt, r.SatAt.AddDate(3, 0, 0))
	}
	qu := add(&table{name: "exam_qualifications", cols: []string{"id", "candidate_id", "application_id", "qualified_at", "national_id", "regional_id"}})
	for _, q := range w.Qualifications {
		qu.add(q.ID, q.CandidateID, q.ApplicationID, q.At, q.NationalID, q.RegionalID)
	}
	ct := add(&table{name: "certificates", cols: []string{"id", "candidate_id", "application_id", "kind", "version", "licence_id", "holder_name_enc", "id_number_enc", "id_bidx", "authority", "issued_on", "expires_on", "status", "reason", "replaced_by", "valid_key", "created_at", "updated_at"}})
	ce2 := add(&table{name: "certificate_events", cols: []string{"certificate_id", "at", "action", "actor_kind", "actor_id", "reason"}})
	for _, c := range w.Certificates {
		var valid any
		if c.Status == "valid" {
			valid = fmt.Sprintf("%d:%s", c.CandidateID, c.Kind)
		}
		ct.add(c.ID, c.CandidateID, c.ApplicationID, c.Kind, c.Version, c.LicenceID, e.do(c.Holder.Name), e.do(c.Holder.IDNumber), s.pii.BlindIndex("id_number", c.Holder.IDNumber),
			w.Authority, c.IssuedOn, c.ExpiresOn, c.Status, c.Reason, c.ReplacedBy, valid, c.At, c.At)
		action, reason := "issued", "demo:formal"
		if c.Version > 1 {
			action, reason = "reissued", c.Reason
		}
		ce2.add(c.ID, c.At, action, "system", 0, reason)
		if c.Status == "replaced" {
			ce2.add(c.ID, c.At, "replaced", "staff", 0, c.Reason)
		}
	}
	dl := add(&table{name: "cert_deliveries", cols: []string{"id", "application_id", "candidate_id", "method", "status", "office_id", "holder_name_enc", "id_number_enc", "id_bidx",
		"receiver_name_enc", "receiver_phone_enc", "receiver_province", "receiver_city", "receiver_county", "receiver_address_enc", "waybill", "returned",
		"ordered_at", "dispatched_at", "delivered_at", "arrived_at", "collected_at", "handed_over_by", "collected_by_enc", "proxy", "proxy_reason", "version", "created_at", "updated_at"}})
	for _, d := range w.Deliveries {
		p := d.Holder
		var rn, rp, rpv, rc, rco, ra string
		var ordered time.Time
		collector := ""
		if d.Method == "post" {
			rn, rp, rpv, rc, rco, ra, ordered = e.do(p.Name), e.do(p.Phone), "福建省", "漳州市", p.County.Name, e.do(p.Address), d.CreatedAt
		}
		if !d.CollectedAt.IsZero() {
			collector = e.do(p.Name)
		}
		upd := demo.Later(d.CreatedAt, d.DispatchedAt, d.DeliveredAt, d.ArrivedAt, d.CollectedAt)
		dl.add(d.ID, d.ApplicationID, d.CandidateID, d.Method, d.Status, d.OfficeID, e.do(p.Name), e.do(p.IDNumber), s.pii.BlindIndex("id_number", p.IDNumber),
			rn, rp, rpv, rc, rco, ra, sp(d.Waybill), false, tp(ordered), tp(d.DispatchedAt), tp(d.DeliveredAt), tp(d.ArrivedAt), tp(d.CollectedAt), 0, collector, false, "", 1, d.CreatedAt, upd)
	}
	ob := add(&table{name: "notify_outbox", cols: []string{"topic", "dedupe_key", "template", "candidate_id", "phone_bidx", "phone_masked", "payload_enc", "urgent", "status", "attempts",
		"last_error", "not_before", "stream_id", "provider_ref", "created_at", "queued_at", "sent_at", "updated_at"}})
	for i, m := range w.Messages {
		var payload any = map[string]any{"phone": m.Phone, "template": m.Template, "params": m.Params}
		if m.Order != nil {
			payload = m.Order
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		ob.add(m.Topic, m.DedupeKey, m.Template, m.CandidateID, s.pii.BlindIndex("phone", m.Phone), pii.MaskPhone(m.Phone), e.do(string(b)), m.Topic == "postal", "sent", 1,
			"", m.At, "", fmt.Sprintf("demo-%d", i+1), m.At, m.At, m.At.Add(2*time.Second), m.At.Add(2*time.Second))
	}
	ps := add(&table{name: "practice_sessions", cols: []string{"candidate_id", "mode", "chapter_id", "day", "started_at"}})
	for _, p := range w.Practice {
		ps.add(p.CandidateID, p.Mode, p.ChapterID, p.Day, p.StartedAt)
	}
	ah := add(&table{name: "practice_answer_hours", cols: []string{"hour", "shard", "answers", "correct"}})
	for _, h := range w.Answers {
		ah.add(h.Hour, 0, h.N, h.Correct)
	}
	sc := add(&table{name: "registration_channel_scans", cols: []string{"channel_id", "hour", "scans"}})
	for _, h := range w.Scans {
		sc.add(h.Key, h.Hour, h.N)
	}
	return out, e.err
}
