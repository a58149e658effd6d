package auth

import (
	"context"
	"time"

	"taxiexam/internal/platform/reqctx"
)

// Exam-terminal sessions. A candidate at an exam centre does not log in
// with their phone: the formal-exam package checks the admission ticket
// number and ID number on an enrolled terminal and then asks for this
// session. It is a candidate principal with RoleExamCandidate, so it opens
// only the exam-terminal routes (not registration, booking or practice),
// and it lasts one exam day.

// RoleExamCandidate is a candidate logged in on an exam terminal. It is
// not in AllRoles: only the exam-terminal routes list it.
const RoleExamCandidate = reqctx.RoleExamCandidate

// KindExamCandidate is the stored session kind of an exam-terminal login.
const KindExamCandidate = "exam_candidate"

// OpenExamSession opens an exam-terminal session for a candidate whose
// identity the caller has checked.
func (s *Service) OpenExamSession(ctx context.Context, candidateID int64, ip, userAgent string) (string, error) {
	c, err := s.store.CandidateByID(ctx, candidateID)
	if err != nil {
		return "", err
	}
	token, sess, err := s.newSession(KindExamCandidate, c.ID, RoleExamCandidate, s.cfg.ExamSessionTTL(), ip, userAgent)
	if err != nil {
		return "", err
	}
	return token, s.store.CreateSession(ctx, sess)
}

// ExamSessionTTL bounds an exam-terminal session: one exam day.
func (c Config) ExamSessionTTL() time.Duration { return 12 * time.Hour }
