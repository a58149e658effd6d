package bookingdb

import (
	"context"
	"time"

	"taxiexam/exam/booking"
	"taxiexam/internal/platform/apperr"
)

type roundRow struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	ClosesAt    time.Time
	Seed        string
	Status      string
	AllocatedAt *time.Time
	Assigned    int
	Unassigned  int
	CreatedAt   time.Time
}

func (roundRow) TableName() string { return "booking_rounds" }

type choiceRow struct {
	ID          int64 `gorm:"primaryKey"`
	RoundID     int64
	CandidateID int64
	Rank        int
	SessionID   int64
	SubmittedAt time.Time
}

func (choiceRow) TableName() string { return "booking_round_choices" }

type assignmentRow struct {
	ID          int64 `gorm:"primaryKey"`
	RoundID     int64
	CandidateID int64
	SessionID   int64
	Rank        int
	Position    int
}

func (assignmentRow) TableName() string { return "booking_round_results" }

func (s *Store) toRound(ctx context.Context, r roundRow) (booking.Round, error) {
	var ids []int64
	if err := s.db.Conn(ctx).Model(&sessionRow{}).Where("round_id = ?", r.ID).Order("starts_at, id").Pluck("id", &ids).Error; err != nil {
		return booking.Round{}, err
	}
	return booking.Round{ID: r.ID, Name: r.Name, ClosesAt: r.ClosesAt.UTC(), Seed: r.Seed, Status: booking.RoundStatus(r.Status), SessionIDs: ids,
		AllocatedAt: tval(r.AllocatedAt), Assigned: r.Assigned, Unassigned: r.Unassigned, CreatedAt: r.CreatedAt.UTC()}, nil
}

func (s *Store) CreateRound(ctx context.Context, r *booking.Round) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		row := roundRow{Name: r.Name, ClosesAt: r.ClosesAt.UTC(), Seed: r.Seed, Status: string(r.Status), CreatedAt: r.CreatedAt.UTC()}
		if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		r.ID = row.ID
		return s.db.Conn(ctx).Model(&sessionRow{}).Where("id IN ? AND round_id = 0", r.SessionIDs).Update("round_id", row.ID).Error
	})
}

func (s *Store) RoundByID(ctx context.Context, id int64) (booking.Round, error) {
	var r roundRow
	if err := s.db.Conn(ctx).Take(&r, id).Error; err != nil {
		return booking.Round{}, notFound(err)
	}
	return s.toRound(ctx, r)
}

func (s *Store) ListRounds(ctx context.Context) ([]booking.Round, error) {
	var rows []roundRow
	if err := s.db.Conn(ctx).Order("id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Round, 0, len(rows))
	for _, r := range rows {
		x, err := s.toRound(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (s *Store) SaveChoice(ctx context.Context, roundID int64, c booking.Choice) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Where("round_id = ? AND candidate_id = ?", roundID, c.CandidateID).Delete(&choiceRow{}).Error; err != nil {
			return err
		}
		rows := make([]choiceRow, len(c.SessionIDs))
		for i, sid := range c.SessionIDs {
			rows[i] = choiceRow{RoundID: roundID, CandidateID: c.CandidateID, Rank: i + 1, SessionID: sid, SubmittedAt: c.SubmittedAt.UTC()}
		}
		return s.db.Conn(ctx).Create(&rows).Error
	})
}

func groupChoices(rows []choiceRow) []booking.Choice {
	var out []booking.Choice
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].CandidateID != r.CandidateID {
			out = append(out, booking.Choice{CandidateID: r.CandidateID, SubmittedAt: r.SubmittedAt.UTC()})
		}
		last := &out[len(out)-1]
		last.SessionIDs = append(last.SessionIDs, r.SessionID)
	}
	return out
}

func (s *Store) ChoiceOf(ctx context.Context, roundID, candidateID int64) (booking.Choice, error) {
	var rows []choiceRow
	if err := s.db.Conn(ctx).Where("round_id = ? AND candidate_id = ?", roundID, candidateID).Order("rank").Find(&rows).Error; err != nil {
		return booking.Choice{}, err
	}
	cs := groupChoices(rows)
	if len(cs) == 0 {
		return booking.Choice{}, apperr.ErrNotFound
	}
	return cs[0], nil
}

func (s *Store) Choices(ctx context.Context, roundID int64) ([]booking.Choice, error) {
	var rows []choiceRow
	if err := s.db.Conn(ctx).Where("round_id = ?", roundID).Order("candidate_id, rank").Find(&rows).Error; err != nil {
		return nil, err
	}
	return groupChoices(rows), nil
}

func (s *Store) DueRounds(ctx context.Context, now time.Time) ([]booking.Round, error) {
	var rows []roundRow
	if err := s.db.Conn(ctx).Where("status = ? AND closes_at <= ?", booking.RoundOpen, now.UTC()).Order("closes_at").Limit(20).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]booking.Round, 0, len(rows))
	for _, r := range rows {
		x, err := s.toRound(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (s *Store) ClaimRound(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&roundRow{}).Where("id = ? AND status = ?", id, booking.RoundOpen).
		Updates(map[string]any{"status": booking.RoundAllocated, "allocated_at": at.UTC()})
	return res.RowsAffected == 1, res.Error
}

func (s *Store) SaveAssignments(ctx context.Context, roundID int64, as []booking.Assignment) error {
	rows := make([]assignmentRow, len(as))
	assigned := 0
	for i, a := range as {
		rows[i] = assignmentRow{RoundID: roundID, CandidateID: a.CandidateID, SessionID: a.SessionID, Rank: a.Rank, Position: i + 1}
		if a.SessionID != 0 {
			assigned++
		}
	}
	c := s.db.Conn(ctx)
	if len(rows) > 0 {
		if err := c.CreateInBatches(&rows, 500).Error; err != nil {
			return err
		}
	}
	if err := c.Model(&roundRow{}).Where("id = ?", roundID).Updates(map[string]any{"assigned": assigned, "unassigned": len(as) - assigned}).Error; err != nil {
		return err
	}
	// The round's sessions turn first-come: the allocation books through
	// the same seat statement, and what is left is open to everyone.
	return c.Model(&sessionRow{}).Where("round_id = ?", roundID).Updates(map[string]any{"mode": booking.ModeFirstCome, "updated_at": time.Now().UTC()}).Error
}

func (s *Store) Assignments(ctx context.Context, roundID int64) ([]booking.Assignment, error) {
	var rows []assignmentRow
	if err := s.db.Conn(ctx).Where("round_id = ?", roundID).Order("position").Find(&rows).Error; err != nil {
		return nil, err
	}
	return toAssignments(rows), nil
}

func (s *Store) AssignmentsPage(ctx context.Context, roundID int64, offset, limit int) ([]booking.Assignment, int64, error) {
	q := s.db.Conn(ctx).Model(&assignmentRow{}).Where("round_id = ?", roundID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []assignmentRow
	if err := s.db.Conn(ctx).Where("round_id = ?", roundID).Order("position").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	return toAssignments(rows), total, nil
}

func toAssignments(rows []assignmentRow) []booking.Assignment {
	out := make([]booking.Assignment, len(rows))
	for i, r := range rows {
		out[i] = booking.Assignment{CandidateID: r.CandidateID, SessionID: r.SessionID, Rank: r.Rank}
	}
	return out
}
