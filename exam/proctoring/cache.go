package proctoring

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// The per-node cache of the exam terminal's hot path. A formal answer save
// (and a paper reload, a submit) needs to know that the caller's terminal
// credential is an active terminal and that the candidate's open sitting
// is bound to it, and which attempt it is: two SQL reads per request
// before the answer's own group-committed write. Those facts change only
// when a proctor acts (move, end, revoke) or at login (terminal bound,
// attempt started), so each node keeps them per candidate and drops them
// when the session's change counter moves:
//
//   - every change the store makes to a sitting, the end of a session and
//     the revocation of a terminal bump the counter of the session's run
//     (of every open run of the centre, for a revocation) in the same
//     transaction;
//   - a cached entry remembers the counter read in the same statement as
//     the sitting (then the terminal is read: a revocation committed after
//     the sitting was read is in a later counter);
//   - RunCache polls the counters of the sessions it holds every second and
//     drops every entry whose counter moved, so another node's change is
//     seen within about two polls (the seat map's 5 s budget); the node
//     that made the change drops its entries at once;
//   - the cache serves only while the poll succeeds: if the last good poll
//     started more than cacheStaleAfter ago (database down, RunCache not
//     running, as in most tests) every request reads SQL as before.
//
// Nothing that decides whether an answer may still be stored lives here:
// the attempt engine's write refuses a submitted attempt (its items are
// closed in the submit transaction) and a stale seq in SQL, and checks the
// deadline against its own copy, which can only be earlier than the real
// one (a deadline only moves later). So a stale entry can at worst let a
// just-moved candidate's old terminal save for another second or two on
// another node, never accept a late answer or one after submission.
//
// The terminal's last-seen time (the seat map's "disconnected") is
// buffered too (at most one write per terminal every DisconnectedAfter/3,
// as before) and written for all terminals due in one statement per poll,
// instead of one UPDATE per terminal.
type nodeCache struct {
	mu      sync.Mutex
	polled  time.Time // start of the last successful poll; zero: not polling
	entries map[int64]seated
	seen    map[int64]time.Time
	max     int
	// seenEvery: a terminal's last-seen time is written at most this often
	seenEvery time.Duration
}

// seated is what a node knows about one candidate at their terminal.
type seated struct {
	credential string // hash of the terminal credential the entry is for
	terminal   Terminal
	sitting    Sitting
}

const (
	cacheSize       = 100_000 // candidates per node (a few hundred bytes each)
	cachePoll       = time.Second
	cacheStaleAfter = 3 * time.Second
)

func newNodeCache(max int, seenEvery time.Duration) *nodeCache {
	return &nodeCache{entries: map[int64]seated{}, seen: map[int64]time.Time{}, max: max, seenEvery: seenEvery}
}

func (c *nodeCache) live(now time.Time) bool {
	return !c.polled.IsZero() && now.Sub(c.polled) < cacheStaleAfter
}

// get returns the candidate's entry for this credential while the cache is live.
func (c *nodeCache) get(candidate int64, credential string, now time.Time) (seated, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live(now) {
		return seated{}, false
	}
	e, ok := c.entries[candidate]
	if !ok || e.credential != credential {
		return seated{}, false
	}
	if now.Sub(e.terminal.LastSeenAt) > c.seenEvery {
		// Written at the next poll, as TerminalOf would (at most every seenEvery).
		c.seen[e.terminal.ID] = now
		e.terminal.LastSeenAt = now
		c.entries[candidate] = e
	}
	return e, true
}

func (c *nodeCache) put(candidate int64, e seated, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live(now) {
		return
	}
	if _, ok := c.entries[candidate]; !ok && len(c.entries) >= c.max {
		return
	}
	c.entries[candidate] = e
}

// saw buffers a terminal's last-seen time; false when the cache is not
// polling (the caller writes it itself).
func (c *nodeCache) saw(terminalID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live(now) {
		return false
	}
	c.seen[terminalID] = now
	return true
}

// forgetSession drops the entries of a session (after this node changed it).
func (c *nodeCache) forgetSession(sessionID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.sitting.SessionID == sessionID {
			delete(c.entries, k)
		}
	}
}

// forgetTerminal drops the entries bound to a terminal.
func (c *nodeCache) forgetTerminal(terminalID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.terminal.ID == terminalID {
			delete(c.entries, k)
		}
	}
}

// RunCache keeps this node's exam-terminal cache in step with the database
// until ctx ends: every second it writes the buffered last-seen times and
// drops the entries of every session whose change counter moved. Without
// it the cache is not used.
func (s *Service) RunCache(ctx context.Context, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(cachePoll)
	defer t.Stop()
	defer func() {
		c := s.cache
		c.mu.Lock()
		c.polled, c.entries = time.Time{}, map[int64]seated{}
		c.mu.Unlock()
		s.flushSeen(context.WithoutCancel(ctx))
	}()
	for {
		if err := s.pollCache(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "exam terminal cache poll failed (serving from SQL until it succeeds)", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Service) pollCache(ctx context.Context) error {
	c := s.cache
	start := s.now()
	s.flushSeen(ctx)
	c.mu.Lock()
	held := map[int64]int64{}
	for _, e := range c.entries {
		held[e.sitting.SessionID] = e.sitting.RunChanges
	}
	c.mu.Unlock()
	ids := make([]int64, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	got, err := s.Store.RunChanges(ctx, ids)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if n, ok := got[e.sitting.SessionID]; !ok || n != e.sitting.RunChanges {
			// Also entries added while the poll ran whose session it did not
			// read: conservative, they are read again.
			delete(c.entries, k)
		}
	}
	c.polled = start
	return nil
}

// flushSeen writes the buffered last-seen times in one statement.
func (s *Service) flushSeen(ctx context.Context) {
	c := s.cache
	c.mu.Lock()
	if len(c.seen) == 0 {
		c.mu.Unlock()
		return
	}
	ids := make([]int64, 0, len(c.seen))
	var at time.Time
	for id, t := range c.seen {
		ids = append(ids, id)
		if t.After(at) {
			at = t
		}
	}
	c.seen = map[int64]time.Time{}
	c.mu.Unlock()
	// Best effort, as before: only the seat map reads it, and every id was
	// heard from within the last poll.
	_ = s.Store.SeenTerminals(ctx, ids, at)
}
