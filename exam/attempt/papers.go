package attempt

import (
	"sync"
	"time"
)

// papers keeps, per node, what never changes about an attempt once it has
// started: its kind, candidate and deadline and where each question sits on
// the paper (position, type, option order). With it an answer save reads
// no SQL: it is validated here and written by one group-committed
// statement, which itself refuses closed (submitted) items; a refused save
// takes the full path and finds out why. Nothing mutable (status, answers)
// is kept, so a node never serves another node's stale state.
type papers struct {
	mu  sync.RWMutex
	m   map[int64]*paper
	max int
}

type paper struct {
	kind      Kind
	candidate int64
	deadline  time.Time
	items     map[int64]Item // by question id; only the placement fields are used
}

// paperCacheSize bounds the attempts remembered per node (~30 KB each for
// a 100-question paper, so ~120 MB at most); past it an arbitrary one is
// forgotten and its next save reads the paper again.
const paperCacheSize = 4096

func newPapers(max int) *papers { return &papers{m: map[int64]*paper{}, max: max} }

func (p *papers) get(id int64) (*paper, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	x, ok := p.m[id]
	return x, ok
}

func (p *papers) put(a Attempt, items []Item) {
	x := &paper{kind: a.Kind, candidate: a.CandidateID, deadline: a.Deadline, items: make(map[int64]Item, len(items))}
	for _, it := range items {
		it.Given, it.Seq, it.Marked, it.AnsweredAt, it.Correct = nil, 0, false, time.Time{}, false
		x.items[it.QuestionID] = it
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= p.max {
		for k := range p.m { // map order: an arbitrary victim
			delete(p.m, k)
			break
		}
	}
	p.m[a.ID] = x
}

func (p *papers) forget(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, id)
}
