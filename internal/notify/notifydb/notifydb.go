// Package notifydb is the outbox table. Payloads (phone numbers, names,
// addresses) are encrypted; the recipient's phone is kept as a blind index
// for the per-person history and as a masked copy for lists.
package notifydb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/sqldb"
)

const table = "notify_outbox"

type outboxRow struct {
	ID          int64      `gorm:"primaryKey"`
	Topic       string     `gorm:"size:16;not null;index:idx_notify_topic_status,priority:1"`
	DedupeKey   string     `gorm:"size:191;not null;uniqueIndex:uq_notify_dedupe"`
	Template    string     `gorm:"size:64;not null;default:''"`
	CandidateID int64      `gorm:"not null;default:0;index"`
	PhoneBidx   string     `gorm:"size:64;not null;default:'';index"`
	PhoneMasked string     `gorm:"size:32;not null;default:''"`
	PayloadEnc  string     `gorm:"type:text;not null"`
	Urgent      bool       `gorm:"not null;default:false"`
	Status      string     `gorm:"size:16;not null;index:idx_notify_due,priority:1;index:idx_notify_lease,priority:1;index:idx_notify_topic_status,priority:2"`
	Attempts    int        `gorm:"not null;default:0"`
	LastError   string     `gorm:"size:500;not null;default:''"`
	NotBefore   time.Time  `gorm:"not null;index:idx_notify_due,priority:2"`
	LeaseUntil  *time.Time `gorm:"index:idx_notify_lease,priority:2"`
	StreamID    string     `gorm:"size:32;not null;default:''"`
	ProviderRef string     `gorm:"size:64;not null;default:''"`
	CreatedAt   time.Time  `gorm:"not null"`
	QueuedAt    *time.Time
	SentAt      *time.Time
	UpdatedAt   time.Time `gorm:"not null"`
}

func (outboxRow) TableName() string { return table }

// Store implements notify.Store.
type Store struct {
	db  *sqldb.DB
	pii *pii.Protector
}

// New returns the store.
func New(db *sqldb.DB, p *pii.Protector) *Store { return &Store{db: db, pii: p} }

var _ notify.Store = (*Store)(nil)

// queueWrite runs one of the relay's or workers' own writes at READ
// COMMITTED (sqldb.InReadCommittedTx) unless it joins a caller's
// transaction. Their UPDATEs name rows by id, but with a status condition
// the optimizer may scan a status index instead; at REPEATABLE READ that
// scan takes gap locks a business transaction's INSERT waits for while the
// scan waits for the new row: a deadlock whose victim is the (smaller)
// business transaction. At READ COMMITTED there are no gap locks and an
// UPDATE skips rows whose committed version does not match, so a business
// transaction never waits for the queue.
func (s *Store) queueWrite(ctx context.Context, fn func(ctx context.Context) error) error {
	if sqldb.InTransaction(ctx) {
		return fn(ctx)
	}
	return s.db.InReadCommittedTx(ctx, fn)
}

func tv(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (s *Store) Insert(ctx context.Context, m *notify.Message) (bool, error) {
	enc, err := s.pii.Encrypt(string(m.Payload))
	if err != nil {
		return false, err
	}
	r := outboxRow{Topic: m.Topic, DedupeKey: m.DedupeKey, Template: m.Template, CandidateID: m.CandidateID, PayloadEnc: enc,
		Urgent: m.Urgent, Status: string(m.Status), Attempts: m.Attempts, NotBefore: m.NotBefore.UTC(), CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.CreatedAt.UTC()}
	if m.Recipient != "" {
		r.PhoneBidx = s.pii.BlindIndex("phone", m.Recipient)
		r.PhoneMasked = pii.MaskPhone(m.Recipient)
	}
	// A plain INSERT: on InnoDB it takes only an insert-intention lock, so
	// concurrent business transactions do not wait on each other (INSERT ...
	// ON DUPLICATE KEY would take next-key locks on the dedupe index). A
	// duplicate fails this statement only; the caller's transaction goes on.
	if err := s.db.Conn(ctx).Create(&r).Error; err != nil {
		if !sqldb.IsDuplicate(err) {
			return false, err
		}
		var id int64
		if err := s.db.Conn(ctx).Model(&outboxRow{}).Where("dedupe_key = ?", m.DedupeKey).Pluck("id", &id).Error; err != nil {
			return false, err
		}
		m.ID = id
		return false, nil
	}
	m.ID = r.ID
	return true, nil
}

type refRow struct {
	ID       int64
	Topic    string
	Status   string
	StreamID string
	QueuedAt *time.Time
}

func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]notify.Ref, error) {
	var out []notify.Ref
	err := s.db.InReadCommittedTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		var rows []refRow
		q := s.db.Conn(ctx).Model(&outboxRow{}).Select("id, topic, status, stream_id, queued_at").
			Where("status = ? AND not_before <= ?", notify.StatusPending, now).Order("not_before, id").Limit(limit)
		if err := s.db.SkipLocked(q).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			out = append(out, notify.Ref{ID: r.ID, Topic: r.Topic, Status: notify.StatusQueued, FirstTime: r.QueuedAt == nil})
		}
		return s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ? AND status = ?", ids, notify.StatusPending).Updates(map[string]any{
			"status": notify.StatusQueued, "lease_until": now.Add(lease), "stream_id": "",
			"queued_at": gorm.Expr("COALESCE(queued_at, ?)", now), "updated_at": now,
		}).Error
	})
	return out, err
}

func (s *Store) SetStreamIDs(ctx context.Context, ids map[int64]string) error {
	if len(ids) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, 2*len(ids)+1)
	list := make([]int64, 0, len(ids))
	sb.WriteString("CASE id")
	for id, sid := range ids {
		sb.WriteString(" WHEN ? THEN ?")
		args = append(args, id, sid)
		list = append(list, id)
	}
	sb.WriteString(" ELSE stream_id END")
	return s.queueWrite(ctx, func(ctx context.Context) error {
		return s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ?", list).Update("stream_id", gorm.Expr(sb.String(), args...)).Error
	})
}

func (s *Store) Release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.queueWrite(ctx, func(ctx context.Context) error {
		return s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ? AND status = ?", ids, notify.StatusQueued).
			Updates(map[string]any{"status": notify.StatusPending, "lease_until": nil, "updated_at": time.Now().UTC()}).Error
	})
}

func (s *Store) ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]notify.Ref, error) {
	var rows []refRow
	err := s.db.Conn(ctx).Model(&outboxRow{}).Select("id, topic, status, stream_id, queued_at").
		Where("status IN ? AND lease_until < ?", []string{string(notify.StatusQueued), string(notify.StatusSending)}, now).
		Order("lease_until").Limit(limit).Find(&rows).Error
	out := make([]notify.Ref, len(rows))
	for i, r := range rows {
		out[i] = notify.Ref{ID: r.ID, Topic: r.Topic, Status: notify.Status(r.Status), StreamID: r.StreamID}
	}
	return out, err
}

func (s *Store) Requeue(ctx context.Context, ids []int64, now time.Time) (int64, error) {
	var n int64
	err := s.queueWrite(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&outboxRow{}).
			Where("id IN ? AND status IN ? AND lease_until < ?", ids, []string{string(notify.StatusQueued), string(notify.StatusSending)}, now).
			Updates(map[string]any{"status": notify.StatusPending, "not_before": now, "lease_until": nil, "stream_id": "", "updated_at": now})
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

func (s *Store) ExtendLease(ctx context.Context, ids []int64, now, until time.Time) error {
	return s.queueWrite(ctx, func(ctx context.Context) error {
		return s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ? AND status = ? AND lease_until < ?", ids, notify.StatusQueued, now).
			Updates(map[string]any{"lease_until": until, "updated_at": now}).Error
	})
}

func (s *Store) Withdraw(ctx context.Context, dedupeKey string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&outboxRow{}).Where("dedupe_key = ? AND status IN ?", dedupeKey, []notify.Status{notify.StatusPending, notify.StatusQueued}).
		Updates(map[string]any{"status": notify.StatusWithdrawn, "lease_until": nil, "updated_at": now})
	return res.RowsAffected > 0, res.Error
}

func (s *Store) ClaimForSend(ctx context.Context, ids []int64, now time.Time, lease time.Duration) ([]notify.Message, error) {
	var out []notify.Message
	err := s.db.InReadCommittedTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		claimable := s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ? AND (status = ? OR (status = ? AND lease_until < ?))",
			ids, notify.StatusQueued, notify.StatusSending, now)
		var rows []outboxRow
		// Wait for locks rather than skip: a row locked for a moment (the
		// relay writing its stream id, another worker claiming a duplicate
		// entry) must be claimed or seen as taken, never silently skipped,
		// or its entry would be acked while the row stays queued. Locking
		// in id order keeps two workers from deadlocking.
		if err := s.db.ForUpdate(claimable.Order("id")).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		got := make([]int64, len(rows))
		for i, r := range rows {
			got[i] = r.ID
		}
		until := now.Add(lease)
		if err := s.db.Conn(ctx).Model(&outboxRow{}).Where("id IN ?", got).Updates(map[string]any{
			"status": notify.StatusSending, "attempts": gorm.Expr("attempts + 1"), "lease_until": until, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		for _, r := range rows {
			r.Status, r.Attempts, r.LeaseUntil, r.UpdatedAt = string(notify.StatusSending), r.Attempts+1, &until, now
			m, err := s.toMessage(r)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

func (s *Store) MarkSent(ctx context.Context, sent []notify.Sent, now time.Time) error {
	if len(sent) == 0 {
		return nil
	}
	ids := make([]int64, len(sent))
	var sb strings.Builder
	args := []any{}
	anyRef := false
	sb.WriteString("CASE id")
	for i, x := range sent {
		ids[i] = x.ID
		if x.Ref != "" {
			anyRef = true
			sb.WriteString(" WHEN ? THEN ?")
			args = append(args, x.ID, x.Ref)
		}
	}
	sb.WriteString(" ELSE provider_ref END")
	upd := map[string]any{"status": notify.StatusSent, "sent_at": now, "lease_until": nil, "last_error": "", "updated_at": now}
	if anyRef {
		upd["provider_ref"] = gorm.Expr(sb.String(), args...)
	}
	return s.queueWrite(ctx, func(ctx context.Context) error {
		return s.db.Conn(ctx).Model(&outboxRow{}).
			Where("id IN ? AND status IN ?", ids, []string{string(notify.StatusSending), string(notify.StatusQueued), string(notify.StatusPending)}).
			Updates(upd).Error
	})
}

func (s *Store) MarkRetry(ctx context.Context, id int64, notBefore time.Time, lastError string) error {
	return s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ? AND status = ?", id, notify.StatusSending).Updates(map[string]any{
		"status": notify.StatusPending, "not_before": notBefore.UTC(), "lease_until": nil, "stream_id": "", "last_error": lastError, "updated_at": time.Now().UTC(),
	}).Error
}

func (s *Store) MarkDead(ctx context.Context, id int64, lastError string) error {
	return s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ? AND status = ?", id, notify.StatusSending).Updates(map[string]any{
		"status": notify.StatusDead, "lease_until": nil, "last_error": lastError, "updated_at": time.Now().UTC(),
	}).Error
}

func (s *Store) Hold(ctx context.Context, id int64, notBefore time.Time) error {
	return s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ? AND status = ?", id, notify.StatusSending).Updates(map[string]any{
		"status": notify.StatusPending, "not_before": notBefore.UTC(), "lease_until": nil, "stream_id": "",
		"attempts": gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"), "updated_at": time.Now().UTC(),
	}).Error
}

func (s *Store) Revive(ctx context.Context, id int64, now time.Time) (notify.Message, error) {
	res := s.db.Conn(ctx).Model(&outboxRow{}).Where("id = ? AND status = ?", id, notify.StatusDead).Updates(map[string]any{
		"status": notify.StatusPending, "attempts": 0, "not_before": now, "lease_until": nil, "stream_id": "", "updated_at": now,
	})
	if res.Error != nil {
		return notify.Message{}, res.Error
	}
	if res.RowsAffected == 0 {
		return notify.Message{}, notify.ErrNotDead
	}
	return s.Get(ctx, id)
}

func (s *Store) Get(ctx context.Context, id int64) (notify.Message, error) {
	var r outboxRow
	q := s.db.Conn(ctx)
	if sqldb.InTransaction(ctx) {
		q = s.db.ForUpdate(q)
	}
	if err := q.Take(&r, id).Error; err != nil {
		if sqldb.IsNotFound(err) {
			return notify.Message{}, apperr.ErrNotFound
		}
		return notify.Message{}, err
	}
	return s.toMessage(r)
}

func (s *Store) List(ctx context.Context, f notify.Filter) ([]notify.Message, int64, error) {
	q := s.db.Conn(ctx).Model(&outboxRow{})
	if f.Topic != "" {
		q = q.Where("topic = ?", f.Topic)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.CandidateID > 0 {
		q = q.Where("candidate_id = ?", f.CandidateID)
	}
	if f.Phone != "" {
		q = q.Where("phone_bidx = ?", s.pii.BlindIndex("phone", f.Phone))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []outboxRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]notify.Message, 0, len(rows))
	for _, r := range rows {
		m, err := s.toMessage(r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, nil
}

func (s *Store) Stats(ctx context.Context, now time.Time) ([]notify.TopicStats, error) {
	type agg struct {
		Topic  string
		Status string
		Due    bool
		N      int64
	}
	var rows []agg
	if err := s.db.Conn(ctx).Model(&outboxRow{}).
		Select("topic, status, CASE WHEN not_before <= ? THEN 1 ELSE 0 END AS due, COUNT(*) AS n", now).
		Group("topic, status, due").Scan(&rows).Error; err != nil {
		return nil, err
	}
	by := map[string]*notify.TopicStats{}
	var order []string
	get := func(t string) *notify.TopicStats {
		if by[t] == nil {
			by[t] = &notify.TopicStats{Topic: t}
			order = append(order, t)
		}
		return by[t]
	}
	for _, r := range rows {
		st := get(r.Topic)
		switch notify.Status(r.Status) {
		case notify.StatusPending:
			if r.Due {
				st.Pending += r.N
			} else {
				st.Scheduled += r.N
			}
		case notify.StatusQueued:
			st.Queued += r.N
		case notify.StatusSending:
			st.Sending += r.N
		case notify.StatusSent:
			st.Sent += r.N
		case notify.StatusDead:
			st.Dead += r.N
		}
	}
	// Due and unfinished: the oldest not_before is how far behind the queue
	// is. One indexed look-up per topic (MIN() would lose the column type
	// on SQLite).
	unfinished := []string{string(notify.StatusPending), string(notify.StatusQueued), string(notify.StatusSending)}
	for _, t := range notify.Topics {
		var r outboxRow
		err := s.db.Conn(ctx).Select("not_before").Where("topic = ? AND status IN ? AND not_before <= ?", t, unfinished, now).
			Order("not_before").Limit(1).Take(&r).Error
		if sqldb.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		get(t).OldestDue = max(now.Sub(r.NotBefore), 0)
	}
	out := make([]notify.TopicStats, 0, len(order))
	for _, t := range order {
		out = append(out, *by[t])
	}
	return out, nil
}

func (s *Store) toMessage(r outboxRow) (notify.Message, error) {
	plain, err := s.pii.Decrypt(r.PayloadEnc)
	if err != nil {
		return notify.Message{}, fmt.Errorf("outbox %d payload: %w", r.ID, err)
	}
	m := notify.Message{ID: r.ID, Topic: r.Topic, DedupeKey: r.DedupeKey, Template: r.Template, CandidateID: r.CandidateID, Payload: []byte(plain),
		Urgent: r.Urgent, Status: notify.Status(r.Status), Attempts: r.Attempts, LastError: r.LastError, NotBefore: r.NotBefore,
		LeaseUntil: tv(r.LeaseUntil), StreamID: r.StreamID, ProviderRef: r.ProviderRef, CreatedAt: r.CreatedAt, QueuedAt: tv(r.QueuedAt), SentAt: tv(r.SentAt)}
	m.Recipient = notify.RecipientOf(m)
	return m, nil
}
