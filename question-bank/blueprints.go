package questionbank

import (
	"context"
	"fmt"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// BlueprintInput is what the bureau edits.
type BlueprintInput struct {
	Name      string
	Kind      string
	IsDefault bool
	Sections  []BlueprintSection
}

func (s *Service) checkBlueprint(ctx context.Context, in *BlueprintInput) error {
	in.Name = strings.TrimSpace(in.Name)
	chapters, err := s.chapterMap(ctx)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	n := len([]rune(in.Name))
	f.Check(n > 0 && n <= 100, "name", apperr.RequiredMaxChars(100))
	f.Check(in.Kind == KindFormal || in.Kind == KindMock, "kind", apperr.OneOf("formal", "mock"))
	f.Check(len(in.Sections) >= 1 && len(in.Sections) <= 2, "sections", rsnOneOrTwoSubjects)
	seenSubj := map[Subject]bool{}
	for i, sec := range in.Sections {
		p := fmt.Sprintf("sections[%d]", i)
		f.Check(sec.Subject.Valid(), p+".subject", apperr.OneOf("national", "regional"))
		f.Check(!seenSubj[sec.Subject], p+".subject", rsnEachSubjectAppearsOnce)
		seenSubj[sec.Subject] = true
		f.Check(sec.DurationMinutes >= 5 && sec.DurationMinutes <= 240, p+".duration_minutes", rsn5To240Minutes)
		f.Check(sec.PassPercent >= 1 && sec.PassPercent <= 100, p+".pass_percent", apperr.Between(1, 100))
		f.Check(len(sec.Items) >= 1 && len(sec.Items) <= 100, p+".items", rsn1To100Items)
		seen := map[poolKey]bool{}
		total := 0
		for j, it := range sec.Items {
			q := fmt.Sprintf("%s.items[%d]", p, j)
			c, ok := chapters[it.ChapterID]
			f.Check(ok, q+".chapter_id", apperr.UnknownChapter())
			f.Check(!ok || c.Subject == sec.Subject, q+".chapter_id", rsnTheChapterBelongsToTheOther)
			f.Check(it.Type.Valid(), q+".type", apperr.OneOf("true_false", "single", "multiple"))
			f.Check(it.Count >= 1 && it.Count <= 200, q+".count", apperr.Between(1, 200))
			f.Check(it.Points >= 1 && it.Points <= 10, q+".points", apperr.Between(1, 10))
			k := poolKey{it.ChapterID, it.Type}
			f.Check(!seen[k], q, rsnChapterAndTypeAppearTwice)
			seen[k] = true
			total += it.Count
		}
		f.Check(total <= 300, p+".items", rsnAtMost300QuestionsPerSubject)
	}
	return f.Err()
}

// CreateBlueprint adds a blueprint; a default one replaces the previous
// default of its kind.
func (s *Service) CreateBlueprint(ctx context.Context, in BlueprintInput) (Blueprint, error) {
	var out Blueprint
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkBlueprint(ctx, &in); err != nil {
			return err
		}
		out = Blueprint{Name: in.Name, Kind: in.Kind, IsDefault: in.IsDefault, Sections: in.Sections, Version: 1}
		if err := s.store.CreateBlueprint(ctx, &out); err != nil {
			return err
		}
		if out.IsDefault {
			if err := s.store.ClearDefault(ctx, out.Kind, out.ID); err != nil {
				return err
			}
		}
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "blueprint.create", TargetType: "blueprint", TargetID: itoa(out.ID), After: out})
	})
	if err == nil {
		s.invalidate()
	}
	return out, err
}

// UpdateBlueprint replaces a blueprint's composition. Papers already drawn
// keep their questions.
func (s *Service) UpdateBlueprint(ctx context.Context, id int64, version int, in BlueprintInput) (Blueprint, error) {
	var out Blueprint
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkBlueprint(ctx, &in); err != nil {
			return err
		}
		var before Blueprint
		b, err := s.store.UpdateBlueprint(ctx, id, func(b *Blueprint) error {
			if b.Version != version {
				return apperr.ErrVersionConflict
			}
			before = *b
			b.Name, b.Kind, b.IsDefault, b.Sections = in.Name, in.Kind, in.IsDefault, in.Sections
			b.Version++
			return nil
		})
		if err != nil {
			return err
		}
		out = b
		if b.IsDefault {
			if err := s.store.ClearDefault(ctx, b.Kind, b.ID); err != nil {
				return err
			}
		}
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "blueprint.update", TargetType: "blueprint", TargetID: itoa(id), Before: before, After: b})
	})
	if err == nil {
		s.invalidate()
	}
	return out, err
}

// BlueprintView is a blueprint as the editor sees it: with the items the
// live bank cannot fill (none when a paper can be drawn).
type BlueprintView struct {
	Blueprint
	Shortfalls []string
}

func (s *Service) view(ctx context.Context, b Blueprint, err error) (BlueprintView, error) {
	if err != nil {
		return BlueprintView{}, err
	}
	sn, err := s.current(ctx)
	if err != nil {
		return BlueprintView{}, err
	}
	return BlueprintView{Blueprint: b, Shortfalls: sn.shortfalls(b)}, nil
}

// BlueprintView is one blueprint with its shortfalls.
func (s *Service) BlueprintView(ctx context.Context, id int64) (BlueprintView, error) {
	b, err := s.Blueprint(ctx, id)
	return s.view(ctx, b, err)
}

// BlueprintViews is every blueprint with its shortfalls.
func (s *Service) BlueprintViews(ctx context.Context) ([]BlueprintView, error) {
	bs, err := s.Blueprints(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]BlueprintView, len(bs))
	for i, b := range bs {
		if out[i], err = s.view(ctx, b, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateBlueprintView is CreateBlueprint answering with the new
// blueprint's shortfalls.
func (s *Service) CreateBlueprintView(ctx context.Context, in BlueprintInput) (BlueprintView, error) {
	b, err := s.CreateBlueprint(ctx, in)
	return s.view(ctx, b, err)
}

// UpdateBlueprintView is UpdateBlueprint answering with its shortfalls.
func (s *Service) UpdateBlueprintView(ctx context.Context, id int64, version int, in BlueprintInput) (BlueprintView, error) {
	b, err := s.UpdateBlueprint(ctx, id, version, in)
	return s.view(ctx, b, err)
}
