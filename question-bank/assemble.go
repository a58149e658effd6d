package questionbank

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// AssemblePaper draws a paper for the blueprint: per item, Count distinct
// published questions of the chapter and type at random, then shuffles the
// question order of each section and the option order of each choice
// question (true/false keeps 正确/错误). The same bank state, blueprint
// and seed give the same paper, so an appeal can replay it. When the bank
// cannot fill an item it fails with ErrBankShort naming every short
// chapter/type.
func (s *Service) AssemblePaper(ctx context.Context, blueprintID int64, seed int64) (Paper, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return Paper{}, err
	}
	var bp *Blueprint
	for i := range sn.blueprints {
		if sn.blueprints[i].ID == blueprintID {
			bp = &sn.blueprints[i]
			break
		}
	}
	if bp == nil {
		return Paper{}, ErrNoBlueprint.WithMessage("blueprint %d does not exist", blueprintID)
	}
	return sn.assemble(*bp, seed)
}

func (sn *snapshot) assemble(bp Blueprint, seed int64) (Paper, error) {
	if short := sn.shortfalls(bp); len(short) > 0 {
		e := ErrBankShort.WithMessage("the bank cannot fill the blueprint: %s", strings.Join(short, "; "))
		return Paper{}, e
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(bp.ID)))
	p := Paper{BlueprintID: bp.ID, Seed: seed, Sections: make([]PaperSection, len(bp.Sections))}
	var scratch []int
	for si, sec := range bp.Sections {
		ps := PaperSection{Subject: sec.Subject, DurationMinutes: sec.DurationMinutes, PassPercent: sec.PassPercent,
			TotalPoints: sec.TotalPoints(), Questions: make([]PaperQuestion, 0, sec.QuestionCount())}
		for _, it := range sec.Items {
			pool := sn.pools[poolKey{it.ChapterID, it.Type}]
			scratch = append(scratch[:0], pool...)
			// partial Fisher-Yates: the first Count entries are the draw
			for i := 0; i < it.Count; i++ {
				j := i + rng.IntN(len(scratch)-i)
				scratch[i], scratch[j] = scratch[j], scratch[i]
			}
			for _, idx := range scratch[:it.Count] {
				q := &sn.live[idx]
				ps.Questions = append(ps.Questions, PaperQuestion{Ref: q.Ref(), Points: it.Points, OptionOrder: optionOrder(q, rng)})
			}
		}
		rng.Shuffle(len(ps.Questions), func(i, j int) { ps.Questions[i], ps.Questions[j] = ps.Questions[j], ps.Questions[i] })
		p.Sections[si] = ps
	}
	return p, nil
}

func optionOrder(q *Question, rng *rand.Rand) []string {
	keys := make([]string, len(q.Options))
	for i, o := range q.Options {
		keys[i] = o.Key
	}
	if q.Type != TypeTrueFalse {
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	}
	return keys
}

// shortfalls names every blueprint item the live bank cannot fill.
func (sn *snapshot) shortfalls(bp Blueprint) []string {
	var out []string
	for _, sec := range bp.Sections {
		for _, it := range sec.Items {
			have := len(sn.pools[poolKey{it.ChapterID, it.Type}])
			if have < it.Count {
				name := fmt.Sprintf("chapter %d", it.ChapterID)
				if c, ok := sn.chapterByID[it.ChapterID]; ok {
					name = fmt.Sprintf("%s %s", c.Code, c.Name)
				}
				out = append(out, fmt.Sprintf("%s / %s: need %d, have %d", name, it.Type, it.Count, have))
			}
		}
	}
	return out
}

// Grade reports whether given is exactly the answer: for multiple choice
// every correct key and no other. Keys are compared case-insensitively and
// duplicates are ignored.
func Grade(q Question, given []string) bool {
	norm := make([]string, 0, len(given))
	for _, g := range given {
		g = strings.ToUpper(strings.TrimSpace(g))
		if g != "" && !slices.Contains(norm, g) {
			norm = append(norm, g)
		}
	}
	if len(norm) != len(q.Answer) {
		return false
	}
	if q.Type != TypeMultiple && len(norm) != 1 {
		return false
	}
	slices.Sort(norm)
	return slices.Equal(norm, q.Answer)
}

// Grade is also a method for callers that hold the service.
func (s *Service) Grade(q Question, given []string) bool { return Grade(q, given) }
