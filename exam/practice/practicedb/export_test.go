package practicedb

import (
	"context"
	"strings"
	"time"

	"taxiexam/exam/practice"
	questionbank "taxiexam/question-bank"
)

// RecordAnswerAlone writes one answer as its own statement, bypassing the
// group-commit writer: the floor BenchmarkAnswerWrites compares against.
func (s *Store) RecordAnswerAlone(ctx context.Context, candidateID int64, q questionbank.Question, correct bool, given []string, exitAfter int, at time.Time) (practice.Marks, error) {
	m, err := s.commitAnswers(ctx, []answerRow{{candidateID: candidateID, q: q, correct: correct, given: strings.Join(given, ","), exitAfter: exitAfter, at: at.UTC()}})
	if err != nil {
		return practice.Marks{}, err
	}
	return m[0], nil
}
