package questionbank

import (
	"context"
	"regexp"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

var chapterCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,31}$`)

// ChapterInput is what the bureau edits.
type ChapterInput struct {
	Subject Subject
	Code    string
	Name    string
	Sort    int
}

func checkChapter(in *ChapterInput, creating bool) error {
	in.Code = strings.ToLower(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	if creating {
		f.Check(in.Subject.Valid(), "subject", apperr.OneOf("national", "regional"))
		f.Check(chapterCodeRE.MatchString(in.Code), "code", rsn232CharactersLowerCaseLetters)
	}
	n := len([]rune(in.Name))
	f.Check(n > 0 && n <= 50, "name", apperr.RequiredMaxChars(50))
	f.Check(in.Sort >= 0 && in.Sort <= 9999, "sort", apperr.Between(0, 9999))
	return f.Err()
}

// ChapterStats is a chapter with how many questions it holds.
type ChapterStats struct {
	Chapter
	Questions int
}

// ChaptersWithCounts lists chapters for the console (read from the
// database, not the cache, so the editor sees its own changes).
func (s *Service) ChaptersWithCounts(ctx context.Context) ([]ChapterStats, error) {
	cs, err := s.store.Chapters(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.ChapterQuestionCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ChapterStats, len(cs))
	for i, c := range cs {
		out[i] = ChapterStats{Chapter: c, Questions: counts[c.ID]}
	}
	return out, nil
}

// CreateChapter adds a chapter.
func (s *Service) CreateChapter(ctx context.Context, in ChapterInput) (Chapter, error) {
	if err := checkChapter(&in, true); err != nil {
		return Chapter{}, err
	}
	c := Chapter{Subject: in.Subject, Code: in.Code, Name: in.Name, Sort: in.Sort, Version: 1}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateChapter(ctx, &c); err != nil {
			return err
		}
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "chapter.create", TargetType: "chapter", TargetID: itoa(c.ID), After: c})
	})
	if err == nil {
		s.invalidate()
	}
	return c, err
}

// UpdateChapter renames or re-sorts a chapter (its subject and code stay).
func (s *Service) UpdateChapter(ctx context.Context, id int64, version int, in ChapterInput) (Chapter, error) {
	if err := checkChapter(&in, false); err != nil {
		return Chapter{}, err
	}
	var out Chapter
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before Chapter
		c, err := s.store.UpdateChapter(ctx, id, func(c *Chapter) error {
			if c.Version != version {
				return apperr.ErrVersionConflict
			}
			before = *c
			c.Name, c.Sort = in.Name, in.Sort
			c.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = c
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "chapter.update", TargetType: "chapter", TargetID: itoa(id), Before: before, After: c})
	})
	if err == nil {
		s.invalidate()
	}
	return out, err
}

// DeleteChapter removes an empty chapter that no blueprint uses.
func (s *Service) DeleteChapter(ctx context.Context, id int64) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.ChapterByID(ctx, id)
		if err != nil {
			return err
		}
		bps, err := s.store.Blueprints(ctx)
		if err != nil {
			return err
		}
		for _, b := range bps {
			for _, sec := range b.Sections {
				for _, it := range sec.Items {
					if it.ChapterID == id {
						return ErrChapterInUse.WithMessage("blueprint %q uses this chapter", b.Name)
					}
				}
			}
		}
		if err := s.store.DeleteChapter(ctx, id); err != nil {
			return err
		}
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "chapter.delete", TargetType: "chapter", TargetID: itoa(id), Before: c})
	})
	if err == nil {
		s.invalidate()
	}
	return err
}
