package attempt

import (
	"slices"
	"strings"
	"sync"
	"time"

	questionbank "taxiexam/question-bank"
)

// papers keeps, per node, what never changes about an attempt once it has
// started: its kind, candidate and deadline and where each question sits on
// the paper (position, type, option order). With it an answer save reads
// no SQL: it is validated here and written by one group-committed
// statement, which itself refuses closed (submitted) items; a refused save
// takes the full path and finds out why. Nothing mutable (status, answers)
// is kept, so a node never serves another node's stale state.
type papers struct {
	mu     sync.RWMutex
	m      map[int64]*paper
	max    int
	orders map[string][]string // interned option orders
}

type paper struct {
	id        int64
	kind      Kind
	candidate int64
	deadline  time.Time
	items     map[int64]placed // by question id
}

// placed is where one question sits on a paper: the fixed fields of an
// Item in ~60 bytes (option orders are shared between papers), so a node
// can hold a whole exam day's papers.
type placed struct {
	position int32
	section  int32
	version  int32
	points   int32
	typ      questionbank.QuestionType
	order    []string // shared: never modified
}

// item is the question's Item as placed, with no answer.
func (p *paper) item(questionID int64) (Item, bool) {
	x, ok := p.items[questionID]
	if !ok {
		return Item{}, false
	}
	return Item{AttemptID: p.id, Position: int(x.position), Section: int(x.section), QuestionID: questionID, Version: int(x.version),
		Type: x.typ, Points: int(x.points), OptionOrder: x.order}, true
}

// refs names the paper's question versions.
func (p *paper) refs() []questionbank.VersionRef {
	out := make([]questionbank.VersionRef, 0, len(p.items))
	for qid, x := range p.items {
		out = append(out, questionbank.VersionRef{QuestionID: qid, Version: int(x.version)})
	}
	return out
}

// paperCacheSize bounds the attempts remembered per node (~10 KB each for
// a 100-question paper, so ~160 MB at most: a node's share of a large
// exam day fits); past it an arbitrary one is forgotten and its next save
// reads the paper again.
const paperCacheSize = 16384

func newPapers(max int) *papers {
	return &papers{m: map[int64]*paper{}, max: max, orders: map[string][]string{}}
}

func (p *papers) get(id int64) (*paper, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	x, ok := p.m[id]
	return x, ok
}

func (p *papers) put(a Attempt, items []Item) {
	x := &paper{id: a.ID, kind: a.Kind, candidate: a.CandidateID, deadline: a.Deadline, items: make(map[int64]placed, len(items))}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, it := range items {
		key := strings.Join(it.OptionOrder, ",")
		order, ok := p.orders[key]
		if !ok {
			order = slices.Clone(it.OptionOrder)
			if len(p.orders) < maxOrders {
				p.orders[key] = order
			}
		}
		x.items[it.QuestionID] = placed{position: int32(it.Position), section: int32(it.Section), version: int32(it.Version), points: int32(it.Points),
			typ: it.Type, order: order}
	}
	if _, ok := p.m[a.ID]; !ok && len(p.m) >= p.max {
		for k := range p.m { // map order: an arbitrary victim
			delete(p.m, k)
			break
		}
	}
	p.m[a.ID] = x
}

// maxOrders bounds the shared option orders (permutations of a handful of
// keys: a few hundred in practice).
const maxOrders = 10_000

func (p *papers) forget(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, id)
}
