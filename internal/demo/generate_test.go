package demo_test

import (
	"testing"
	"time"

	"taxiexam/exam/registration"
	"taxiexam/internal/demo"
)

func options() demo.Options {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return demo.Options{Preset: "reform", Scale: 1, Previous: true, Seed: 7, Location: loc, City: "漳州市",
		Authority: "漳州市交通运输局", IssuerCode: "11350600MB0000000X", Validity: 6, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, loc)}
}

// The world has exactly the targets' rows, every identity is valid and
// unique, and every booking's session lies in its year.
func TestReformWorldMatchesItsTargets(t *testing.T) {
	t.Parallel()
	o := options()
	targets, err := demo.Plan(o)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := demo.Build(o, targets, demo.Bank{})
	if err != nil {
		t.Fatal(err)
	}
	sessions := map[int64]*demo.Session{}
	for _, s := range w.Sessions {
		sessions[s.ID] = s
	}
	type counts struct{ regs, bookings, sat, absent, certs, mailed, practice, passed int }
	got := map[int]*counts{}
	year := func(at time.Time) *counts {
		y := at.In(o.Location).Year()
		if got[y] == nil {
			got[y] = &counts{}
		}
		return got[y]
	}
	ids, phones := map[string]bool{}, map[string]bool{}
	for _, a := range w.Applications {
		if _, msg := registration.ParseIDNumber(a.Person.IDNumber, o.Now); !msg.IsZero() {
			t.Fatalf("application %d: ID number %s: %s", a.ID, a.Person.IDNumber, msg)
		}
		if ids[a.Person.IDNumber] || phones[a.Person.Phone] {
			t.Fatalf("duplicate identity %s %s", a.Person.IDNumber, a.Person.Phone)
		}
		ids[a.Person.IDNumber], phones[a.Person.Phone] = true, true
		if !a.SubmittedAt.IsZero() {
			year(a.SubmittedAt).regs++
		}
	}
	for _, b := range w.Bookings {
		c := year(b.CreatedAt)
		c.bookings++
		if y := sessions[b.SessionID].StartsAt.In(o.Location).Year(); y != b.CreatedAt.In(o.Location).Year() {
			t.Fatalf("booking %d made in one year for a session of %d", b.ID, y)
		}
		switch b.Status {
		case "sat":
			c.sat++
		case "absent":
			c.absent++
		}
	}
	mailed := map[int64]bool{}
	for _, d := range w.Deliveries {
		mailed[d.ApplicationID] = d.Method == "post"
	}
	for _, c := range w.Certificates {
		if c.Version == 1 {
			y := got[c.IssuedOn.Year()]
			y.certs++
			if mailed[c.ApplicationID] {
				y.mailed++
			}
		}
	}
	for _, a := range w.Attempts {
		if a.Kind == "formal" && a.Passed {
			year(a.SubmittedAt).passed++
		}
	}
	for _, p := range w.Practice {
		year(p.StartedAt).practice++
	}
	for _, tg := range targets {
		c := got[tg.Year]
		want := counts{tg.Online + tg.Window, tg.Bookings(), tg.Sittings(), tg.NoShows(), tg.Certificates(), 2 * tg.MailedParcels, tg.PracticeSessions, tg.Passed()}
		if *c != want {
			t.Errorf("%d: got %+v, want %+v", tg.Year, *c, want)
		}
	}
}
