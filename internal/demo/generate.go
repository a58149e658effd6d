// Package demo builds a synthetic but realistic city-year (and optionally
// the year before) for a new installation: channels and QR scans,
// applications and police decisions, practice and mock exams, sessions,
// bookings, no-shows, formal results, certificates, deliveries and SMS.
// The reform preset reproduces the Zhangzhou reform's 2024 figures exactly
// on the statistics page (Targets, Reform); the same generator, scaled,
// is the data of the statistics benchmark (cmd/statsbench).
//
// It writes through a Sink (demodb for SQL) into an empty database only.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"taxiexam/cert"
	"taxiexam/exam/attempt"
	"taxiexam/exam/results"
	questionbank "taxiexam/question-bank"
)

// Sink writes a world into the database.
type Sink interface {
	// Occupied names the business tables that already hold rows (the demo
	// fills only an empty database).
	Occupied(ctx context.Context) ([]string, error)
	// Bank is the question bank's default formal blueprint and chapters.
	Bank(ctx context.Context) (Bank, error)
	// Write stores the world, in batches.
	Write(ctx context.Context, w *World) error
}

// Options say what to generate.
type Options struct {
	Preset     string // "reform" (the only one so far)
	Scale      int    // 1 = a city; 10 = about a province
	Previous   bool   // also the year before (the old process's figures)
	Seed       uint64
	Location   *time.Location
	City       string
	Authority  string // printed on the certificates
	IssuerCode string
	Validity   int       // years a certificate is valid
	Now        time.Time // nothing is dated later than this
}

// ErrNotEmpty refuses a database that already holds data.
var ErrNotEmpty = errors.New("the database is not empty")

// Summary is what a run wrote, per year.
type Summary struct {
	Years []YearSummary
	Rows  int
}

// YearSummary is one year's headline counts (what the statistics page
// shows for it).
type YearSummary struct {
	Year                                               int
	Registrations, Bookings, Sittings, NoShows, Passed int
	Certificates, Mailed, PracticeSessions             int
}

// Presets lists the presets Generate knows.
var Presets = []string{"reform"}

// Plan returns the targets of a preset, oldest year first.
func Plan(o Options) ([]Targets, error) {
	if o.Preset != "reform" {
		return nil, fmt.Errorf("unknown preset %q (known: %s)", o.Preset, strings.Join(Presets, ", "))
	}
	ts := Reform()
	if !o.Previous {
		ts = ts[len(ts)-1:]
	}
	for i := range ts {
		ts[i] = ts[i].Scaled(max(1, o.Scale))
	}
	return ts, nil
}

// Generate builds the world of o and writes it through sink.
func Generate(ctx context.Context, sink Sink, o Options) (Summary, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Validity == 0 {
		o.Validity = 6
	}
	targets, err := Plan(o)
	if err != nil {
		return Summary{}, err
	}
	busy, err := sink.Occupied(ctx)
	if err != nil {
		return Summary{}, err
	}
	if len(busy) > 0 {
		return Summary{}, fmt.Errorf("%w: %s already hold data; the demo fills only an empty database (use a fresh data_dir or database)", ErrNotEmpty, strings.Join(busy, ", "))
	}
	bank, err := sink.Bank(ctx)
	if err != nil {
		return Summary{}, err
	}
	w, sum, err := Build(o, targets, bank)
	if err != nil {
		return Summary{}, err
	}
	if err := sink.Write(ctx, w); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// Build makes the world in memory (no database): the targets' years over
// one city.
func Build(o Options, targets []Targets, bank Bank) (*World, Summary, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	g := &gen{o: o, rnd: rand.New(rand.NewPCG(o.Seed, 0x5eed)), w: &World{BlueprintID: bank.BlueprintID, Authority: o.Authority}, bank: bank,
		answers: map[time.Time]*HourCount{}, scans: map[scanKey]*HourCount{}}
	g.ppl = newPeople(g.rnd)
	g.base(targets)
	var sum Summary
	for _, t := range targets {
		if err := g.year(t); err != nil {
			return nil, Summary{}, fmt.Errorf("year %d: %w", t.Year, err)
		}
		sum.Years = append(sum.Years, YearSummary{Year: t.Year, Registrations: t.Online + t.Window, Bookings: t.Bookings(), Sittings: t.Sittings(),
			NoShows: t.NoShows(), Passed: t.Passed(), Certificates: t.Certificates(), Mailed: 2 * t.MailedParcels, PracticeSessions: t.PracticeSessions})
	}
	g.flushCounters()
	w := g.w
	sum.Rows = len(w.Candidates) + len(w.Applications) + len(w.Events) + len(w.Bookings) + len(w.Sittings) + len(w.Attempts) + len(w.Results) +
		len(w.Qualifications) + len(w.Certificates) + len(w.Deliveries) + len(w.Messages) + len(w.Practice) + len(w.Answers) + len(w.Scans) + len(w.Sessions)
	return w, sum, nil
}

type scanKey struct {
	hour    time.Time
	channel int64
}

type gen struct {
	o        Options
	rnd      *rand.Rand
	w        *World
	ppl      *people
	bank     Bank
	byCentre [][]*Session
	answers  map[time.Time]*HourCount
	scans    map[scanKey]*HourCount
	ticket   int
	waybill  int64
	ids      struct{ cand, app, booking, attempt, result, qual, cert, delivery, session int64 }
}

// ---------------------------------------------------------------- the city

func (g *gen) base(targets []Targets) {
	first := time.Date(targets[0].Year, 1, 1, 9, 0, 0, 0, g.o.Location).UTC()
	pilot := time.Date(2023, 11, 20, 10, 0, 0, 0, g.o.Location).UTC()
	if pilot.Before(first) {
		pilot = first
	}
	g.w.Channels = []Channel{
		{ID: 1, Code: "zzt", Name: "漳州通", Kind: "online", Weight: 32, CreatedAt: pilot},
		{ID: 2, Code: "wechat", Name: "市交通运输局微信公众号", Kind: "online", Weight: 26, CreatedAt: pilot},
		{ID: 3, Code: "mzt", Name: "闽政通", Kind: "online", Weight: 18, CreatedAt: pilot},
		{ID: 4, Code: "website", Name: "市交通运输局官网", Kind: "online", Weight: 12, CreatedAt: pilot},
		{ID: 5, Code: "poster", Name: "考点海报二维码", Kind: "online", Weight: 12, CreatedAt: pilot},
		{ID: 6, Code: "hall", Name: "市民服务中心窗口", Kind: "window", CreatedAt: first},
	}
	city := g.o.City
	if city == "" {
		city = "漳州市"
	}
	g.w.Offices = []Office{ // the first one posts the parcels (cert.dispatch_office_id: 1)
		{ID: 1, Name: city + "交通运输局发证窗口", Address: city + "芗城区胜利西路1号市民服务中心二楼", Hours: "工作日 8:30-12:00, 14:30-17:30"},
		{ID: 2, Name: "龙海区交通运输局窗口", Address: city + "龙海区石码街道紫泉路88号", Hours: "工作日 8:30-12:00, 14:30-17:30"},
		{ID: 3, Name: "漳浦县交通运输局窗口", Address: city + "漳浦县绥安镇府前街12号", Hours: "工作日 8:30-12:00, 14:30-17:30"},
	}
	k := max(1, g.o.Scale)
	specs := []struct {
		name, addr   string
		rooms, seats int
	}{
		{"市区考点（芗城）", city + "芗城区水仙大街368号机动车驾驶人考试中心三楼", 2, 40},
		{"龙海考点", city + "龙海区九龙大道1号职业技术学校实训楼", 1, 30},
		{"漳浦考点", city + "漳浦县绥安工业区兴业路6号", 1, 30},
	}
	var room int64
	for i, s := range specs {
		c := Centre{ID: int64(i + 1), Name: s.name, Address: s.addr, Phone: fmt.Sprintf("0596-%07d", 2910000+i*137), Notes: "请提前30分钟到达，携带身份证原件和准考证。"}
		for r := 0; r < s.rooms*k; r++ {
			room++
			c.Rooms = append(c.Rooms, Room{ID: room, CentreID: c.ID, Name: fmt.Sprintf("第%d考场", r+1), Seats: s.seats})
		}
		g.w.Centres = append(g.w.Centres, c)
	}
	g.byCentre = make([][]*Session, len(g.w.Centres))
	g.w.Platforms = []Platform{
		{"闽南约车", "网络预约出租汽车经营许可证 闽交运网约〔2021〕0012", "0596-2688001", 120},
		{"漳州出行", "网络预约出租汽车经营许可证 闽交运网约〔2020〕0007", "0596-2688002", 80},
		{"海西快车", "网络预约出租汽车经营许可证 闽交运网约〔2022〕0031", "0596-2688003", 45},
		{"九龙江约车", "网络预约出租汽车经营许可证 闽交运网约〔2023〕0044", "0596-2688004", 30},
	}
}

// sessions opens the year's exam sessions: the city centre on Tuesdays and
// Thursdays (morning and afternoon), the county centres twice a week; none
// in the Spring Festival or National Day weeks.
func (g *gen) sessions(year int) {
	loc := g.o.Location
	closed := func(d time.Time) bool {
		if d.Month() == time.October && d.Day() <= 7 {
			return true
		}
		sf := map[int][2]int{2023: {1, 21}, 2024: {2, 10}, 2025: {1, 29}} // Spring Festival (month, day)
		if s, ok := sf[year]; ok {
			start := time.Date(year, time.Month(s[0]), s[1], 0, 0, 0, 0, loc).AddDate(0, 0, -2)
			return !d.Before(start) && d.Before(start.AddDate(0, 0, 9))
		}
		return false
	}
	plan := map[int][]struct {
		wd   time.Weekday
		h, m int
	}{
		0: {{time.Tuesday, 9, 0}, {time.Tuesday, 14, 30}, {time.Thursday, 9, 0}, {time.Thursday, 14, 30}},
		1: {{time.Wednesday, 9, 0}, {time.Friday, 9, 0}},
		2: {{time.Monday, 9, 0}, {time.Thursday, 9, 0}},
	}
	for d := time.Date(year, 1, 2, 0, 0, 0, 0, loc); d.Year() == year; d = d.AddDate(0, 0, 1) {
		if closed(d) {
			continue
		}
		for ci, c := range g.w.Centres {
			for _, p := range plan[ci] {
				if d.Weekday() != p.wd {
					continue
				}
				for _, r := range c.Rooms {
					g.ids.session++
					s := &Session{ID: g.ids.session, CentreID: c.ID, RoomID: r.ID, StartsAt: time.Date(d.Year(), d.Month(), d.Day(), p.h, p.m, 0, 0, loc).UTC(),
						DurationMinutes: 135, Capacity: r.Seats}
					g.w.Sessions = append(g.w.Sessions, s)
					g.byCentre[ci] = append(g.byCentre[ci], s)
				}
			}
		}
	}
}

// ---------------------------------------------------------------- random helpers

func (g *gen) between(a, b time.Duration) time.Duration {
	if b <= a {
		return a
	}
	return a + time.Duration(g.rnd.Int64N(int64(b-a)))
}

func (g *gen) days(a, b float64) time.Duration {
	return time.Duration((a + g.rnd.Float64()*(b-a)) * float64(24*time.Hour))
}

func (g *gen) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.rnd.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// onlineMonths are the months' shares of online registrations (the launch in
// January, the Spring Festival dip, steady after).
var onlineMonths = []int{6, 4, 9, 9, 9, 9, 10, 10, 9, 8, 9, 8}

// localHour draws an hour of the day: online candidates in the evening
// too, window candidates in office hours.
func (g *gen) localHour(window bool) (int, int) {
	if window {
		h := []int{9, 9, 10, 10, 11, 14, 15, 15, 16}[g.rnd.IntN(9)]
		return h, g.rnd.IntN(60)
	}
	hours := []int{0, 0, 0, 0, 0, 0, 1, 3, 5, 7, 8, 8, 6, 5, 6, 6, 6, 5, 5, 7, 9, 10, 8, 4}
	return g.pick(hours), g.rnd.IntN(60)
}

// moment draws a time in the year within [fromMonth, December].
func (g *gen) moment(year int, fromMonth time.Month, window bool) time.Time {
	weights := slices.Clone(onlineMonths)
	for m := range weights {
		if time.Month(m+1) < fromMonth {
			weights[m] = 0
		} else if window {
			weights[m] = 8
		}
	}
	m := time.Month(g.pick(weights) + 1)
	last := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	for {
		d := time.Date(year, m, 1+g.rnd.IntN(last), 0, 0, 0, 0, g.o.Location)
		if window && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday) {
			continue
		}
		h, min := g.localHour(window)
		return time.Date(year, m, d.Day(), h, min, g.rnd.IntN(60), 0, g.o.Location).UTC()
	}
}

func (g *gen) yearEnd(year int) time.Time {
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, g.o.Location).UTC()
	if g.o.Now.Before(end) {
		end = g.o.Now.UTC()
	}
	return end
}

// ---------------------------------------------------------------- messages

func (g *gen) sms(t Targets, cand Candidate, tpl, ref string, at time.Time, params map[string]string) {
	if at.Before(t.MessagesFrom) || at.After(g.o.Now) {
		return
	}
	if params == nil {
		params = map[string]string{}
	}
	if _, ok := params["name"]; !ok {
		params["name"] = cand.Person.Name
	}
	g.w.Messages = append(g.w.Messages, Message{Topic: "sms", DedupeKey: "demo:" + tpl + ":" + ref, Template: tpl, CandidateID: cand.ID,
		Phone: cand.Person.Phone, Params: params, At: at})
}

func (g *gen) localDate(t time.Time) string { return t.In(g.o.Location).Format("2006年1月2日") }

// ---------------------------------------------------------------- one year

type registrant struct {
	cand     Candidate
	app      *Application
	submitAt time.Time // when the draft is first submitted (zero: stays a draft)
	// set by the journeys
	lastActive time.Time
	booker     bool
}

func (g *gen) year(t Targets) error {
	g.sessions(t.Year)
	end := g.yearEnd(t.Year)
	start := time.Date(t.Year, 1, 1, 0, 0, 0, 0, g.o.Location).UTC()
	var regs []*registrant
	online := []int{}
	for _, c := range g.w.Channels {
		online = append(online, c.Weight)
	}
	newRegistrant := func(at time.Time, channel int64, draft bool) *registrant {
		p := g.ppl.next(at)
		g.ids.cand++
		created := at.Add(-g.between(10*time.Minute, 36*time.Hour))
		if created.Before(start) {
			created = start.Add(g.between(0, time.Hour))
		}
		if created.After(at) {
			created = at
		}
		c := Candidate{ID: g.ids.cand, Person: p, CreatedAt: created}
		g.w.Candidates = append(g.w.Candidates, c)
		g.ids.app++
		a := &Application{ID: g.ids.app, CandidateID: c.ID, ChannelID: channel, Status: "draft", Person: p, WantTaxi: true, WantRide: true,
			Delivery: "pickup", OfficeID: g.w.Offices[p.County.Office].ID, CreatedAt: created.Add(g.between(time.Minute, 5*time.Minute))}
		if a.CreatedAt.After(at) {
			a.CreatedAt = at
		}
		g.w.Applications = append(g.w.Applications, a)
		g.w.Events = append(g.w.Events, Event{ApplicationID: a.ID, At: a.CreatedAt, Status: "draft", ActorKind: "candidate"})
		r := &registrant{cand: c, app: a}
		if !draft {
			r.submitAt = at
			regs = append(regs, r)
		}
		if g.w.Channels[channel-1].Kind == "online" || !a.CreatedAt.Before(t.MessagesFrom) {
			g.scan(channel, a.CreatedAt.Add(-g.between(0, 20*time.Minute)), t, end)
		}
		return r
	}
	for i := 0; i < t.Online+t.Window; i++ {
		window := i < t.Window
		channel := int64(6)
		if !window {
			channel = int64(g.pick(online[:5]) + 1)
		}
		newRegistrant(g.moment(t.Year, map[bool]time.Month{true: time.January, false: t.OnlineFrom}[window], window), channel, false)
	}
	for i := 0; i < t.Drafts; i++ {
		r := newRegistrant(g.moment(t.Year, t.OnlineFrom, false), int64(g.pick(online[:5])+1), true)
		r.app.UpdatedAt = r.app.CreatedAt.Add(g.between(time.Minute, time.Hour))
	}
	// people who scanned a code and did not start
	for i := 0; i < (t.Online+t.Drafts)*35/100; i++ {
		g.scan(int64(g.pick(online[:5])+1), g.moment(t.Year, t.OnlineFrom, false), t, end)
	}
	// the submission and the police
	sort.Slice(regs, func(i, j int) bool { return regs[i].app.CreatedAt.Before(regs[j].app.CreatedAt) })
	var approved []*registrant
	for _, r := range regs {
		if g.police(t, r, end) {
			approved = append(approved, r)
		}
	}
	first := len(g.w.Certificates)
	if err := g.journeys(t, approved, end); err != nil {
		return err
	}
	g.replacements(t, g.w.Certificates[first:], end)
	g.practice(t, regs, end)
	return nil
}

// replacements: a few holders lost a certificate and got a new version
// (the old one is replaced; the lineage keeps its application).
func (g *gen) replacements(t Targets, issued []*Certificate, end time.Time) {
	var fresh []*Certificate
	for _, c := range issued {
		if c.At.Before(end.Add(-40 * 24 * time.Hour)) {
			fresh = append(fresh, c)
		}
	}
	for i := 0; i < t.Replacements && len(fresh) > 0; i++ {
		k := g.rnd.IntN(len(fresh))
		old := fresh[k]
		fresh = slices.Delete(fresh, k, k+1)
		at := old.At.Add(g.between(20*24*time.Hour, end.Sub(old.At)-24*time.Hour))
		l := at.In(g.o.Location)
		on := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
		g.ids.cert++
		c := &Certificate{ID: g.ids.cert, CandidateID: old.CandidateID, ApplicationID: old.ApplicationID, Kind: old.Kind, Version: 2, Holder: old.Holder,
			IssuedOn: on, ExpiresOn: old.ExpiresOn, Status: "valid", Reason: "证件遗失补办", At: at}
		c.LicenceID = cert.LicenceID{TypeCode: cert.Kind(c.Kind).TypeCode(), IssuerCode: g.o.IssuerCode, Serial: fmt.Sprintf("%04d%09d", old.IssuedOn.Year(), c.ApplicationID), Version: 2}.String()
		old.Status, old.Reason, old.ReplacedBy = "replaced", "证件遗失补办", c.ID
		g.w.Certificates = append(g.w.Certificates, c)
	}
}

// scan counts one opening of a channel's QR landing.
func (g *gen) scan(channel int64, at time.Time, t Targets, end time.Time) {
	if at.Before(t.MessagesFrom) || !at.Before(end) || at.Before(g.w.Channels[channel-1].CreatedAt) {
		return
	}
	k := scanKey{at.Truncate(time.Hour), channel}
	if g.scans[k] == nil {
		g.scans[k] = &HourCount{Hour: k.hour, Key: channel}
	}
	g.scans[k].N++
	if g.rnd.IntN(100) < 55 { // another look at the page
		k2 := scanKey{at.Add(g.days(0.01, 3)).Truncate(time.Hour), channel}
		if k2.hour.Before(end) {
			if g.scans[k2] == nil {
				g.scans[k2] = &HourCount{Hour: k2.hour, Key: channel}
			}
			g.scans[k2].N++
		}
	}
}

// police submits the application and has it decided (returned ones come
// back corrected); it reports an approval within the year.
func (g *gen) police(t Targets, r *registrant, end time.Time) bool {
	a := r.app
	submit := func(at time.Time) {
		a.SubmitCount++
		if a.SubmittedAt.IsZero() {
			a.SubmittedAt = at
		}
		a.QueuedAt, a.Status, a.UpdatedAt = at, "submitted", at
		g.w.Events = append(g.w.Events, Event{ApplicationID: a.ID, At: at, Status: "submitted", ActorKind: "candidate", SMSTemplate: "application_received"})
		g.sms(t, r.cand, "application_received", fmt.Sprintf("%d:%d", a.ID, a.SubmitCount), at.Add(g.between(2*time.Second, time.Minute)), nil)
	}
	delay := func() time.Duration {
		switch x := g.rnd.IntN(100); {
		case x < 70:
			return g.between(2*time.Hour, 72*time.Hour)
		case x < 94:
			return g.between(72*time.Hour, 168*time.Hour)
		default:
			return g.between(168*time.Hour, 336*time.Hour)
		}
	}
	decide := func(at time.Time, outcome string) {
		g.w.Events = append(g.w.Events, Event{ApplicationID: a.ID, At: at.Add(-g.between(10*time.Minute, 2*time.Hour)), Status: "under_check", ActorKind: "staff"})
		tpl, note := map[string]string{"approved": "background_check_passed", "returned": "returned_for_correction", "rejected": "background_check_rejected"}[outcome], ""
		params := map[string]string{}
		switch outcome {
		case "returned":
			note = "照片不符合要求，请上传近期免冠证件照"
			params["reason"] = note
		case "rejected":
			a.ReasonCode, a.Reason, note = "record_found", "存在不予受理的违法犯罪记录", "存在不予受理的违法犯罪记录"
		case "approved":
			a.ApprovedAt = at
		}
		a.Status, a.DecidedAt, a.Checked, a.UpdatedAt = outcome, at, true, at
		g.w.Events = append(g.w.Events, Event{ApplicationID: a.ID, At: at, Status: outcome, ActorKind: "staff", Note: note, SMSTemplate: tpl})
		g.sms(t, r.cand, tpl, fmt.Sprintf("%d:%d", a.ID, a.SubmitCount), at.Add(g.between(2*time.Second, time.Minute)), params)
	}
	submit(r.submitAt)
	at := a.QueuedAt.Add(delay())
	if !at.Before(end) {
		return false
	}
	switch x := g.rnd.IntN(1000); {
	case x < 895:
		decide(at, "approved")
	case x < 980:
		decide(at, "returned")
		back := at.Add(g.between(4*time.Hour, 6*24*time.Hour))
		if g.rnd.IntN(10) == 0 || !back.Before(end) {
			return false
		}
		submit(back)
		at2 := back.Add(delay())
		if !at2.Before(end) {
			return false
		}
		if g.rnd.IntN(100) < 96 {
			decide(at2, "approved")
		} else {
			decide(at2, "rejected")
		}
	default:
		decide(at, "rejected")
	}
	return a.Status == "approved"
}

// ---------------------------------------------------------------- journeys

type stepKind int

const (
	stepSit stepKind = iota
	stepAbsent
	stepCancel
)

type step struct {
	kind    stepKind
	pass    bool
	resched bool
}

// journeys books, sits and certifies: exactly the targets' rows.
func (g *gen) journeys(t Targets, approved []*registrant, end time.Time) error {
	var js [][]step
	shapes := [][]bool{{true}, {false, true}, {false, false, true}, {false}, {false, false}}
	for i, n := range t.Journeys {
		for range n {
			var j []step
			for _, p := range shapes[i] {
				j = append(j, step{kind: stepSit, pass: p})
			}
			js = append(js, j)
		}
	}
	sitters := len(js)
	for range t.Ghosts {
		js = append(js, []step{{kind: stepAbsent}})
	}
	for range t.Leavers {
		js = append(js, []step{{kind: stepCancel}})
	}
	insert := func(kind stepKind) {
		i := g.rnd.IntN(sitters)
		pos := g.rnd.IntN(len(js[i])) // before an existing step: the journey still ends where it did
		js[i] = slices.Insert(js[i], pos, step{kind: kind})
	}
	for range t.ExtraAbsent {
		insert(stepAbsent)
	}
	for range t.ExtraCancelled {
		insert(stepCancel)
	}
	for n := 0; n < t.Rescheduled; {
		j := js[g.rnd.IntN(len(js))]
		s := &j[g.rnd.IntN(len(j))]
		if !s.resched {
			s.resched = true
			n++
		}
	}
	// Singles and parcels: who asks for one certificate, who has theirs posted.
	passers := []int{}
	for i := range sitters {
		if js[i][len(js[i])-1].pass {
			passers = append(passers, i)
		}
	}
	g.rnd.Shuffle(len(passers), func(i, j int) { passers[i], passers[j] = passers[j], passers[i] })
	if t.SingleKind+t.MailedParcels > len(passers) {
		return fmt.Errorf("targets: %d singles and %d parcels for %d qualified", t.SingleKind, t.MailedParcels, len(passers))
	}
	single, post := map[int]bool{}, map[int]bool{}
	for k, i := range passers {
		switch {
		case k < t.SingleKind:
			single[i] = true
		case k < t.SingleKind+t.MailedParcels:
			post[i] = true
		}
	}
	// Longest journeys go to candidates approved early enough to finish
	// within the year.
	order := make([]int, len(js))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(js[order[a]]) > len(js[order[b]]) })
	sort.Slice(approved, func(i, j int) bool { return approved[i].app.ApprovedAt.Before(approved[j].app.ApprovedAt) })
	taken := make([]bool, len(approved))
	cutoff := end.Add(-6 * 24 * time.Hour)
	for _, ji := range order {
		j := js[ji]
		rows := len(j)
		for _, s := range j {
			if s.resched {
				rows++
			}
		}
		latest := cutoff.Add(-time.Duration(rows) * 9 * 24 * time.Hour)
		n := sort.Search(len(approved), func(i int) bool { return approved[i].app.ApprovedAt.After(latest) })
		idx := -1
		for try := 0; try < 64 && n > 0; try++ {
			if k := g.rnd.IntN(n); !taken[k] {
				idx = k
				break
			}
		}
		if idx < 0 {
			for k := n - 1; k >= 0; k-- {
				if !taken[k] {
					idx = k
					break
				}
			}
		}
		if idx < 0 {
			return fmt.Errorf("targets: not enough candidates approved early enough for %d journeys", len(js))
		}
		taken[idx] = true
		r := approved[idx]
		if single[ji] {
			if g.rnd.IntN(2) == 0 {
				r.app.WantTaxi = false
			} else {
				r.app.WantRide = false
			}
		}
		if post[ji] {
			r.app.Delivery = "post"
		}
		if err := g.journey(t, r, j, end); err != nil {
			return err
		}
	}
	// the others still choose how to get their certificates
	for i, r := range approved {
		if !taken[i] && g.rnd.IntN(3) < 2 {
			r.app.Delivery = "post"
		}
	}
	return nil
}

// session finds the first session of the centre starting in [from, before)
// with a free seat, trying the other centres after.
func (g *gen) session(centre int, from, before time.Time, exclude ...*Session) *Session {
	for k := 0; k < len(g.byCentre); k++ {
		list := g.byCentre[(centre+k)%len(g.byCentre)]
		i := sort.Search(len(list), func(i int) bool { return !list[i].StartsAt.Before(from) })
		for ; i < len(list) && list[i].StartsAt.Before(before); i++ {
			if list[i].Booked < list[i].Capacity && !slices.Contains(exclude, list[i]) {
				return list[i]
			}
		}
	}
	return nil
}

// place books a seat: created at (in the candidate's waking hours) for a
// session some days later, compressed when the year runs out.
func (g *gen) place(r *registrant, after time.Time, gap [2]float64, steps int, end time.Time) (time.Time, *Session, error) {
	centre := r.app.Person.County.Centre
	// the steps left share the days left
	budget := end.Add(-4*24*time.Hour).Sub(after).Hours() / 24 / float64(steps)
	f0 := min(1, max(0.05, budget/(gap[1]+21.5)))
	for try := 0; try < 6; try++ {
		f := f0 / float64(int(1)<<try)
		created := after.Add(g.days(gap[0]*f, gap[1]*f) + time.Hour)
		lead := g.days(3*f+0.2, 21*f+0.5)
		s := g.session(centre, created.Add(lead), end.Add(-48*time.Hour))
		if s != nil {
			return created, s, nil
		}
	}
	return time.Time{}, nil, fmt.Errorf("no free session after %s for candidate %d", after.Format(time.RFC3339), r.cand.ID)
}

func (g *gen) newBooking(r *registrant, s *Session, created time.Time, t Targets) *Booking {
	g.ids.booking++
	g.ticket++
	s.taken++
	b := &Booking{ID: g.ids.booking, SessionID: s.ID, CandidateID: r.cand.ID, Seat: 1 + (s.taken-1)%s.Capacity,
		TicketNo: s.StartsAt.In(g.o.Location).Format("20060102") + fmt.Sprintf("%08d", g.ticket), Status: "booked", CreatedAt: created, ChangedAt: created}
	g.w.Bookings = append(g.w.Bookings, b)
	c := g.w.Centres[s.CentreID-1]
	g.sms(t, r.cand, "booking_confirmed", fmt.Sprintf("%d", b.ID), created.Add(g.between(time.Second, 30*time.Second)), map[string]string{
		"date": g.localDate(s.StartsAt), "session": s.StartsAt.In(g.o.Location).Format("15:04"), "centre": c.Name, "address": c.Address})
	return b
}

func (g *gen) journey(t Targets, r *registrant, j []step, end time.Time) error {
	r.booker = true
	at := r.app.ApprovedAt
	subjects := []string{"national", "regional"}
	var firstSession time.Time
	gap := [2]float64{0.3, 25}
	for i, st := range j {
		created, s, err := g.place(r, at, gap, len(j)-i, end)
		if err != nil {
			return err
		}
		b := g.newBooking(r, s, created, t)
		if st.resched {
			// moved to another session before the 24-hour cutoff
			room := s.StartsAt.Add(-25*time.Hour).Sub(created) - time.Hour
			moved := created.Add(time.Hour + g.between(0, max(time.Minute, room)))
			home := r.app.Person.County.Centre
			s2 := g.session(home, moved.Add(g.days(2, 14)), end.Add(-48*time.Hour), s)
			if s2 == nil {
				s2 = g.session(home, moved.Add(26*time.Hour), end.Add(-24*time.Hour), s)
			}
			if s2 == nil {
				return fmt.Errorf("no session to reschedule booking %d to", b.ID)
			}
			b.Status, b.ChangedAt = "rescheduled", moved
			nb := g.newBooking(r, s2, moved, t)
			nb.ReplacesID = b.ID
			c := g.w.Centres[s2.CentreID-1]
			g.sms(t, r.cand, "booking_rescheduled", fmt.Sprintf("%d", nb.ID), moved.Add(time.Minute), map[string]string{
				"date": g.localDate(s2.StartsAt), "session": s2.StartsAt.In(g.o.Location).Format("15:04"), "centre": c.Name})
			b, s = nb, s2
		}
		if firstSession.IsZero() {
			firstSession = s.StartsAt
		}
		c := g.w.Centres[s.CentreID-1]
		switch st.kind {
		case stepCancel:
			room := s.StartsAt.Add(-25*time.Hour).Sub(b.CreatedAt) - time.Hour
			b.Status, b.ChangedAt = "cancelled", b.CreatedAt.Add(time.Hour+g.between(0, max(time.Minute, room)))
			g.sms(t, r.cand, "booking_cancelled", fmt.Sprintf("%d", b.ID), b.ChangedAt.Add(time.Minute), map[string]string{
				"date": g.localDate(s.StartsAt), "time": s.StartsAt.In(g.o.Location).Format("15:04"), "centre": c.Name})
			at, gap = b.ChangedAt, [2]float64{0.1, 8}
			continue
		}
		s.Booked++
		eve := time.Date(0, 1, 1, 18, 0, 0, 0, g.o.Location)
		local := s.StartsAt.In(g.o.Location).AddDate(0, 0, -1)
		remind := time.Date(local.Year(), local.Month(), local.Day(), eve.Hour(), g.rnd.IntN(5), 0, 0, g.o.Location).UTC()
		if remind.After(b.CreatedAt) {
			g.sms(t, r.cand, "exam_reminder", fmt.Sprintf("%d", b.ID), remind, map[string]string{
				"date": g.localDate(s.StartsAt), "time": s.StartsAt.In(g.o.Location).Format("15:04"), "centre": c.Name, "address": c.Address})
		}
		sit := Sitting{BookingID: b.ID, SessionID: s.ID, CentreID: s.CentreID, RoomID: s.RoomID, CandidateID: r.cand.ID, ApplicationID: r.app.ID,
			TicketNo: b.TicketNo, Seat: b.Seat, Subjects: slices.Clone(subjects)}
		if st.kind == stepAbsent {
			b.Status, b.ChangedAt = "absent", s.EndsAt()
			sit.Status, sit.Reason, sit.At = "absent", "not checked in when the session ended", s.EndsAt()
			g.w.Sittings = append(g.w.Sittings, sit)
			at, gap = s.EndsAt(), [2]float64{2, 20}
			continue
		}
		b.Status, b.ChangedAt, b.CheckedInAt = "sat", s.EndsAt(), s.StartsAt.Add(-g.between(5*time.Minute, 40*time.Minute))
		sit.Status, sit.At = "checked_in", b.CheckedInAt
		subjects = g.formal(t, r, b, s, &sit, st.pass, subjects)
		g.w.Sittings = append(g.w.Sittings, sit)
		at, gap = s.EndsAt(), [2]float64{3, 20}
	}
	r.lastActive = at
	g.mocks(t, r, firstSession)
	return nil
}

// formal sits the paper: subject results, the qualification and the
// certificates of a pass. It returns the subjects still to pass.
func (g *gen) formal(t Targets, r *registrant, b *Booking, s *Session, sit *Sitting, pass bool, subjects []string) []string {
	failed := map[string]bool{}
	if !pass {
		switch {
		case len(subjects) == 1:
			failed[subjects[0]] = true
		default:
			switch x := g.rnd.IntN(100); {
			case x < 45:
				failed["national"] = true
			case x < 80:
				failed["regional"] = true
			default:
				failed["national"], failed["regional"] = true, true
			}
		}
	}
	started := s.StartsAt.Add(g.between(time.Minute, 6*time.Minute))
	g.ids.attempt++
	a := Attempt{ID: g.ids.attempt, Kind: "formal", CandidateID: r.cand.ID, Ref: fmt.Sprintf("booking:%d", b.ID), Seed: g.rnd.Int64N(1 << 53), StartedAt: started, Passed: pass}
	var minutes int
	for _, sub := range subjects {
		sec, ok := g.section(sub, !failed[sub])
		minutes += sec.DurationMinutes
		a.Sections = append(a.Sections, sec)
		g.ids.result++
		g.w.Results = append(g.w.Results, Result{ID: g.ids.result, CandidateID: r.cand.ID, ApplicationID: r.app.ID, AttemptID: a.ID, SessionID: s.ID,
			CentreID: s.CentreID, Subject: sub, Score: sec.Score, TotalPoints: sec.TotalPoints, PassPercent: sec.PassPercent, Passed: ok})
	}
	a.Deadline = started.Add(time.Duration(minutes) * time.Minute)
	a.SubmittedAt = started.Add(g.between(time.Duration(minutes)*time.Minute/3, time.Duration(minutes)*time.Minute-time.Minute))
	for i := len(g.w.Results) - len(subjects); i < len(g.w.Results); i++ {
		g.w.Results[i].SatAt = a.SubmittedAt
	}
	g.w.Attempts = append(g.w.Attempts, a)
	sit.AttemptID = a.ID
	scores := []string{}
	for _, sec := range a.Sections {
		scores = append(scores, fmt.Sprintf("%s%d分", results.SubjectName(sec.Subject), sec.Score))
	}
	verdict := "合格"
	if !pass {
		verdict = "不合格"
	}
	g.sms(t, r.cand, "exam_result", fmt.Sprintf("%d", a.ID), a.SubmittedAt.Add(g.between(5*time.Second, time.Minute)),
		map[string]string{"result": verdict, "scores": strings.Join(scores, "，")})
	if !pass {
		var left []string
		for _, sub := range subjects {
			if failed[sub] {
				left = append(left, sub)
			}
		}
		return left
	}
	g.qualify(t, r, a.SubmittedAt)
	return nil
}

// section grades one subject: a pass scores 80-100 %, a fail below.
func (g *gen) section(sub string, pass bool) (attempt.Section, bool) {
	sec := attempt.Section{Subject: questionbank.Subject(sub), DurationMinutes: 90, PassPercent: 80, TotalPoints: 100, Count: 100}
	per := 1
	if sub == "regional" {
		sec.DurationMinutes, sec.Count, per = 45, 50, 2
	}
	right := 0
	if pass {
		right = (80 + g.rnd.IntN(21)) / per
		if right*per < 80 {
			right++
		}
	} else {
		right = (50 + g.rnd.IntN(30)) / per
	}
	sec.Correct, sec.Score, sec.Passed = right, right*per, pass
	return sec, pass
}

// qualify records the qualification, issues the certificates the
// application asked for and starts their delivery.
func (g *gen) qualify(t Targets, r *registrant, at time.Time) {
	a := r.app
	g.ids.qual++
	q := Qualification{ID: g.ids.qual, CandidateID: r.cand.ID, ApplicationID: a.ID, At: at}
	// the results it rests on: the latest passed of each subject
	for i := len(g.w.Results) - 1; i >= 0 && (q.NationalID == 0 || q.RegionalID == 0); i-- {
		res := g.w.Results[i]
		if res.CandidateID != r.cand.ID || !res.Passed {
			continue
		}
		if res.Subject == "national" && q.NationalID == 0 {
			q.NationalID = res.ID
		}
		if res.Subject == "regional" && q.RegionalID == 0 {
			q.RegionalID = res.ID
		}
	}
	g.w.Qualifications = append(g.w.Qualifications, q)
	l := at.In(g.o.Location)
	issued := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	var kinds []string
	if a.WantTaxi {
		kinds = append(kinds, "taxi")
	}
	if a.WantRide {
		kinds = append(kinds, "ride_hailing")
	}
	titles := []string{}
	for _, k := range kinds {
		g.ids.cert++
		c := &Certificate{ID: g.ids.cert, CandidateID: r.cand.ID, ApplicationID: a.ID, Kind: k, Version: 1, Holder: a.Person,
			IssuedOn: issued, ExpiresOn: issued.AddDate(g.o.Validity, 0, -1), Status: "valid", At: at.Add(time.Second)}
		c.LicenceID = cert.LicenceID{TypeCode: cert.Kind(k).TypeCode(), IssuerCode: g.o.IssuerCode, Serial: fmt.Sprintf("%04d%09d", issued.Year(), a.ID), Version: 1}.String()
		g.w.Certificates = append(g.w.Certificates, c)
		titles = append(titles, cert.Kind(k).Title())
	}
	g.sms(t, r.cand, "certificates_issued", fmt.Sprintf("%d", a.ID), at.Add(g.between(3*time.Second, 40*time.Second)),
		map[string]string{"kinds": strings.Join(titles, "、"), "link": "/m/certificates"})
	g.ids.delivery++
	d := &Delivery{ID: g.ids.delivery, ApplicationID: a.ID, CandidateID: r.cand.ID, Method: a.Delivery, OfficeID: a.OfficeID, Holder: a.Person, CreatedAt: at.Add(time.Second)}
	now := g.o.Now
	if d.Method == "post" {
		d.OfficeID = g.w.Offices[0].ID
		g.waybill++
		d.Waybill = fmt.Sprintf("98%011d", 10_000_000_000+g.waybill*7919%89_999_999_999)
		d.Status = "ordered"
		d.DispatchedAt = d.CreatedAt.Add(g.between(16*time.Hour, 52*time.Hour))
		d.DeliveredAt = d.DispatchedAt.Add(g.between(20*time.Hour, 96*time.Hour))
		if d.DispatchedAt.After(now) {
			d.DispatchedAt, d.DeliveredAt = time.Time{}, time.Time{}
		} else if d.DeliveredAt.After(now) {
			d.Status, d.DeliveredAt = "dispatched", time.Time{}
		} else {
			d.Status = "delivered"
		}
		g.w.Messages = append(g.w.Messages, Message{Topic: "postal", DedupeKey: fmt.Sprintf("demo:postal:%d", a.ID), CandidateID: r.cand.ID,
			Phone: a.Person.Phone, Order: postalOrder(g, a, len(kinds)), At: d.CreatedAt})
		if !d.DispatchedAt.IsZero() {
			g.sms(t, r.cand, "certificate_mailed", fmt.Sprintf("%d", d.ID), d.DispatchedAt.Add(time.Minute), map[string]string{"waybill": d.Waybill})
		}
	} else {
		d.Status = "preparing"
		d.ArrivedAt = d.CreatedAt.Add(g.between(3*time.Hour, 30*time.Hour))
		d.CollectedAt = d.ArrivedAt.Add(g.days(0.5, 25))
		switch {
		case d.ArrivedAt.After(now):
			d.ArrivedAt, d.CollectedAt = time.Time{}, time.Time{}
		case d.CollectedAt.After(now):
			d.Status, d.CollectedAt = "at_office", time.Time{}
		default:
			d.Status = "collected"
		}
		if !d.ArrivedAt.IsZero() {
			o := g.w.Offices[d.OfficeID-1]
			g.sms(t, r.cand, "ready_for_pickup", fmt.Sprintf("%d", d.ID), d.ArrivedAt.Add(time.Minute), map[string]string{"office": o.Name, "address": o.Address})
		}
	}
	g.w.Deliveries = append(g.w.Deliveries, d)
}

// postalOrder is the order the bureau sent the post (the outbox payload).
func postalOrder(g *gen, a *Application, n int) map[string]any {
	o := g.w.Offices[0]
	return map[string]any{"order": map[string]any{
		"DedupeKey": fmt.Sprintf("demo:postal:%d", a.ID), "CandidateID": a.CandidateID,
		"Sender":   map[string]string{"Name": o.Name, "Phone": "13900000000", "Province": "福建省", "City": g.o.City, "County": "芗城区", "Detail": o.Address},
		"Receiver": map[string]string{"Name": a.Person.Name, "Phone": a.Person.Phone, "Province": "福建省", "City": g.o.City, "County": a.Person.County.Name, "Detail": a.Person.Address},
		"Cargo":    fmt.Sprintf("出租汽车驾驶员从业资格证 x%d", n), "Reference": fmt.Sprintf("delivery:application:%d", a.ID), "NotifyMailed": true}}
}

// mocks: a few full mock exams between the approval and the first sitting,
// better as the day comes.
func (g *gen) mocks(t Targets, r *registrant, before time.Time) {
	from := r.app.ApprovedAt
	if from.Before(t.MessagesFrom) {
		from = t.MessagesFrom
	}
	if before.IsZero() || !before.After(from.Add(time.Hour)) {
		return
	}
	n := int(math.Floor(-math.Log(1-g.rnd.Float64()) * t.MocksPerSitter))
	for i := 0; i < n; i++ {
		started := from.Add(g.between(0, before.Sub(from)-time.Hour))
		g.ids.attempt++
		a := Attempt{ID: g.ids.attempt, Kind: "mock", CandidateID: r.cand.ID, Seed: g.rnd.Int64N(1 << 53), StartedAt: started, Passed: true}
		minutes := 0
		for _, sub := range []string{"national", "regional"} {
			sec, ok := g.section(sub, g.rnd.IntN(100) < 40+12*i)
			a.Sections = append(a.Sections, sec)
			a.Passed = a.Passed && ok
			minutes += sec.DurationMinutes
		}
		a.Deadline = started.Add(time.Duration(minutes) * time.Minute)
		a.SubmittedAt = started.Add(g.between(20*time.Minute, time.Duration(minutes)*time.Minute-time.Minute))
		g.w.Attempts = append(g.w.Attempts, a)
	}
}

// ---------------------------------------------------------------- practice

var practiceModes = []string{"sequential", "random", "chapter", "wrong", "favourites", "study"}
var practiceModeWeights = []int{35, 25, 20, 12, 5, 3}
var practiceHours = []int{1, 0, 0, 0, 0, 0, 1, 3, 4, 5, 5, 5, 6, 6, 5, 5, 5, 5, 6, 8, 10, 11, 9, 4}

// practice spreads exactly the target's sessions over the candidates'
// active days (from registration to their last sitting, or six weeks for
// those who do not book), with the answers of each in its hour's counter.
func (g *gen) practice(t Targets, regs []*registrant, end time.Time) {
	type span struct {
		cand     int64
		from, to time.Time
	}
	launch := t.MessagesFrom
	yearStart := time.Date(t.Year, 1, 1, 0, 0, 0, 0, g.o.Location).UTC()
	var spans []span
	var cum []float64
	total := 0.0
	for _, r := range regs {
		from := r.app.CreatedAt
		to := from.Add(45 * 24 * time.Hour)
		w := 0.4
		if r.booker {
			to, w = r.lastActive, 3
		} else if r.app.Status == "approved" {
			w = 1
		}
		from = Later(from, launch, yearStart)
		if to.After(end) {
			to = end
		}
		if !to.After(from.Add(time.Hour)) {
			continue
		}
		total += w * to.Sub(from).Hours()
		spans = append(spans, span{r.cand.ID, from, to})
		cum = append(cum, total)
	}
	if len(spans) == 0 {
		return
	}
	for range t.PracticeSessions {
		i := sort.SearchFloat64s(cum, g.rnd.Float64()*total)
		if i >= len(spans) {
			i = len(spans) - 1
		}
		sp := spans[i]
		var at time.Time
		for try := 0; ; try++ {
			day := sp.from.Add(g.between(0, sp.to.Sub(sp.from))).In(g.o.Location)
			at = time.Date(day.Year(), day.Month(), day.Day(), g.pick(practiceHours), g.rnd.IntN(60), g.rnd.IntN(60), 0, g.o.Location).UTC()
			if (!at.Before(sp.from) && at.Before(sp.to)) || try > 8 {
				break
			}
		}
		if at.Before(yearStart) || !at.Before(end) {
			at = sp.from
		}
		mode := practiceModes[g.pick(practiceModeWeights)]
		var chapter int64
		if (mode == "sequential" || mode == "chapter" || mode == "study") && len(g.bank.ChapterIDs) > 0 {
			chapter = g.bank.ChapterIDs[g.rnd.IntN(len(g.bank.ChapterIDs))]
		}
		g.w.Practice = append(g.w.Practice, PracticeSession{CandidateID: sp.cand, Mode: mode, ChapterID: chapter,
			Day: at.In(g.o.Location).Format(time.DateOnly), StartedAt: at})
		if mode == "study" {
			continue
		}
		n := 1 + int(math.Floor(-math.Log(1-g.rnd.Float64())*5.5))
		h := at.Truncate(time.Hour)
		c := g.answers[h]
		if c == nil {
			c = &HourCount{Hour: h}
			g.answers[h] = c
		}
		c.N += int64(n)
		c.Correct += int64(math.Round(float64(n) * (0.62 + 0.3*g.rnd.Float64())))
	}
}

// Later is the latest of the times.
func Later(ts ...time.Time) time.Time {
	out := ts[0]
	for _, t := range ts[1:] {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// flushCounters moves the hourly counters into the world, in time order.
func (g *gen) flushCounters() {
	for _, c := range g.answers {
		g.w.Answers = append(g.w.Answers, *c)
	}
	for _, c := range g.scans {
		g.w.Scans = append(g.w.Scans, *c)
	}
	sort.Slice(g.w.Answers, func(i, j int) bool { return g.w.Answers[i].Hour.Before(g.w.Answers[j].Hour) })
	sort.Slice(g.w.Scans, func(i, j int) bool {
		if !g.w.Scans[i].Hour.Equal(g.w.Scans[j].Hour) {
			return g.w.Scans[i].Hour.Before(g.w.Scans[j].Hour)
		}
		return g.w.Scans[i].Key < g.w.Scans[j].Key
	})
}
