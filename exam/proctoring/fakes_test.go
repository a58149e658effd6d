package proctoring_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"taxiexam/exam/booking"
	"time"

	"taxiexam/exam/proctoring"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/signing"
	questionbank "taxiexam/question-bank"
)

// bank: national 4 single-choice questions (answer A), regional 2 (answer
// B); 25 / 50 points each, pass at 80 %, 60 + 30 minutes.
type bank struct {
	qs map[questionbank.VersionRef]questionbank.Question
}

func newBank() *bank {
	b := &bank{qs: map[questionbank.VersionRef]questionbank.Question{}}
	for i := int64(1); i <= 6; i++ {
		subj, ans := questionbank.SubjectNational, "A"
		if i > 4 {
			subj, ans = questionbank.SubjectRegional, "B"
		}
		q := questionbank.Question{ID: i, Version: 1, Subject: subj, Type: questionbank.TypeSingle, Stem: fmt.Sprint("题", i),
			Options: []questionbank.Option{{Key: "A", Text: "甲"}, {Key: "B", Text: "乙"}, {Key: "C", Text: "丙"}}, Answer: []string{ans},
			Explanation: "解析", Status: questionbank.StatusPublished}
		b.qs[q.Ref()] = q
	}
	return b
}

func (b *bank) DefaultBlueprint(_ context.Context, kind string) (questionbank.Blueprint, error) {
	return questionbank.Blueprint{ID: 3, Kind: kind, IsDefault: true}, nil
}

func (b *bank) AssemblePaper(_ context.Context, bpID, seed int64) (questionbank.Paper, error) {
	nat := questionbank.PaperSection{Subject: questionbank.SubjectNational, DurationMinutes: 60, PassPercent: 80, TotalPoints: 100}
	for _, id := range []int64{1, 2, 3, 4} {
		nat.Questions = append(nat.Questions, questionbank.PaperQuestion{Ref: questionbank.VersionRef{QuestionID: id, Version: 1}, Points: 25, OptionOrder: []string{"C", "A", "B"}})
	}
	reg := questionbank.PaperSection{Subject: questionbank.SubjectRegional, DurationMinutes: 30, PassPercent: 80, TotalPoints: 100}
	for _, id := range []int64{5, 6} {
		reg.Questions = append(reg.Questions, questionbank.PaperQuestion{Ref: questionbank.VersionRef{QuestionID: id, Version: 1}, Points: 50, OptionOrder: []string{"B", "C", "A"}})
	}
	return questionbank.Paper{BlueprintID: bpID, Seed: seed, Sections: []questionbank.PaperSection{nat, reg}}, nil
}

func (b *bank) Versions(_ context.Context, refs []questionbank.VersionRef) (map[questionbank.VersionRef]questionbank.Question, error) {
	out := map[questionbank.VersionRef]questionbank.Question{}
	for _, r := range refs {
		if q, ok := b.qs[r]; ok {
			out[r] = q
		}
	}
	return out, nil
}

// bookings stands in for exam/booking: sessions, rooms, the roster and a
// real Ed25519 ticket signature.
type bookings struct {
	mu       sync.Mutex
	signer   *signing.Keyring
	sessions map[int64]proctoring.ExamSession
	rooms    map[int64]proctoring.Room
	booked   []proctoring.Booked
	events   []string
}

func (b *bookings) Session(_ context.Context, id int64) (proctoring.ExamSession, error) {
	if v, ok := b.sessions[id]; ok {
		return v, nil
	}
	return proctoring.ExamSession{}, apperr.ErrNotFound
}

func (b *bookings) SessionsOf(_ context.Context, centreID int64, from, to time.Time) ([]proctoring.ExamSession, error) {
	var out []proctoring.ExamSession
	for _, v := range b.sessions {
		if v.CentreID == centreID && !v.StartsAt.Before(from) && v.StartsAt.Before(to) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (b *bookings) Room(_ context.Context, id int64) (proctoring.Room, error) {
	if r, ok := b.rooms[id]; ok {
		return r, nil
	}
	return proctoring.Room{}, apperr.ErrNotFound
}

func (b *bookings) Rooms(_ context.Context, centreID int64) ([]proctoring.Room, error) {
	var out []proctoring.Room
	for _, r := range b.rooms {
		if r.CentreID == centreID {
			out = append(out, r)
		}
	}
	return out, nil
}

func (b *bookings) Roster(_ context.Context, sessionID int64) ([]proctoring.Booked, error) {
	var out []proctoring.Booked
	for _, x := range b.booked {
		if x.SessionID == sessionID {
			out = append(out, x)
		}
	}
	return out, nil
}

func (b *bookings) ByTicket(_ context.Context, no string) (proctoring.Booked, error) {
	for _, x := range b.booked {
		if x.TicketNo == no {
			return x, nil
		}
	}
	return proctoring.Booked{}, apperr.ErrNotFound
}

func (b *bookings) sign(no string) string {
	kid, sig := b.signer.Sign([]byte("TK1." + no))
	return "TK1." + no + "." + kid + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// VerifyTicket is booking's own check, so the console is tested against the
// real ticket format.
func (b *bookings) VerifyTicket(code string) (string, error) {
	return booking.VerifyTicket(b.signer, code)
}

func (b *bookings) note(e string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, e)
	return nil
}

func (b *bookings) CheckedIn(_ context.Context, id int64) error {
	return b.note(fmt.Sprint("checked_in:", id))
}
func (b *bookings) Started(_ context.Context, id int64) error {
	return b.note(fmt.Sprint("started:", id))
}
func (b *bookings) Closed(_ context.Context, id int64) error {
	return b.note(fmt.Sprint("closed:", id))
}

type allSubjects struct{}

func (allSubjects) MustSit(context.Context, int64, time.Time) ([]questionbank.Subject, error) {
	return questionbank.Subjects, nil
}

// logins stands in for internal/auth's exam sessions.
type logins struct {
	mu  sync.Mutex
	who []int64
}

func (l *logins) OpenExamSession(_ context.Context, cand int64, _, _ string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.who = append(l.who, cand)
	return fmt.Sprint("session-", cand, "-", len(l.who)), nil
}

type photos struct{}

func (photos) Photo(_ context.Context, appID int64) ([]byte, string, error) {
	return []byte(fmt.Sprint("photo-", appID)), "image/jpeg", nil
}
