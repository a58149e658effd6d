package questionbank

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/imagecheck"
)

// Store persists the bank. Implemented by bankdb. Every method joins the
// transaction carried by ctx.
type Store interface {
	// Chapters
	Chapters(ctx context.Context) ([]Chapter, error)
	ChapterByID(ctx context.Context, id int64) (Chapter, error)
	CreateChapter(ctx context.Context, c *Chapter) error
	UpdateChapter(ctx context.Context, id int64, fn func(*Chapter) error) (Chapter, error)
	// DeleteChapter removes a chapter without questions (ErrChapterInUse otherwise).
	DeleteChapter(ctx context.Context, id int64) error
	ChapterQuestionCounts(ctx context.Context) (map[int64]int, error)

	// Questions. CreateQuestions inserts questions with their first version
	// (IDs are set on the slice); UpdateQuestion locks the row, lets fn change
	// the working version and saves it, inserting a version row when
	// fn raised Version, updating the (unfrozen) one otherwise.
	CreateQuestions(ctx context.Context, qs []QuestionInfo) error
	QuestionByID(ctx context.Context, id int64) (QuestionInfo, error)
	UpdateQuestion(ctx context.Context, id int64, fn func(*QuestionInfo) error) (QuestionInfo, error)
	SearchQuestions(ctx context.Context, f SearchFilter) ([]QuestionInfo, int64, error)
	// StemOwners maps normalised-stem hashes to the question holding them.
	StemOwners(ctx context.Context, hashes []string) (map[string]int64, error)
	CountQuestions(ctx context.Context) (int64, error)
	// FreezeVersion marks a version as published (never edited again).
	FreezeVersion(ctx context.Context, ref VersionRef, at time.Time) error
	// LiveQuestions returns the live version of every published,
	// not-retired question, ordered by id.
	LiveQuestions(ctx context.Context) ([]Question, error)
	// FrozenVersions returns the frozen versions among refs.
	FrozenVersions(ctx context.Context, refs []VersionRef) ([]Question, error)
	History(ctx context.Context, questionID int64) ([]Question, error)

	// Generation is a counter bumped by every change that alters what
	// candidates see (publish, retire, chapters, blueprints).
	Generation(ctx context.Context) (int64, error)
	BumpGeneration(ctx context.Context) error

	// Images are content-addressed (SHA-256 hex).
	PutImage(ctx context.Context, img Image) error
	Image(ctx context.Context, id string) (Image, error)

	// Blueprints
	Blueprints(ctx context.Context) ([]Blueprint, error)
	BlueprintByID(ctx context.Context, id int64) (Blueprint, error)
	CreateBlueprint(ctx context.Context, b *Blueprint) error
	UpdateBlueprint(ctx context.Context, id int64, fn func(*Blueprint) error) (Blueprint, error)
	// ClearDefault unsets is_default on every blueprint of kind except keep.
	ClearDefault(ctx context.Context, kind string, keep int64) error

	// Imports
	SaveImport(ctx context.Context, b *ImportBatch) error
	ImportByID(ctx context.Context, id int64) (ImportBatch, error)
	// FinishImport flips a pending import to done; ErrImportDone if it was not pending.
	FinishImport(ctx context.Context, id int64, at time.Time) error
}

// Auditor records staff actions.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config tunes the service.
type Config struct {
	// CacheCheck is how often a node asks the database whether the bank
	// changed (another node published); default 1 s.
	CacheCheck time.Duration
	// MaxImageBytes caps uploaded images; default 512 KiB.
	MaxImageBytes int
	// MaxImportRows caps one import file; default 20,000.
	MaxImportRows int
	// Images bounds concurrent image decodes (shared with other uploads
	// of this process); default: two at a time.
	Images *imagecheck.Decoder
}

// Service is the question bank.
//
// Published questions, chapters and blueprints are kept in memory as one
// immutable snapshot. A node reloads it at once after its own writes and, for
// writes made on other nodes, when the generation counter in the database
// moved (checked at most every Config.CacheCheck). Frozen versions are
// immutable, so they are cached without expiry (bounded).
type Service struct {
	store Store
	audit Auditor
	tx    Transactor
	clock clock.Clock
	cfg   Config

	snap     atomic.Pointer[snapshot]
	reloadMu sync.Mutex

	verMu sync.RWMutex
	vers  map[VersionRef]Question
}

const maxCachedVersions = 100_000

// NewService wires the service.
func NewService(store Store, auditor Auditor, tx Transactor, clk clock.Clock, cfg Config) *Service {
	if cfg.CacheCheck <= 0 {
		cfg.CacheCheck = time.Second
	}
	if cfg.MaxImageBytes <= 0 {
		cfg.MaxImageBytes = 512 << 10
	}
	if cfg.MaxImportRows <= 0 {
		cfg.MaxImportRows = 20_000
	}
	if cfg.Images == nil {
		cfg.Images = imagecheck.NewDecoder(2)
	}
	return &Service{store: store, audit: auditor, tx: tx, clock: clk, cfg: cfg, vers: map[VersionRef]Question{}}
}

type poolKey struct {
	chapter int64
	typ     QuestionType
}

// snapshot is what candidates can see, at one generation.
type snapshot struct {
	gen         int64
	checked     atomic.Int64 // unix nanos of the last generation check
	live        []Question   // ordered by id
	byID        map[int64]int
	pools       map[poolKey][]int    // indices into live, ascending id
	byChapter   map[int64][]Question // live questions per chapter, ascending id (shared, read-only)
	chapters    []Chapter
	chapterByID map[int64]Chapter
	blueprints  []Blueprint
}

// current returns a fresh-enough snapshot.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	sn := s.snap.Load()
	now := s.clock.Now().UnixNano()
	if sn != nil && now-sn.checked.Load() < int64(s.cfg.CacheCheck) {
		return sn, nil
	}
	gen, err := s.store.Generation(ctx)
	if err != nil {
		if sn != nil {
			return sn, nil // serve the last known bank while the DB hiccups
		}
		return nil, err
	}
	if sn != nil && sn.gen == gen {
		sn.checked.Store(now)
		return sn, nil
	}
	return s.reload(ctx, gen)
}

// invalidate drops the snapshot after a local write.
func (s *Service) invalidate() { s.snap.Store(nil) }

func (s *Service) reload(ctx context.Context, gen int64) (*snapshot, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if sn := s.snap.Load(); sn != nil && sn.gen >= gen {
		return sn, nil
	}
	live, err := s.store.LiveQuestions(ctx)
	if err != nil {
		return nil, err
	}
	chapters, err := s.store.Chapters(ctx)
	if err != nil {
		return nil, err
	}
	bps, err := s.store.Blueprints(ctx)
	if err != nil {
		return nil, err
	}
	sn := buildSnapshot(gen, live, chapters, bps)
	sn.checked.Store(s.clock.Now().UnixNano())
	s.snap.Store(sn)
	return sn, nil
}

func buildSnapshot(gen int64, live []Question, chapters []Chapter, bps []Blueprint) *snapshot {
	sort.Slice(live, func(i, j int) bool { return live[i].ID < live[j].ID })
	sn := &snapshot{gen: gen, live: live, byID: make(map[int64]int, len(live)), pools: map[poolKey][]int{},
		byChapter: map[int64][]Question{}, chapters: chapters, chapterByID: make(map[int64]Chapter, len(chapters)), blueprints: bps}
	for i, q := range live {
		sn.byID[q.ID] = i
		k := poolKey{q.ChapterID, q.Type}
		sn.pools[k] = append(sn.pools[k], i)
		sn.byChapter[q.ChapterID] = append(sn.byChapter[q.ChapterID], q)
	}
	for ch, qs := range sn.byChapter {
		sn.byChapter[ch] = qs[:len(qs):len(qs)] // a caller's append copies instead of writing into the snapshot
	}
	for _, c := range chapters {
		sn.chapterByID[c.ID] = c
	}
	return sn
}

// Chapters lists every chapter, by subject then sort order.
func (s *Service) Chapters(ctx context.Context) ([]Chapter, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return append([]Chapter(nil), sn.chapters...), nil
}

// PublishedQuestions returns the live version of every published question
// matching f, ordered by id. The slices inside are shared: do not modify.
func (s *Service) PublishedQuestions(ctx context.Context, f PracticeFilter) ([]Question, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	if f.ChapterID != 0 && f.Type != "" {
		idx := sn.pools[poolKey{f.ChapterID, f.Type}]
		out := make([]Question, 0, len(idx))
		for _, i := range idx {
			if f.Subject == "" || sn.live[i].Subject == f.Subject {
				out = append(out, sn.live[i])
			}
		}
		return out, nil
	}
	out := make([]Question, 0, len(sn.live))
	for _, q := range sn.live {
		if (f.Subject == "" || q.Subject == f.Subject) && (f.ChapterID == 0 || q.ChapterID == f.ChapterID) && (f.Type == "" || q.Type == f.Type) {
			out = append(out, q)
		}
	}
	return out, nil
}

// ChapterQuestions returns the live version of every published question of
// one chapter, ordered by id, without copying them (practice asks for a
// chapter on every request). The slice is shared: do not modify it.
func (s *Service) ChapterQuestions(ctx context.Context, chapterID int64) ([]Question, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return sn.byChapter[chapterID], nil
}

// PublishedQuestion returns the live version of one published question.
func (s *Service) PublishedQuestion(ctx context.Context, id int64) (Question, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return Question{}, err
	}
	i, ok := sn.byID[id]
	if !ok {
		return Question{}, apperr.ErrNotFound
	}
	return sn.live[i], nil
}

// Versions returns exactly the requested versions, even if the question
// was edited or retired since. Refs that do not name a frozen version are
// missing from the map.
func (s *Service) Versions(ctx context.Context, refs []VersionRef) (map[VersionRef]Question, error) {
	out := make(map[VersionRef]Question, len(refs))
	var missing []VersionRef
	sn := s.snap.Load()
	s.verMu.RLock()
	for _, r := range refs {
		if sn != nil {
			if i, ok := sn.byID[r.QuestionID]; ok && sn.live[i].Version == r.Version {
				out[r] = sn.live[i]
				continue
			}
		}
		if q, ok := s.vers[r]; ok {
			out[r] = q
			continue
		}
		missing = append(missing, r)
	}
	s.verMu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := s.store.FrozenVersions(ctx, missing)
	if err != nil {
		return nil, err
	}
	s.verMu.Lock()
	if len(s.vers)+len(got) > maxCachedVersions {
		s.vers = map[VersionRef]Question{}
	}
	for _, q := range got {
		q.Status = StatusPublished
		s.vers[q.Ref()] = q
		out[q.Ref()] = q
	}
	s.verMu.Unlock()
	return out, nil
}

// Blueprints lists every blueprint.
func (s *Service) Blueprints(ctx context.Context) ([]Blueprint, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return append([]Blueprint(nil), sn.blueprints...), nil
}

// Blueprint returns one blueprint.
func (s *Service) Blueprint(ctx context.Context, id int64) (Blueprint, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return Blueprint{}, err
	}
	for _, b := range sn.blueprints {
		if b.ID == id {
			return b, nil
		}
	}
	return Blueprint{}, apperr.ErrNotFound
}

// DefaultBlueprint returns the default blueprint of kind. A mock exam
// without its own default uses the formal one (the mock is "the same paper").
func (s *Service) DefaultBlueprint(ctx context.Context, kind string) (Blueprint, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return Blueprint{}, err
	}
	var formal *Blueprint
	for i, b := range sn.blueprints {
		if !b.IsDefault {
			continue
		}
		if b.Kind == kind {
			return b, nil
		}
		if b.Kind == KindFormal {
			formal = &sn.blueprints[i]
		}
	}
	if kind == KindMock && formal != nil {
		return *formal, nil
	}
	return Blueprint{}, ErrNoBlueprint.WithMessage("no default %s blueprint", kind)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
