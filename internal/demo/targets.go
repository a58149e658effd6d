package demo

import "time"

// Targets are one year's counts the generator reproduces exactly. The
// statistics' definitions (docs/statistics.md) turn them into the reform's
// figures; see Reform for the arithmetic.
type Targets struct {
	Year           int
	Online, Window int // registrations: applications first submitted, per channel kind
	Drafts         int // applications started and never submitted
	OnlineFrom     time.Month
	// Candidates who sat, by journey (P pass, F fail):
	// [P], [F P], [F F P], [F], [F F].
	Journeys [5]int
	Ghosts   int // booked, did not come, never booked again
	Leavers  int // booked, cancelled, never booked again
	// Further no-shows and cancellations inside the journeys above, each
	// followed by a new booking; reschedules (a booking replaced by one of
	// another session) on any booking.
	ExtraAbsent, ExtraCancelled, Rescheduled int
	SingleKind                               int // qualified candidates who asked for one certificate only (they collect it)
	MailedParcels                            int // qualified candidates whose two certificates are posted
	Replacements                             int // certificates replaced after a loss
	PracticeSessions                         int
	MocksPerSitter                           float64
	MessagesFrom                             time.Time // SMS exist from this time (the platform's launch)
}

// Sittings, passes and bookings the targets make.
func (t Targets) Sittings() int {
	j := t.Journeys
	return j[0] + 2*j[1] + 3*j[2] + j[3] + 2*j[4]
}

// Passed is the sittings that passed: one per qualified candidate.
func (t Targets) Passed() int { return t.Journeys[0] + t.Journeys[1] + t.Journeys[2] }

// NoShows is every absent booking.
func (t Targets) NoShows() int { return t.Ghosts + t.ExtraAbsent }

// Bookings is every booking row.
func (t Targets) Bookings() int {
	return t.Sittings() + t.NoShows() + t.Leavers + t.ExtraCancelled + t.Rescheduled
}

// Certificates is the first issues: two per qualified candidate but those
// who asked for one.
func (t Targets) Certificates() int { return 2*t.Passed() - t.SingleKind }

// Scaled multiplies every count by k (a province is about ten cities);
// the rates stay exactly the same.
func (t Targets) Scaled(k int) Targets {
	if k <= 1 {
		return t
	}
	t.Online, t.Window, t.Drafts = t.Online*k, t.Window*k, t.Drafts*k
	for i := range t.Journeys {
		t.Journeys[i] *= k
	}
	t.Ghosts, t.Leavers, t.ExtraAbsent, t.ExtraCancelled, t.Rescheduled = t.Ghosts*k, t.Leavers*k, t.ExtraAbsent*k, t.ExtraCancelled*k, t.Rescheduled*k
	t.SingleKind, t.MailedParcels, t.Replacements, t.PracticeSessions = t.SingleKind*k, t.MailedParcels*k, t.Replacements*k, t.PracticeSessions*k
	return t
}

// Reform is the Zhangzhou reform's 2024 as the statistics page must show
// it (the seeds' figures), and 2023 with the old process's figures:
//
//	2024: 7,788 online registrations; 5,886 bookings = 4,255 sittings +
//	      749 no-shows + 362 cancelled + 520 rescheduled; no-show rate
//	      749 / (4,255 + 749) = 14.97 %; 3,075 passed of 4,255 = 72.27 %;
//	      certificates 2 x 3,075 - 2 (two asked for one) = 6,148; mailed
//	      2 x 2,050 = 4,100 of 6,148 = 66.69 %; 312,486 practice sessions.
//	2023: 6,217 registrations (5,981 at the window, 236 online in the
//	      December pilot); 1,134 no-shows / (4,014 + 1,134) = 22.03 %;
//	      2,561 passed of 4,014 = 63.80 %; 5,122 certificates, all
//	      collected (6,148 is 20 % more).
func Reform() []Targets {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return []Targets{
		{Year: 2023, Online: 236, Window: 5981, Drafts: 40, OnlineFrom: time.December,
			Journeys: [5]int{1980, 520, 61, 611, 100}, Ghosts: 400, Leavers: 30, ExtraAbsent: 734, ExtraCancelled: 30,
			Replacements: 4, PracticeSessions: 4100, MocksPerSitter: 0.1, MessagesFrom: time.Date(2023, 12, 1, 0, 0, 0, 0, loc)},
		{Year: 2024, Online: 7788, Drafts: 912, OnlineFrom: time.January,
			Journeys: [5]int{2405, 620, 50, 380, 40}, Ghosts: 229, Leavers: 62, ExtraAbsent: 520, ExtraCancelled: 300, Rescheduled: 520,
			SingleKind: 2, MailedParcels: 2050, Replacements: 9, PracticeSessions: 312486, MocksPerSitter: 2.9,
			MessagesFrom: time.Date(2023, 12, 1, 0, 0, 0, 0, loc)},
	}
}
