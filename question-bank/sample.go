package questionbank

import (
	"context"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"taxiexam/internal/audit"
)

//go:embed sampledata/*.csv
var sampleFS embed.FS

// SampleFiles are the sample bank's question files, in load order.
var SampleFiles = []string{"sampledata/national.csv", "sampledata/regional.csv"}

// defaultBlueprint is the formal paper of the sample bank: per chapter of
// the national subject 4 true/false, 5 single, 2 multiple choice (6 single in
// laws), 1 point each, 100 points in 90 minutes; the regional subject 10, 10
// and 5 per chapter, 2 points each, 100 points in 45 minutes; each passed at
// 80%.
func defaultBlueprint(chapters []Chapter) BlueprintInput {
	bp := BlueprintInput{Name: "出租汽车驾驶员从业资格考试（一考两证）标准试卷", Kind: KindFormal, IsDefault: true,
		Sections: []BlueprintSection{
			{Subject: SubjectNational, DurationMinutes: 90, PassPercent: 80},
			{Subject: SubjectRegional, DurationMinutes: 45, PassPercent: 80},
		}}
	for _, c := range chapters {
		switch c.Subject {
		case SubjectNational:
			single := 5
			if c.Code == "n07-law" {
				single = 6
			}
			bp.Sections[0].Items = append(bp.Sections[0].Items,
				BlueprintItem{ChapterID: c.ID, Type: TypeTrueFalse, Count: 4, Points: 1},
				BlueprintItem{ChapterID: c.ID, Type: TypeSingle, Count: single, Points: 1},
				BlueprintItem{ChapterID: c.ID, Type: TypeMultiple, Count: 2, Points: 1})
		case SubjectRegional:
			bp.Sections[1].Items = append(bp.Sections[1].Items,
				BlueprintItem{ChapterID: c.ID, Type: TypeTrueFalse, Count: 10, Points: 2},
				BlueprintItem{ChapterID: c.ID, Type: TypeSingle, Count: 10, Points: 2},
				BlueprintItem{ChapterID: c.ID, Type: TypeMultiple, Count: 5, Points: 2})
		}
	}
	return bp
}

// SampleRows parses the shipped sample bank against chapters (for tests
// and the loader); bad rows are a bug in the shipped files.
func SampleRows(chapters []Chapter) ([]ImportRow, error) {
	byCode, byID := map[string]Chapter{}, map[int64]Chapter{}
	for _, c := range chapters {
		byCode[c.Code], byID[c.ID] = c, c
	}
	var all []ImportRow
	seen := map[string]string{}
	for _, name := range SampleFiles {
		data, err := sampleFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		rows, err := readSheet(name, data)
		if err != nil {
			return nil, err
		}
		if err := checkHeader(rows[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		good, errs := parseRows(rows[1:], byCode, byID)
		if len(errs) > 0 {
			e := errs[0]
			return nil, fmt.Errorf("%s row %d column %s: %s (%d bad rows)", name, e.Row, e.Column, e.Reason.Message(), len(errs))
		}
		for _, r := range good {
			h := StemHash(r.Question.Stem)
			if prev, ok := seen[h]; ok {
				return nil, fmt.Errorf("%s row %d: duplicate stem (also %s)", name, r.Row, prev)
			}
			seen[h] = fmt.Sprintf("%s row %d", name, r.Row)
		}
		all = append(all, good...)
	}
	return all, nil
}

// SampleChapters are the chapters of the sample bank.
func SampleChapters() ([]ChapterInput, error) {
	data, err := sampleFS.ReadFile("sampledata/chapters.csv")
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []ChapterInput
	for _, r := range recs[1:] {
		n, err := strconv.Atoi(r[3])
		if err != nil {
			return nil, err
		}
		out = append(out, ChapterInput{Subject: Subject(r[0]), Code: r[1], Name: r[2], Sort: n})
	}
	return out, nil
}

// LoadSample fills an empty bank with the shipped sample: chapters, every
// question published, and the default formal blueprint. It does nothing
// (loaded=false) when the bank already has chapters or questions.
func (s *Service) LoadSample(ctx context.Context) (loaded bool, err error) {
	chIn, err := SampleChapters()
	if err != nil {
		return false, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		n, err := s.store.CountQuestions(ctx)
		if err != nil {
			return err
		}
		existing, err := s.store.Chapters(ctx)
		if err != nil {
			return err
		}
		if n > 0 || len(existing) > 0 {
			return nil
		}
		var chapters []Chapter
		for _, in := range chIn {
			if err := checkChapter(&in, true); err != nil {
				return fmt.Errorf("sample chapter %s: %w", in.Code, err)
			}
			c := Chapter{Subject: in.Subject, Code: in.Code, Name: in.Name, Sort: in.Sort, Version: 1}
			if err := s.store.CreateChapter(ctx, &c); err != nil {
				return err
			}
			chapters = append(chapters, c)
		}
		rows, err := SampleRows(chapters)
		if err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		qs := make([]QuestionInfo, len(rows))
		for i, r := range rows {
			q := r.Question
			q.Version, q.Status = 1, StatusPublished
			qs[i] = QuestionInfo{Question: q, LiveVersion: 1, RowVersion: 1, UpdatedAt: now}
		}
		if err := s.store.CreateQuestions(ctx, qs); err != nil {
			return err
		}
		bpIn := defaultBlueprint(chapters)
		if err := s.checkBlueprint(ctx, &bpIn); err != nil {
			return fmt.Errorf("sample blueprint: %w", err)
		}
		bp := Blueprint{Name: bpIn.Name, Kind: bpIn.Kind, IsDefault: true, Sections: bpIn.Sections, Version: 1}
		if err := s.store.CreateBlueprint(ctx, &bp); err != nil {
			return err
		}
		if err := s.store.BumpGeneration(ctx); err != nil {
			return err
		}
		loaded = true
		return s.audit.Record(ctx, audit.Entry{Action: "bank.load_sample", TargetType: "bank", TargetID: "sample",
			After: map[string]any{"chapters": len(chapters), "questions": len(qs), "blueprint_id": bp.ID}})
	})
	if err != nil {
		return false, errors.Join(errors.New("loading the sample question bank"), err)
	}
	s.invalidate()
	return loaded, nil
}
