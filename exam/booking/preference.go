package booking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
)

// Preference rounds (fair release). Instead of first-come, the bureau
// releases a batch of sessions in a round: until ClosesAt candidates rank
// the sessions they can attend (up to MaxChoices); at the close one
// deterministic pass assigns seats in priority order (candidates whose
// session the bureau cancelled first, then earlier approval, ties broken
// by a draw seeded with the round's published seed), each candidate
// getting their best-ranked session that still has a seat. Then the
// round's sessions turn first-come for the leftover seats. Anyone holding
// the seed and the choices can re-run Allocate and get the same result.

// RoundStatus is where a round is.
type RoundStatus string

const (
	RoundOpen      RoundStatus = "open"      // collecting choices until ClosesAt
	RoundAllocated RoundStatus = "allocated" // seats assigned, leftovers first-come
)

// MaxChoices bounds a candidate's ranking.
const MaxChoices = 5

// Round is a batch of sessions released by preference.
type Round struct {
	ID          int64
	Name        string
	ClosesAt    time.Time
	Seed        string // hex, published with the round
	Status      RoundStatus
	SessionIDs  []int64
	AllocatedAt time.Time
	Assigned    int // after allocation: candidates who got a seat
	Unassigned  int
	CreatedAt   time.Time
}

// Choice is one candidate's ranking in a round.
type Choice struct {
	CandidateID int64
	SessionIDs  []int64 // best first
	SubmittedAt time.Time
}

// Applicant is a candidate as the allocation orders them.
type Applicant struct {
	CandidateID int64
	Priority    bool      // their booked session was cancelled by the bureau
	ApprovedAt  time.Time // earlier first
	Choices     []int64   // best first
}

// Assignment is the allocation's answer for one candidate (SessionID 0:
// none of their choices had a seat left).
type Assignment struct {
	CandidateID int64
	SessionID   int64
	Rank        int // 1 = first choice; 0 when unassigned
}

// RoundStore persists rounds and choices (bookingdb).
type RoundStore interface {
	// CreateRound writes the round and puts its sessions in it.
	CreateRound(ctx context.Context, r *Round) error
	RoundByID(ctx context.Context, id int64) (Round, error)
	ListRounds(ctx context.Context) ([]Round, error)
	// SaveChoice replaces the candidate's ranking in the round.
	SaveChoice(ctx context.Context, roundID int64, c Choice) error
	ChoiceOf(ctx context.Context, roundID, candidateID int64) (Choice, error)
	Choices(ctx context.Context, roundID int64) ([]Choice, error)
	// DueRounds lists open rounds whose window ended before now.
	DueRounds(ctx context.Context, now time.Time) ([]Round, error)
	// ClaimRound moves an open round to allocated (false: another node did).
	ClaimRound(ctx context.Context, id int64, at time.Time) (bool, error)
	// SaveAssignments records the allocation and opens the round's
	// sessions first-come.
	SaveAssignments(ctx context.Context, roundID int64, as []Assignment) error
	Assignments(ctx context.Context, roundID int64) ([]Assignment, error)
	// AssignmentsPage is limit assignments from offset, in pass order, and how many there are.
	AssignmentsPage(ctx context.Context, roundID int64, offset, limit int) ([]Assignment, int64, error)
}

// drawKey is the seeded tie-break of a candidate: SHA-256(seed || id).
func drawKey(seed []byte, candidateID int64) uint64 {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(candidateID))
	h := sha256.Sum256(append(append([]byte(nil), seed...), id[:]...))
	return binary.BigEndian.Uint64(h[:8])
}

// Allocate assigns seats: applicants in priority order (priority first,
// earlier approval, then the seeded draw), each to their best-ranked
// session with a seat left in free. free is not changed. The same seed,
// applicants and seats always give the same result.
func Allocate(seedHex string, applicants []Applicant, free map[int64]int) ([]Assignment, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) == 0 {
		return nil, apperr.Invalid(apperr.Fields{"seed": rsnHexBytes})
	}
	type entry struct {
		a    *Applicant
		draw uint64
	}
	order := make([]entry, len(applicants))
	for i := range applicants {
		order[i] = entry{&applicants[i], drawKey(seed, applicants[i].CandidateID)}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.a.Priority != b.a.Priority {
			return a.a.Priority
		}
		if !a.a.ApprovedAt.Equal(b.a.ApprovedAt) {
			return a.a.ApprovedAt.Before(b.a.ApprovedAt)
		}
		if a.draw != b.draw {
			return a.draw < b.draw
		}
		return a.a.CandidateID < b.a.CandidateID
	})
	left := make(map[int64]int, len(free))
	for k, v := range free {
		left[k] = v
	}
	out := make([]Assignment, len(order))
	for i, e := range order {
		out[i] = Assignment{CandidateID: e.a.CandidateID}
		for rank, sid := range e.a.Choices {
			if left[sid] > 0 {
				left[sid]--
				out[i].SessionID, out[i].Rank = sid, rank+1
				break
			}
		}
	}
	return out, nil
}

// NewSeed draws a round's seed (published when the round is created).
func NewSeed() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// RoundInput creates a round over draft or published preference-mode
// sessions.
type RoundInput struct {
	Name       string
	ClosesAt   time.Time
	SessionIDs []int64
}

// CreateRound opens a preference round (audited). Its seed is drawn now and
// shown with the round, so the allocation can be checked by anyone.
func (s *Service) CreateRound(ctx context.Context, in RoundInput) (Round, error) {
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	checkText(f, "name", in.Name, true, 100)
	f.Check(in.ClosesAt.After(s.clock.Now()), "closes_at", apperr.Future())
	f.Check(len(in.SessionIDs) > 0 && len(in.SessionIDs) <= MaxBulkSessions, "session_ids", rsn1To500Sessions)
	for _, id := range in.SessionIDs {
		v, err := s.store.SessionByID(ctx, id)
		if apperr.ErrNotFound.Is(err) {
			f.Add("session_ids", rsnNoSuchSession)
			continue
		} else if err != nil {
			return Round{}, err
		}
		f.Check(v.Mode == ModePreference && v.RoundID == 0 && (v.Status == SessionDraft || v.Status == SessionPublished), "session_ids",
			rsnRoundSessions)
		f.Check(v.StartsAt.After(in.ClosesAt.Add(s.cfg.Cutoff)), "closes_at", rsnTheRoundMustCloseBeforeThe)
	}
	if err := f.Err(); err != nil {
		return Round{}, err
	}
	seed, err := NewSeed()
	if err != nil {
		return Round{}, err
	}
	r := Round{Name: in.Name, ClosesAt: in.ClosesAt.UTC(), Seed: seed, Status: RoundOpen, SessionIDs: in.SessionIDs, CreatedAt: s.clock.Now().UTC()}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateRound(ctx, &r); err != nil {
			return err
		}
		// A round is the release: its draft sessions are published now (the
		// allocation gives seats only in published sessions, and first-come
		// booking stays closed until the round ends: they are preference mode).
		for _, id := range r.SessionIDs {
			if _, err := s.store.UpdateSession(ctx, id, func(x *Session) error {
				if x.Status == SessionDraft {
					x.Status = SessionPublished
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.round.create", TargetType: "booking_round", TargetID: itoa(r.ID), After: r})
	})
	return r, err
}

// Rounds lists every round (console).
func (s *Service) Rounds(ctx context.Context) ([]Round, error) { return s.store.ListRounds(ctx) }

// OpenRounds lists the rounds still taking choices (the candidate's form).
func (s *Service) OpenRounds(ctx context.Context) ([]Round, error) {
	all, err := s.store.ListRounds(ctx)
	if err != nil {
		return nil, err
	}
	out := []Round{}
	for _, r := range all {
		if r.Status == RoundOpen && s.clock.Now().Before(r.ClosesAt) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RoundResult is a round with its allocation.
func (s *Service) RoundResult(ctx context.Context, id int64) (Round, []Assignment, error) {
	r, err := s.store.RoundByID(ctx, id)
	if err != nil {
		return Round{}, nil, err
	}
	as, err := s.store.Assignments(ctx, id)
	return r, as, err
}

// AssignmentLine is one line of a round's allocation as the console shows
// it: who (masked), which of their choices they got, and that session.
type AssignmentLine struct {
	Position int // pass order, from 1
	Assignment
	Person  Person       // masked name, ID number and phone
	Session *SessionView // nil when none of the choices had a seat
}

// RoundAssignments is one page of a round's allocation in pass order (a
// round may allocate tens of thousands of candidates).
func (s *Service) RoundAssignments(ctx context.Context, id int64, offset, limit int) ([]AssignmentLine, int64, error) {
	if _, err := s.store.RoundByID(ctx, id); err != nil {
		return nil, 0, err
	}
	as, total, err := s.store.AssignmentsPage(ctx, id, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	sessions := map[int64]*SessionView{}
	out := make([]AssignmentLine, len(as))
	for i, a := range as {
		p, err := s.people.Person(ctx, a.CandidateID)
		if err != nil {
			return nil, 0, err
		}
		out[i] = AssignmentLine{Position: offset + i + 1, Assignment: a,
			Person: Person{Name: pii.MaskName(p.Name), IDNumber: pii.MaskIDNumber(p.IDNumber), Phone: pii.MaskPhone(p.Phone)}}
		if a.SessionID == 0 {
			continue
		}
		if sessions[a.SessionID] == nil {
			v, err := s.store.SessionByID(ctx, a.SessionID)
			if err != nil {
				return nil, 0, err
			}
			sessions[a.SessionID] = &v
		}
		out[i].Session = sessions[a.SessionID]
	}
	return out, total, nil
}

// SubmitChoices records the calling candidate's ranking while the round is
// open (a later submission replaces it).
func (s *Service) SubmitChoices(ctx context.Context, roundID int64, sessionIDs []int64) (Choice, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Choice{}, err
	}
	if err := s.rateLimit(ctx, cid); err != nil {
		return Choice{}, err
	}
	if _, err := s.eligible(ctx, cid); err != nil {
		return Choice{}, err
	}
	r, err := s.store.RoundByID(ctx, roundID)
	if err != nil {
		return Choice{}, err
	}
	if r.Status != RoundOpen || !s.clock.Now().Before(r.ClosesAt) {
		return Choice{}, ErrRoundClosed
	}
	in := map[int64]bool{}
	for _, id := range r.SessionIDs {
		in[id] = true
	}
	f := apperr.Fields{}
	f.Check(len(sessionIDs) >= 1 && len(sessionIDs) <= MaxChoices, "session_ids", rsnRank1To5Sessions)
	seen := map[int64]bool{}
	for _, id := range sessionIDs {
		f.Check(in[id], "session_ids", rsnEverySessionMustBelongToThe)
		f.Check(!seen[id], "session_ids", rsnEachSessionOnce)
		seen[id] = true
	}
	if err := f.Err(); err != nil {
		return Choice{}, err
	}
	c := Choice{CandidateID: cid, SessionIDs: sessionIDs, SubmittedAt: s.clock.Now().UTC()}
	return c, s.store.SaveChoice(ctx, roundID, c)
}

// MyChoice is the calling candidate's ranking in a round (empty if none).
func (s *Service) MyChoice(ctx context.Context, roundID int64) (Choice, error) {
	cid, err := reqctx.Candidate(ctx)
	if err != nil {
		return Choice{}, err
	}
	c, err := s.store.ChoiceOf(ctx, roundID, cid)
	if apperr.ErrNotFound.Is(err) {
		return Choice{CandidateID: cid}, nil
	}
	return c, err
}

// CloseRounds allocates every round whose window has ended (the sweeper,
// on every node: ClaimRound is the claim). Each assigned candidate is then
// booked like a first-come booking (seat number, ticket, SMS); a candidate
// who meanwhile holds another booking or may no longer book is skipped and
// their seat stays open first-come.
func (s *Service) CloseRounds(ctx context.Context) (int, error) {
	due, err := s.store.DueRounds(ctx, s.clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		as, err := s.allocateRound(ctx, r)
		if err != nil {
			return n, err
		}
		if as == nil {
			continue // another node took it
		}
		n++
		for _, a := range as {
			if a.SessionID == 0 {
				continue
			}
			if err := s.bookAssigned(ctx, a); err != nil && !isRefusal(err) {
				return n, err
			}
		}
	}
	return n, nil
}

// allocateRound claims the round, runs Allocate over its choices and the
// sessions' free seats, saves the result and opens the sessions first-come,
// in one transaction.
func (s *Service) allocateRound(ctx context.Context, r Round) ([]Assignment, error) {
	var out []Assignment
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.ClaimRound(ctx, r.ID, s.clock.Now())
		if err != nil || !ok {
			out = nil
			return err
		}
		free := map[int64]int{}
		for _, id := range r.SessionIDs {
			v, err := s.store.SessionByID(ctx, id)
			if err != nil {
				return err
			}
			if v.Status == SessionPublished {
				free[id] = v.Free()
			}
		}
		choices, err := s.store.Choices(ctx, r.ID)
		if err != nil {
			return err
		}
		apps := make([]Applicant, 0, len(choices))
		for _, c := range choices {
			e, err := s.elig.Eligibility(ctx, c.CandidateID)
			if err != nil {
				return err
			}
			if !e.MayBook {
				continue
			}
			prio := false
			if last, err := s.store.LatestBooking(ctx, c.CandidateID); err == nil {
				prio = last.Status == BookingSessionCancelled
			}
			apps = append(apps, Applicant{CandidateID: c.CandidateID, Priority: prio, ApprovedAt: e.ApprovedAt, Choices: c.SessionIDs})
		}
		if out, err = Allocate(r.Seed, apps, free); err != nil {
			return err
		}
		if err := s.store.SaveAssignments(ctx, r.ID, out); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "booking.round.allocate", TargetType: "booking_round", TargetID: itoa(r.ID),
			After: map[string]any{"seed": r.Seed, "applicants": len(apps)}})
	})
	return out, err
}

// bookAssigned books one allocated seat in its own transaction.
func (s *Service) bookAssigned(ctx context.Context, a Assignment) error {
	v, err := s.store.SessionByID(ctx, a.SessionID)
	if err != nil {
		return err
	}
	p, err := s.people.Person(ctx, a.CandidateID)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		_, err := s.take(ctx, a.CandidateID, v, p, seatFromPool, notify.TplBookingConfirmed, nil)
		return err
	})
}

// isRefusal: a rule said no (already booked, full...), not a failure.
func isRefusal(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind != apperr.KindInternal
}
