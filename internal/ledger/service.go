package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"taxiexam/cert"
	"taxiexam/exam/results"
	"taxiexam/internal/audit"
	"taxiexam/internal/platform/clock"
)

// Store persists the chain (ledgerdb). Every method joins the transaction
// carried by ctx.
type Store interface {
	// LockHead reads the chain's head and locks it until the transaction
	// ends (SELECT ... FOR UPDATE), so appends from every node queue here.
	LockHead(ctx context.Context) (Head, error)
	// Head reads the head without locking.
	Head(ctx context.Context) (Head, error)
	// AddPending records an event to be chained (in the caller's
	// transaction; no shared row is locked).
	AddPending(ctx context.Context, p Pending) error
	// ClaimPending locks up to limit committed pending records, oldest
	// first, skipping any another transaction still holds.
	ClaimPending(ctx context.Context, limit int) ([]Pending, error)
	// Pending lists pending records with id > afterID in order (no lock).
	Pending(ctx context.Context, afterID int64, limit int) ([]Pending, error)
	// PendingOf lists the pending records of subjects, in order.
	PendingOf(ctx context.Context, subjects []string) ([]Pending, error)
	// Link inserts entries (consecutive seqs from head+1; Seq is the
	// primary key, so a second writer that got past the lock fails), moves
	// the head to the last and deletes the chained pending records.
	Link(ctx context.Context, entries []Entry, chained []int64) error
	// Entries lists entries with afterSeq < seq <= upTo in order.
	Entries(ctx context.Context, afterSeq, upTo int64, limit int) ([]Entry, error)
	// EntriesOf lists the entries of subjects, in order.
	EntriesOf(ctx context.Context, subjects []string) ([]Entry, error)
	// Recent lists entries newest first.
	Recent(ctx context.Context, p Page) ([]Entry, int64, error)
	// AddCheckpoint stores c (setting its ID); false when one exists at c.Seq.
	AddCheckpoint(ctx context.Context, c *Checkpoint) (bool, error)
	Checkpoints(ctx context.Context, p Page) ([]Checkpoint, int64, error)
	CheckpointByID(ctx context.Context, id int64) (Checkpoint, error)
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
}

// Sources reads the records the entries speak about, as they are now
// (the results and certificate stores), for Verify.
type Sources interface {
	SubjectResults(ctx context.Context, ids []int64) (map[int64]results.SubjectResult, error)
	Certificates(ctx context.Context, ids []int64) (map[int64]cert.Certificate, error)
	Deliveries(ctx context.Context, ids []int64) (map[int64]cert.Delivery, error)
	// SubjectResultIDs and CertificateIDs list every row's id above
	// afterID, ascending: each must have an entry.
	SubjectResultIDs(ctx context.Context, afterID int64, limit int) ([]int64, error)
	CertificateIDs(ctx context.Context, afterID int64, limit int) ([]int64, error)
}

// Indexer is the keyed hash personal data is digested with (pii blind index).
type Indexer interface {
	BlindIndex(kind, value string) string
}

// Signer signs checkpoints (the signing keyring; the key id travels along).
type Signer interface {
	Sign(msg []byte) (keyID string, sig []byte)
	Verify(keyID string, msg, sig []byte) error
}

// Auditor records staff actions inside their transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction (joining the caller's).
// Chaining uses the READ COMMITTED one: its claim of pending records then
// takes no gap lock, so it never holds up a business transaction's insert.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	InReadCommittedTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Deps are the collaborators of the service.
type Deps struct {
	Store   Store
	Sources Sources
	Index   Indexer
	Signer  Signer
	Tx      Transactor
	Audit   Auditor
	Clock   clock.Clock
	Log     *slog.Logger
}

// Service appends to and verifies the chain.
type Service struct {
	store   Store
	sources Sources
	index   Indexer
	signer  Signer
	tx      Transactor
	audit   Auditor
	clock   clock.Clock
	log     *slog.Logger
}

// NewService wires the ledger.
func NewService(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{store: d.Store, sources: d.Sources, index: d.Index, signer: d.Signer, tx: d.Tx, audit: d.Audit, clock: d.Clock, log: d.Log}
}

// hashOf is the SHA-256 of an entry: a domain string, then each field on
// its own line, so no two different entries hash the same text.
func hashOf(e Entry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%s\n%s\n%s\n%s", hashDomain, e.Seq, e.PrevHash, e.Kind, e.Subject, millis(e.At), e.Payload)
	return hex.EncodeToString(h.Sum(nil))
}

// canonical is the facts as JSON with sorted keys (encoding/json sorts map keys).
func canonical(f Facts) string {
	b, _ := json.Marshal(map[string]string(f)) // a map of strings cannot fail
	return string(b)
}

// Append records one event in the caller's transaction (it opens one when
// there is none): rolled back with the event, committed with it. The
// record becomes the chain's next entry when Chain runs (on this node's
// worker within moments); it takes no lock any other event waits for.
func (s *Service) Append(ctx context.Context, kind Kind, subject string, at time.Time, facts Facts) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		return s.store.AddPending(ctx, Pending{Kind: kind, Subject: subject, At: at.UTC().Truncate(time.Millisecond), Payload: canonical(facts), QueuedAt: s.clock.Now().UTC()})
	})
}

// ChainBatch is how many pending records one chaining transaction links.
const ChainBatch = 500

// Chain links up to limit pending records into the chain, oldest first, in
// a transaction of its own: the head row is locked, each record becomes
// the entry after it, the head moves to the last and the records are
// deleted. Safe on every node at once (they queue on the head row). It
// returns how many it linked.
func (s *Service) Chain(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.tx.InReadCommittedTx(ctx, func(ctx context.Context) error {
		head, err := s.store.LockHead(ctx)
		if err != nil {
			return err
		}
		pending, err := s.store.ClaimPending(ctx, limit)
		if err != nil || len(pending) == 0 {
			return err
		}
		entries, ids := make([]Entry, len(pending)), make([]int64, len(pending))
		prev := head.Hash
		for i, p := range pending {
			e := p.entry()
			e.Seq, e.PrevHash = head.Seq+int64(i)+1, prev
			e.Hash = hashOf(e)
			entries[i], ids[i], prev = e, p.ID, e.Hash
		}
		n = len(entries)
		return s.store.Link(ctx, entries, ids)
	})
	return n, err
}

// ChainAll chains until nothing is pending (a command-line run, a test).
func (s *Service) ChainAll(ctx context.Context) error {
	for {
		n, err := s.Chain(ctx, ChainBatch)
		if err != nil || n < ChainBatch {
			return err
		}
	}
}

// RunChain is the chaining worker: every poll it looks for committed
// records (one indexed read, no lock) and chains while batches come back
// full. It is not woken by Append: a record is almost always appended
// inside a business transaction that has not committed yet, so a wake-up
// would find nothing. Safe on every node; a node that stops leaves its
// records to the others or its restart.
func (s *Service) RunChain(ctx context.Context, poll time.Duration) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if waiting, err := s.store.Pending(ctx, 0, 1); err != nil || len(waiting) == 0 {
			if err != nil && ctx.Err() == nil {
				s.log.Warn("ledger pending", "err", err)
			}
			continue // the cheap look found nothing: no lock taken
		}
		if err := s.ChainAll(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("ledger chain", "err", err)
		}
	}
}

// RecordResult appends a formal subject result (results.Ledger).
func (s *Service) RecordResult(ctx context.Context, r results.SubjectResult) error {
	return s.Append(ctx, KindSubjectResult, ResultSubject(r.ID), r.SatAt, resultFacts(r))
}

// RecordCertificate appends a certificate event (cert.Ledger): the issue of
// c, or its revocation / supersession; c is the row after the change.
func (s *Service) RecordCertificate(ctx context.Context, action string, c cert.Certificate) error {
	k := certKind(action)
	return s.Append(ctx, k, CertificateSubject(c.ID), s.clock.Now(), s.certificateEventFacts(k, c))
}

// RecordHandOver appends the hand-over of a parcel at the window (cert.Ledger).
func (s *Service) RecordHandOver(ctx context.Context, d cert.Delivery) error {
	return s.Append(ctx, KindCertHandedOver, DeliverySubject(d.ID), d.CollectedAt, s.deliveryFacts(d))
}

// RecordAnonymised appends that the retention rule replaced the personal
// data of a certificate or a parcel: the new holder digest of the row as
// it is after the change.
func (s *Service) RecordAnonymised(ctx context.Context, c *cert.Certificate, d *cert.Delivery) error {
	switch {
	case c != nil:
		return s.Append(ctx, KindAnonymised, CertificateSubject(c.ID), s.clock.Now(), Facts{"holder": s.holderDigest(c.HolderName, c.IDNumber)})
	case d != nil:
		return s.Append(ctx, KindAnonymised, DeliverySubject(d.ID), s.clock.Now(), Facts{"collected_by": s.deliveryFacts(*d)["collected_by"]})
	}
	return nil
}

// Adopt takes rows that no entry recorded into the chain (kind
// ledger.adopted), e.g. data loaded before the ledger existed or by a bulk
// generator. It is an operator's act (examd verify-ledger -adopt) and the
// entries say so: they vouch for the rows as they are at adoption. The
// adopted records are chained before it returns.
func (s *Service) Adopt(ctx context.Context) (int, error) {
	n, err := s.adopt(ctx)
	if err != nil {
		return 0, err
	}
	return n, s.ChainAll(ctx)
}

func (s *Service) adopt(ctx context.Context) (int, error) {
	n := 0
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		seen, err := s.subjects(ctx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if err := s.eachID(ctx, s.sources.SubjectResultIDs, func(ids []int64) error {
			rows, err := s.sources.SubjectResults(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if r, ok := rows[id]; ok && !seen[ResultSubject(id)] {
					if err := s.Append(ctx, KindAdopted, ResultSubject(id), now, resultFacts(r)); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		}); err != nil {
			return err
		}
		return s.eachID(ctx, s.sources.CertificateIDs, func(ids []int64) error {
			rows, err := s.sources.Certificates(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if c, ok := rows[id]; ok && !seen[CertificateSubject(id)] {
					if err := s.Append(ctx, KindAdopted, CertificateSubject(id), now, s.certificateFacts(c)); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		})
	})
	return n, err
}

// subjects is every subject the chain or a pending record names.
func (s *Service) subjects(ctx context.Context) (map[string]bool, error) {
	head, err := s.store.Head(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	if err := s.eachPending(ctx, func(p Pending) { out[p.Subject] = true }); err != nil {
		return nil, err
	}
	for after := int64(0); after < head.Seq; {
		batch, err := s.store.Entries(ctx, after, head.Seq, batchSize)
		if err != nil || len(batch) == 0 {
			return out, err
		}
		for _, e := range batch {
			out[e.Subject] = true
		}
		after = batch[len(batch)-1].Seq
	}
	return out, nil
}

const batchSize = 1000

// eachPending calls fn for every pending record, oldest first.
func (s *Service) eachPending(ctx context.Context, fn func(Pending)) error {
	for after := int64(0); ; {
		list, err := s.store.Pending(ctx, after, batchSize)
		if err != nil || len(list) == 0 {
			return err
		}
		for _, p := range list {
			fn(p)
		}
		after = list[len(list)-1].ID
	}
}

func (s *Service) eachID(ctx context.Context, list func(ctx context.Context, afterID int64, limit int) ([]int64, error), fn func([]int64) error) error {
	for after := int64(0); ; {
		ids, err := list(ctx, after, batchSize)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := fn(ids); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// ---------------------------------------------------------------- verification

// subjectState is what the chain says about one record.
type subjectState struct {
	first int64            // seq of its first entry
	facts Facts            // folded
	seqOf map[string]int64 // key -> seq of the entry that last asserted it
	kind  Kind             // of the entry that last asserted it
}

// Verify walks the whole chain in one read transaction (a consistent
// snapshot on MySQL), then compares the folded facts with the rows as they
// are now and every stored checkpoint (and any given, exported ones) with
// the chain. The report points at the first broken entry.
func (s *Service) Verify(ctx context.Context, external []Checkpoint) (Report, error) {
	start := time.Now()
	var rep Report
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		rep = Report{}
		head, err := s.store.Head(ctx)
		if err != nil {
			return err
		}
		rep.Head = head
		cps, err := s.allCheckpoints(ctx)
		if err != nil {
			return err
		}
		cps = append(cps, external...)
		wantAt := map[int64][]Checkpoint{}
		for _, c := range cps {
			wantAt[c.Seq] = append(wantAt[c.Seq], c)
		}
		rep.Checkpoints = len(cps)

		add := func(p Problem) {
			rep.Total++
			rep.Problems = append(rep.Problems, p)
		}
		states := map[string]*subjectState{}
		prev, next := GenesisHash, int64(1)
		for after := int64(0); after < head.Seq; {
			batch, err := s.store.Entries(ctx, after, head.Seq, batchSize)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			for _, e := range batch {
				rep.Entries++
				if e.Seq != next {
					add(Problem{Seq: next, Code: ProblemSeqGap, Detail: fmt.Sprintf("entries %d to %d are missing (the chain goes on at %d)", next, e.Seq-1, e.Seq),
						Why: "entries_missing", Params: params("from", next, "to", e.Seq-1, "next", e.Seq)})
				}
				if e.PrevHash != prev {
					add(Problem{Seq: e.Seq, Kind: e.Kind, Subject: e.Subject, Code: ProblemPrevMismatch, Detail: "the previous entry's hash is not the one this entry was linked to: the entry before it was changed, removed or inserted", Why: "link_broken"})
				}
				if h := hashOf(e); h != e.Hash {
					add(Problem{Seq: e.Seq, Kind: e.Kind, Subject: e.Subject, Code: ProblemHashMismatch, Detail: "the entry's content does not match its hash: it was changed after it was written", Why: "content_changed"})
				}
				for _, c := range wantAt[e.Seq] {
					if c.Hash != e.Hash {
						add(Problem{Seq: e.Seq, Kind: e.Kind, Subject: e.Subject, Code: ProblemCheckpointMismatch, Detail: fmt.Sprintf("checkpoint of %s names hash %s…, the chain has %s…", c.At.UTC().Format(time.RFC3339), short(c.Hash), short(e.Hash)),
							Why: "checkpoint_hash", Params: params("at", c.At.UTC().Format(time.RFC3339), "hash", short(c.Hash), "chain", short(e.Hash))})
					}
				}
				delete(wantAt, e.Seq)
				s.fold(states, e, add)
				prev, next = e.Hash, e.Seq+1
			}
			after = batch[len(batch)-1].Seq
		}
		if rep.Entries > 0 || head.Seq > 0 {
			if next-1 != head.Seq || prev != head.Hash {
				add(Problem{Seq: head.Seq, Code: ProblemHeadMismatch, Detail: fmt.Sprintf("the recorded head is entry %d, the chain ends at %d: entries at the end were removed", head.Seq, next-1),
					Why: "end_removed", Params: params("head", head.Seq, "end", next-1)})
			}
		}
		for seq, list := range wantAt {
			if seq <= head.Seq {
				add(Problem{Seq: seq, Code: ProblemCheckpointMismatch, Detail: fmt.Sprintf("a checkpoint names entry %d, which the chain does not have", seq),
					Why: "checkpoint_entry_missing", Params: params("seq", seq)})
			} else {
				for _, c := range list {
					add(Problem{Seq: seq, Code: ProblemCheckpointMismatch, Detail: fmt.Sprintf("a checkpoint of %s names entry %d, beyond the chain's end %d: entries were removed", c.At.UTC().Format(time.RFC3339), seq, head.Seq),
						Why: "checkpoint_beyond_end", Params: params("at", c.At.UTC().Format(time.RFC3339), "seq", seq, "end", head.Seq)})
				}
			}
		}
		// Events recorded but not yet chained (same snapshot: each is
		// either here or in the chain) are the latest word on their
		// subject; only one left waiting too long is a problem.
		stale, oldest, staleBefore := 0, time.Time{}, s.clock.Now().Add(-PendingStaleAfter)
		if err := s.eachPending(ctx, func(p Pending) { // oldest first
			rep.Pending++
			s.fold(states, p.entry(), add)
			if p.QueuedAt.Before(staleBefore) {
				if stale == 0 {
					oldest = p.QueuedAt
				}
				stale++
			}
		}); err != nil {
			return err
		}
		if stale > 0 {
			add(Problem{Code: ProblemPendingStale, Detail: fmt.Sprintf("%d recorded events have waited more than %s to be linked into the chain (the oldest since %s): no chaining worker is running", stale, PendingStaleAfter, oldest.UTC().Format(time.RFC3339)),
				Why: "pending_stale", Params: params("count", stale, "since", oldest.UTC().Format(time.RFC3339))})
		}
		rep.Subjects = int64(len(states))
		if err := s.compareSources(ctx, states, add); err != nil {
			return err
		}
		return s.findUnrecorded(ctx, states, add)
	})
	if err != nil {
		return Report{}, err
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		a, b := rep.Problems[i].Seq, rep.Problems[j].Seq
		if (a == 0) != (b == 0) {
			return b == 0 // rows with no entry last
		}
		return a < b
	})
	if len(rep.Problems) > MaxProblems {
		rep.Problems = rep.Problems[:MaxProblems]
	}
	rep.OK = rep.Total == 0
	if !rep.OK {
		p := rep.Problems[0]
		rep.FirstBroken = &p
	}
	rep.CheckedAt, rep.Took = s.clock.Now().UTC(), time.Since(start)
	return rep, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// fold applies an entry's facts to its subject's state.
func (s *Service) fold(states map[string]*subjectState, e Entry, add func(Problem)) {
	var f Facts
	if err := json.Unmarshal([]byte(e.Payload), &f); err != nil {
		add(Problem{Seq: e.Seq, Kind: e.Kind, Subject: e.Subject, Code: ProblemHashMismatch, Detail: "the entry's payload is not readable", Why: "payload_unreadable"})
		return
	}
	st := states[e.Subject]
	if st == nil {
		st = &subjectState{first: e.Seq, facts: Facts{}, seqOf: map[string]int64{}}
		states[e.Subject] = st
	}
	for k, v := range f {
		st.facts[k], st.seqOf[k] = v, e.Seq
	}
	st.kind = e.Kind
}

// compareSources reads the rows the chain speaks about in batches and
// reports every key whose value differs from what the ledger recorded, at
// the entry that recorded it.
func (s *Service) compareSources(ctx context.Context, states map[string]*subjectState, add func(Problem)) error {
	byPrefix := map[string][]int64{}
	for subj := range states {
		if p, id, ok := subjectID(subj); ok {
			byPrefix[p] = append(byPrefix[p], id)
		}
	}
	for prefix, ids := range byPrefix {
		if !knownPrefix(prefix) {
			continue // no source to compare with
		}
		slices.Sort(ids)
		for len(ids) > 0 {
			n := min(len(ids), 500)
			chunk := ids[:n]
			ids = ids[n:]
			now, err := s.currentFacts(ctx, prefix, chunk)
			if err != nil {
				return err
			}
			for _, id := range chunk {
				subj := prefix + itoa(id)
				st := states[subj]
				cur, ok := now[id]
				if !ok {
					add(Problem{Seq: st.first, Subject: subj, Kind: st.kind, Code: ProblemSourceMissing, Detail: "the record this entry names no longer exists", Why: "record_gone"})
					continue
				}
				keys := make([]string, 0, len(st.facts))
				for k := range st.facts {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				var diffs []string
				var changes []Change
				first := int64(0)
				for _, k := range keys {
					if cur[k] != st.facts[k] {
						diffs = append(diffs, fmt.Sprintf("%s: ledger %q, now %q", k, st.facts[k], cur[k]))
						changes = append(changes, Change{Field: k, Recorded: st.facts[k], Now: cur[k]})
						if first == 0 || st.seqOf[k] < first {
							first = st.seqOf[k]
						}
					}
				}
				if len(diffs) > 0 {
					add(Problem{Seq: first, Subject: subj, Kind: st.kind, Code: ProblemSourceMismatch, Detail: "the record was changed outside the application: " + strings.Join(diffs, "; "), Why: "record_changed", Changes: changes})
				}
			}
		}
	}
	return nil
}

func knownPrefix(p string) bool {
	return p == subjectResultPrefix || p == certificatePrefix || p == deliveryPrefix
}

func (s *Service) currentFacts(ctx context.Context, prefix string, ids []int64) (map[int64]Facts, error) {
	out := map[int64]Facts{}
	switch prefix {
	case subjectResultPrefix:
		rows, err := s.sources.SubjectResults(ctx, ids)
		for id, r := range rows {
			out[id] = resultFacts(r)
		}
		return out, err
	case certificatePrefix:
		rows, err := s.sources.Certificates(ctx, ids)
		for id, c := range rows {
			out[id] = s.certificateFacts(c)
		}
		return out, err
	case deliveryPrefix:
		rows, err := s.sources.Deliveries(ctx, ids)
		for id, d := range rows {
			out[id] = s.deliveryFacts(d)
		}
		return out, err
	}
	return out, nil
}

// findUnrecorded reports result and certificate rows that no entry names:
// rows written behind the application's back (a forged pass).
func (s *Service) findUnrecorded(ctx context.Context, states map[string]*subjectState, add func(Problem)) error {
	check := func(list func(context.Context, int64, int) ([]int64, error), subject func(int64) string, what, why string) error {
		return s.eachID(ctx, list, func(ids []int64) error {
			for _, id := range ids {
				if states[subject(id)] == nil {
					add(Problem{Subject: subject(id), Code: ProblemUnrecorded, Detail: what + " that no ledger entry recorded: it was not written by the application", Why: why})
				}
			}
			return nil
		})
	}
	if err := check(s.sources.SubjectResultIDs, ResultSubject, "a subject result", "result_unrecorded"); err != nil {
		return err
	}
	return check(s.sources.CertificateIDs, CertificateSubject, "a certificate", "certificate_unrecorded")
}

// ---------------------------------------------------------------- checkpoints and listings

func (s *Service) allCheckpoints(ctx context.Context) ([]Checkpoint, error) {
	var out []Checkpoint
	for off := 0; ; off += 500 {
		list, _, err := s.store.Checkpoints(ctx, Page{Offset: off, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < 500 {
			return out, nil
		}
	}
}

// Checkpoint signs the current head and stores it; when the head has not
// moved since the latest checkpoint, that one is returned.
func (s *Service) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var out Checkpoint
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		head, err := s.store.Head(ctx)
		if err != nil {
			return err
		}
		if head.Seq == 0 {
			return ErrNoEntries
		}
		if last, err := s.store.LatestCheckpoint(ctx); err == nil && last.Seq == head.Seq {
			out = last
			return nil
		}
		c := Checkpoint{Seq: head.Seq, Hash: head.Hash, At: s.clock.Now().UTC().Truncate(time.Second)}
		keyID, sig := s.signer.Sign([]byte(c.SignedText()))
		c.KeyID, c.Signature = keyID, base64.StdEncoding.EncodeToString(sig)
		added, err := s.store.AddCheckpoint(ctx, &c)
		if err != nil {
			return err
		}
		if !added { // another node checkpointed the same head meanwhile
			out, err = s.store.LatestCheckpoint(ctx)
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// CheckpointNow is Checkpoint asked for by a bureau admin (audited).
func (s *Service) CheckpointNow(ctx context.Context) (Checkpoint, error) {
	var out Checkpoint
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = s.Checkpoint(ctx); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "ledger.checkpoint", TargetType: "ledger_checkpoint", TargetID: itoa(out.ID),
			After: map[string]any{"seq": out.Seq, "hash": out.Hash}})
	})
	return out, err
}

// CheckSignature verifies an exported checkpoint's signature (the
// comparison with the chain is Verify's).
func (s *Service) CheckSignature(c Checkpoint) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || c.Seq <= 0 || len(c.Hash) != 64 {
		return ErrBadCheckpoint
	}
	if err := s.signer.Verify(c.KeyID, []byte(c.SignedText()), sig); err != nil {
		return ErrBadCheckpoint
	}
	return nil
}

// RunCheckpoints signs a checkpoint every interval while the chain grows
// (safe on every node: a checkpoint per seq is a unique key).
func (s *Service) RunCheckpoints(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Checkpoint(ctx); err != nil && !ErrNoEntries.Is(err) && ctx.Err() == nil {
				s.log.Warn("ledger checkpoint", "err", err)
			}
		}
	}
}

// Checkpoints lists the signed checkpoints, newest first.
func (s *Service) Checkpoints(ctx context.Context, p Page) ([]Checkpoint, int64, error) {
	return s.store.Checkpoints(ctx, p)
}

// CheckpointByID is one checkpoint (to export).
func (s *Service) CheckpointByID(ctx context.Context, id int64) (Checkpoint, error) {
	return s.store.CheckpointByID(ctx, id)
}

// Recent lists entries newest first.
func (s *Service) Recent(ctx context.Context, p Page) ([]Entry, int64, error) {
	return s.store.Recent(ctx, p)
}

// Head is the chain's current end.
func (s *Service) Head(ctx context.Context) (Head, error) { return s.store.Head(ctx) }

// EntriesOf lists the entries of the given subjects in order (a dossier's
// results and certificates), then their events not yet chained, with Seq
// 0 and no hash.
func (s *Service) EntriesOf(ctx context.Context, subjects []string) ([]Entry, error) {
	if len(subjects) == 0 {
		return nil, nil
	}
	var out []Entry
	err := s.tx.InTx(ctx, func(ctx context.Context) error { // one snapshot: a record is chained or pending, not neither
		var err error
		if out, err = s.store.EntriesOf(ctx, subjects); err != nil {
			return err
		}
		pending, err := s.store.PendingOf(ctx, subjects)
		for _, p := range pending {
			out = append(out, p.entry())
		}
		return err
	})
	return out, err
}

// params pairs names with values for a Problem's translated sentence.
func params(kv ...any) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = fmt.Sprint(kv[i+1])
	}
	return m
}
