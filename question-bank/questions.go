package questionbank

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// QuestionInput is the content an editor writes.
type QuestionInput struct {
	Subject     Subject
	ChapterID   int64
	Type        QuestionType
	Stem        string
	Options     []Option
	Answer      []string
	Explanation string
	ImageID     string // "" or the id of an uploaded image
	Difficulty  int
	Tags        []string
	Context     string
}

var imageIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (in QuestionInput) question() Question {
	q := Question{Subject: in.Subject, ChapterID: in.ChapterID, Type: in.Type, Stem: in.Stem, Options: in.Options,
		Answer: in.Answer, Explanation: in.Explanation, Difficulty: in.Difficulty, Tags: in.Tags, Context: in.Context}
	if in.ImageID != "" {
		q.ImageURL = ImageURL(in.ImageID)
	}
	return q
}

// ImageIDOf extracts the image id from a question's ImageURL.
func ImageIDOf(url string) string { return strings.TrimPrefix(url, ImageURL("")) }

func (s *Service) chapterMap(ctx context.Context) (map[int64]Chapter, error) {
	cs, err := s.store.Chapters(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]Chapter, len(cs))
	for _, c := range cs {
		m[c.ID] = c
	}
	return m, nil
}

func (s *Service) checkContent(ctx context.Context, in QuestionInput, selfID int64) (Question, error) {
	q := in.question()
	normalize(&q)
	chapters, err := s.chapterMap(ctx)
	if err != nil {
		return Question{}, err
	}
	f := validateContent(q, chapters)
	if in.ImageID != "" {
		if !imageIDRE.MatchString(in.ImageID) {
			f.Add("image_id", rsnUnknownImage)
		} else if _, err := s.store.Image(ctx, in.ImageID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				f.Add("image_id", rsnUnknownImage)
			} else {
				return Question{}, err
			}
		}
	}
	if err := f.Err(); err != nil {
		return Question{}, err
	}
	owners, err := s.store.StemOwners(ctx, []string{StemHash(q.Stem)})
	if err != nil {
		return Question{}, err
	}
	if id, ok := owners[StemHash(q.Stem)]; ok && id != selfID {
		return Question{}, ErrDuplicateStem.WithMessage("question %d already has this stem", id).WithField("stem", apperr.DuplicateStem())
	}
	return q, nil
}

func actorID(ctx context.Context) int64 {
	if a := reqctx.ActorFrom(ctx); a != nil {
		return a.UserID
	}
	return 0
}

// CreateQuestion adds a draft.
func (s *Service) CreateQuestion(ctx context.Context, in QuestionInput) (QuestionInfo, error) {
	var out QuestionInfo
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		q, err := s.checkContent(ctx, in, 0)
		if err != nil {
			return err
		}
		q.Version, q.Status = 1, StatusDraft
		qi := []QuestionInfo{{Question: q, RowVersion: 1, UpdatedAt: s.clock.Now().UTC(), UpdatedBy: actorID(ctx)}}
		if err := s.store.CreateQuestions(ctx, qi); err != nil {
			return err
		}
		out = qi[0]
		return s.audit.Record(ctx, audit.Entry{Action: "question.create", TargetType: "question", TargetID: itoa(out.ID), After: out.Question})
	})
	return out, err
}

// Question returns the working version of a question for the console.
func (s *Service) Question(ctx context.Context, id int64) (QuestionInfo, error) {
	return s.store.QuestionByID(ctx, id)
}

// History lists every stored version of a question, newest first.
func (s *Service) History(ctx context.Context, id int64) ([]Question, error) {
	if _, err := s.store.QuestionByID(ctx, id); err != nil {
		return nil, err
	}
	return s.store.History(ctx, id)
}

// SearchQuestions is the console's filtered, paginated list.
func (s *Service) SearchQuestions(ctx context.Context, f SearchFilter) ([]QuestionInfo, int64, error) {
	v := apperr.Fields{}
	v.Check(f.Subject == "" || f.Subject.Valid(), "subject", apperr.OneOf("national", "regional"))
	v.Check(f.Type == "" || f.Type.Valid(), "type", apperr.OneOf("true_false", "single", "multiple"))
	v.Check(f.Status == "" || f.Status == StatusDraft || f.Status == StatusInReview || f.Status == StatusPublished || f.Status == StatusRetired, "status", apperr.UnknownStatus())
	v.Check(len([]rune(f.Text)) <= 100, "text", apperr.MaxChars(100))
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	f.Text = strings.TrimSpace(f.Text)
	return s.store.SearchQuestions(ctx, f)
}

// change runs one lifecycle step under the row lock, with optimistic
// version check and audit.
func (s *Service) change(ctx context.Context, id int64, rowVersion int, action string, fn func(ctx context.Context, q *QuestionInfo) (bumpGen bool, err error)) (QuestionInfo, error) {
	var out QuestionInfo
	var bumped bool
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Question
		q, err := s.store.UpdateQuestion(ctx, id, func(q *QuestionInfo) error {
			if q.RowVersion != rowVersion {
				return apperr.ErrVersionConflict
			}
			before = q.Question
			b, err := fn(ctx, q)
			if err != nil {
				return err
			}
			bumped = b
			q.RowVersion++
			q.UpdatedAt = s.clock.Now().UTC()
			q.UpdatedBy = actorID(ctx)
			return nil
		})
		if err != nil {
			return err
		}
		out = q
		if bumped {
			if err := s.store.BumpGeneration(ctx); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: action, TargetType: "question", TargetID: itoa(id), Before: before, After: q.Question})
	})
	if err == nil && bumped {
		s.invalidate()
	}
	return out, err
}

// UpdateQuestion edits the content. Editing a published question starts a
// new version (the live one stays served until the new one is published);
// editing a draft or a question in review changes the working version and
// returns it to draft.
func (s *Service) UpdateQuestion(ctx context.Context, id int64, rowVersion int, in QuestionInput) (QuestionInfo, error) {
	return s.change(ctx, id, rowVersion, "question.update", func(ctx context.Context, q *QuestionInfo) (bool, error) {
		if q.Status == StatusRetired {
			return false, ErrWrongStatus.WithMessage("a retired question cannot be edited")
		}
		nq, err := s.checkContent(ctx, in, q.ID)
		if err != nil {
			return false, err
		}
		nq.ID = q.ID
		nq.Version = q.Version
		if q.Status == StatusPublished || q.Version <= q.LiveVersion {
			nq.Version = q.Version + 1
		}
		nq.Status = StatusDraft
		q.Question = nq
		q.ReviewNote = ""
		return false, nil
	})
}

// SubmitForReview sends a draft to the review queue.
func (s *Service) SubmitForReview(ctx context.Context, id int64, rowVersion int) (QuestionInfo, error) {
	return s.change(ctx, id, rowVersion, "question.submit", func(ctx context.Context, q *QuestionInfo) (bool, error) {
		if q.Status != StatusDraft {
			return false, ErrWrongStatus.WithMessage("only a draft can be submitted for review (it is %s)", q.Status)
		}
		q.Status = StatusInReview
		return false, nil
	})
}

// Approve publishes the version in review: it is frozen and becomes the
// live version candidates see.
func (s *Service) Approve(ctx context.Context, id int64, rowVersion int) (QuestionInfo, error) {
	return s.change(ctx, id, rowVersion, "question.publish", func(ctx context.Context, q *QuestionInfo) (bool, error) {
		if q.Status != StatusInReview {
			return false, ErrWrongStatus.WithMessage("only a question in review can be published (it is %s)", q.Status)
		}
		if err := s.store.FreezeVersion(ctx, q.Ref(), s.clock.Now().UTC()); err != nil {
			return false, err
		}
		q.Status = StatusPublished
		q.LiveVersion = q.Version
		q.ReviewNote = ""
		return true, nil
	})
}

// Reject returns a question in review to draft with a note.
func (s *Service) Reject(ctx context.Context, id int64, rowVersion int, note string) (QuestionInfo, error) {
	note = strings.TrimSpace(note)
	f := apperr.Fields{}
	f.Check(note != "", "note", rsnSayWhatToFix)
	f.Check(len([]rune(note)) <= 500, "note", apperr.MaxChars(500))
	if err := f.Err(); err != nil {
		return QuestionInfo{}, err
	}
	return s.change(ctx, id, rowVersion, "question.reject", func(ctx context.Context, q *QuestionInfo) (bool, error) {
		if q.Status != StatusInReview {
			return false, ErrWrongStatus.WithMessage("only a question in review can be rejected (it is %s)", q.Status)
		}
		q.Status = StatusDraft
		q.ReviewNote = note
		return false, nil
	})
}

// Retire takes a question out of practice and new papers. Attempts that
// hold one of its versions keep them.
func (s *Service) Retire(ctx context.Context, id int64, rowVersion int) (QuestionInfo, error) {
	return s.change(ctx, id, rowVersion, "question.retire", func(ctx context.Context, q *QuestionInfo) (bool, error) {
		if q.Status == StatusRetired {
			return false, ErrWrongStatus.WithMessage("the question is already retired")
		}
		q.Status = StatusRetired
		return q.LiveVersion > 0, nil
	})
}
