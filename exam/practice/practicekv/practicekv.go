// Package practicekv implements practice.Cache on Redis: one hash per
// candidate, shared by every node.
//
//	<prefix>prac:<candidate id>   (hash, TTL refreshed by every write)
//	  _          "1" once the hash holds the candidate's complete state
//	  _f         the token of the fill in progress (practice.Cache.Claim)
//	  q<id>      marks of question <id>:  rev,0,flags,streak   (flags: 1 favourite, 2 wrong book, 4 answered)
//	  p<id>      resume point of chapter <id>: atMillis,position
//	  r<id>      the same point with the question at that position when it
//	             was written: atMillis,position,questionID (read only while
//	             it matches p<id>, which a node that does not write it moves)
//
// Every value starts with two numbers that order it (rev and 0; time and
// position). The Put and Fill scripts replace a field only with a value
// that is not older, so a slow writer or filler never overwrites a newer
// state. A question without a field in a complete hash was never touched.
package practicekv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"taxiexam/exam/practice"
	"taxiexam/internal/platform/groupcommit"
	"taxiexam/internal/platform/kv"
)

// DefaultTTL bounds how long an idle candidate's hash stays in Redis.
const DefaultTTL = 30 * time.Minute

// Cache is the Redis practice cache.
type Cache struct {
	r    *kv.Redis
	ttl  time.Duration
	puts *groupcommit.Writer[put, error]
}

var _ practice.Cache = (*Cache)(nil)

// New returns the cache; ttl <= 0 means DefaultTTL. Its Put writer starts
// with the first Put; Drain stops it.
func New(r *kv.Redis, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	c := &Cache{r: r, ttl: ttl}
	// Puts of concurrent answers go to Redis as one pipeline: one round
	// trip and one read/write syscall pair on each side per batch instead
	// of per answer. Several puts of one candidate may share a pipeline:
	// the script keeps the newer value, whatever the order.
	c.puts = groupcommit.New("practice cache puts", c.commitPuts, groupcommit.Options[put]{MaxBatch: 128})
	return c
}

// Drain stops the Put writer at shutdown after sending what it holds.
func (c *Cache) Drain(ctx context.Context) error { return c.puts.Close(ctx) }

func (c *Cache) key(cand int64) string { return c.r.Key("prac", strconv.FormatInt(cand, 10)) }

const (
	fieldComplete = "_"
	fieldToken    = "_f"
)

func questionField(id int64) string { return "q" + strconv.FormatInt(id, 10) }
func chapterField(id int64) string  { return "p" + strconv.FormatInt(id, 10) }
func resumeQField(id int64) string  { return "r" + strconv.FormatInt(id, 10) }

func encodeMarks(m practice.Marks) string {
	flags := 0
	if m.Favourite {
		flags |= 1
	}
	if m.WrongBook {
		flags |= 2
	}
	if m.Answered {
		flags |= 4
	}
	return strconv.FormatInt(m.Rev, 10) + ",0," + strconv.Itoa(flags) + "," + strconv.Itoa(m.Streak)
}

func decodeMarks(id int64, v string) (practice.Marks, error) {
	p := strings.Split(v, ",")
	if len(p) != 4 {
		return practice.Marks{}, fmt.Errorf("practicekv: bad marks %q", v)
	}
	rev, err1 := strconv.ParseInt(p[0], 10, 64)
	flags, err2 := strconv.Atoi(p[2])
	streak, err3 := strconv.Atoi(p[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return practice.Marks{}, fmt.Errorf("practicekv: bad marks %q", v)
	}
	return practice.Marks{QuestionID: id, Rev: rev, Favourite: flags&1 != 0, WrongBook: flags&2 != 0, Answered: flags&4 != 0, Streak: streak}, nil
}

func encodeResume(r practice.Resume) string {
	return strconv.FormatInt(r.At.UnixMilli(), 10) + "," + strconv.Itoa(r.Position)
}

func decodeResume(ch int64, v string) (practice.Resume, error) {
	at, pos, ok := strings.Cut(v, ",")
	ms, err1 := strconv.ParseInt(at, 10, 64)
	p, err2 := strconv.Atoi(pos)
	if !ok || err1 != nil || err2 != nil {
		return practice.Resume{}, fmt.Errorf("practicekv: bad resume point %q", v)
	}
	return practice.Resume{ChapterID: ch, Position: p, At: time.UnixMilli(ms).UTC()}, nil
}

// Get is one HMGET of the completeness flag and the fields asked for.
func (c *Cache) Get(ctx context.Context, cand int64, questionIDs, chapterIDs []int64) (practice.State, bool, error) {
	fields := make([]string, 0, 1+len(questionIDs)+len(chapterIDs))
	fields = append(fields, fieldComplete)
	for _, id := range questionIDs {
		fields = append(fields, questionField(id))
	}
	for _, id := range chapterIDs {
		fields = append(fields, chapterField(id))
	}
	vals, err := c.r.HMGet(ctx, c.key(cand), fields...).Result()
	if err != nil {
		return practice.State{}, false, err
	}
	if vals[0] == nil {
		return practice.State{}, false, nil
	}
	st := practice.State{Marks: make(map[int64]practice.Marks, len(questionIDs)), Resumes: make(map[int64]practice.Resume, len(chapterIDs))}
	for i, id := range questionIDs {
		if v, ok := vals[1+i].(string); ok {
			m, err := decodeMarks(id, v)
			if err != nil {
				return practice.State{}, false, err
			}
			st.Marks[id] = m
		}
	}
	for i, id := range chapterIDs {
		if v, ok := vals[1+len(questionIDs)+i].(string); ok {
			r, err := decodeResume(id, v)
			if err != nil {
				return practice.State{}, false, err
			}
			st.Resumes[id] = r
		}
	}
	return st, true, nil
}

// Claim records a fill token in the hash (creating it, without the
// completeness flag, when absent).
func (c *Cache) Claim(ctx context.Context, cand int64) (string, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	k := c.key(cand)
	_, err := c.r.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k, fieldToken, token)
		p.PExpire(ctx, k, c.ttl)
		return nil
	})
	return token, err
}

// newer is shared by the scripts: may value v replace the current one?
const newerLua = `
local function newer(cur, v)
  if not cur then return true end
  local c1, c2 = string.match(cur, '^(%d+),(%d+)')
  local n1, n2 = string.match(v, '^(%d+),(%d+)')
  if not c1 then return true end
  c1, c2, n1, n2 = tonumber(c1), tonumber(c2), tonumber(n1), tonumber(n2)
  return n1 > c1 or (n1 == c1 and n2 >= c2)
end
local function merge(key, first)
  for i = first, #ARGV, 2 do
    if newer(redis.call('HGET', key, ARGV[i]), ARGV[i+1]) then
      redis.call('HSET', key, ARGV[i], ARGV[i+1])
    end
  end
end
`

// fillScript completes the hash if the claim still holds.
// KEYS[1] = hash; ARGV = token, ttl ms, field, value, ...
var fillScript = redis.NewScript(newerLua + `
if redis.call('HGET', KEYS[1], '_f') ~= ARGV[1] then return 0 end
merge(KEYS[1], 3)
redis.call('HSET', KEYS[1], '_', '1')
redis.call('HDEL', KEYS[1], '_f')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// putScript writes fields through, keeping newer ones.
// KEYS[1] = hash; ARGV = ttl ms, field, value, ...
var putScript = redis.NewScript(newerLua + `
merge(KEYS[1], 2)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`)

func appendState(args []any, marks []practice.Marks, resumes []practice.Resume) []any {
	for _, m := range marks {
		args = append(args, questionField(m.QuestionID), encodeMarks(m))
	}
	for _, r := range resumes {
		v := encodeResume(r)
		args = append(args, chapterField(r.ChapterID), v)
		if r.QuestionID > 0 {
			args = append(args, resumeQField(r.ChapterID), v+","+strconv.FormatInt(r.QuestionID, 10))
		}
	}
	return args
}

// resumeScript reads a chapter's resume point and the marks of the
// question it shows ("" when the question has none: never touched): the
// question the point was written for while r<ch> matches p<ch>, the
// chapter's first question when there is no point. KEYS[1] = hash;
// ARGV = p<ch>, r<ch>, first question id. Returns {0} (not complete),
// {1, "", qid, marks} (no point), {1, point} (its question not known) or
// {1, point, qid, marks}.
var resumeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], '_', ARGV[1], ARGV[2])
if not v[1] then return {0} end
local p, r = v[2], v[3]
local q
if not p then
  p, q = '', ARGV[3]
else
  if not r then return {1, p} end
  local at
  at, q = string.match(r, '^(%d+,%d+),(%d+)$')
  if not q or at ~= p then return {1, p} end
end
local m = redis.call('HGET', KEYS[1], 'q' .. q)
return {1, p, q, m or ''}
`)

// Resume is one script call: the resume point of the chapter (zero when
// none) and the marks of the question there: the one the point was written
// for, or firstQuestionID when there is no point.
func (c *Cache) Resume(ctx context.Context, cand, chapterID, firstQuestionID int64) (practice.Resume, *practice.Marks, bool, error) {
	res, err := resumeScript.Run(ctx, c.r, []string{c.key(cand)}, chapterField(chapterID), resumeQField(chapterID), firstQuestionID).Slice()
	if err != nil {
		return practice.Resume{}, nil, false, err
	}
	if len(res) == 0 || res[0] != int64(1) {
		return practice.Resume{}, nil, false, nil
	}
	var r practice.Resume
	if len(res) >= 2 {
		if v, _ := res[1].(string); v != "" {
			if r, err = decodeResume(chapterID, v); err != nil {
				return practice.Resume{}, nil, false, err
			}
		}
	}
	if len(res) < 4 {
		return r, nil, true, nil
	}
	qs, _ := res[2].(string)
	qid, err := strconv.ParseInt(qs, 10, 64)
	if err != nil {
		return practice.Resume{}, nil, false, fmt.Errorf("practicekv: bad resume question %q", qs)
	}
	if r.Position > 0 {
		r.QuestionID = qid
	}
	m := practice.Marks{QuestionID: qid}
	if v, _ := res[3].(string); v != "" {
		if m, err = decodeMarks(qid, v); err != nil {
			return practice.Resume{}, nil, false, err
		}
	}
	return r, &m, true, nil
}

// Fill completes the hash with st unless the claim was lost (the hash was
// dropped, evicted or claimed again): then the next reader fills it.
func (c *Cache) Fill(ctx context.Context, cand int64, token string, st practice.State) error {
	marks := make([]practice.Marks, 0, len(st.Marks))
	for id, m := range st.Marks {
		m.QuestionID = id
		marks = append(marks, m)
	}
	resumes := make([]practice.Resume, 0, len(st.Resumes))
	for ch, r := range st.Resumes {
		r.ChapterID = ch
		resumes = append(resumes, r)
	}
	args := appendState([]any{token, c.ttl.Milliseconds()}, marks, resumes)
	return fillScript.Run(ctx, c.r, []string{c.key(cand)}, args...).Err()
}

type put struct {
	key  string
	args []any
}

// Put writes the state after a SQL write through to the hash. Concurrent
// Puts share one pipeline; each returns once its script has run.
func (c *Cache) Put(ctx context.Context, cand int64, marks []practice.Marks, resumes []practice.Resume) error {
	if len(marks) == 0 && len(resumes) == 0 {
		return nil
	}
	args := appendState(make([]any, 1, 1+2*(len(marks)+len(resumes))), marks, resumes)
	args[0] = c.ttl.Milliseconds()
	err, batchErr := c.puts.Do(ctx, put{key: c.key(cand), args: args})
	if batchErr != nil {
		return batchErr
	}
	return err
}

// commitPuts runs the batch's scripts in one pipeline (EVALSHA; EVAL for
// all when Redis does not know the script yet, e.g. after a restart) and
// returns each script's own error.
func (c *Cache) commitPuts(ctx context.Context, batch []put) ([]error, error) {
	run := func(eval bool) ([]*redis.Cmd, error) {
		cmds := make([]*redis.Cmd, len(batch))
		_, err := c.r.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, x := range batch {
				if eval {
					cmds[i] = putScript.Eval(ctx, p, []string{x.key}, x.args...)
				} else {
					cmds[i] = putScript.EvalSha(ctx, p, []string{x.key}, x.args...)
				}
			}
			return nil
		})
		return cmds, err
	}
	cmds, err := run(false)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmds, err = run(true)
	}
	if err != nil && !isReplyError(cmds) {
		return nil, err // the connection failed: every put of the batch
	}
	out := make([]error, len(batch))
	for i, cmd := range cmds {
		out[i] = cmd.Err()
	}
	return out, nil
}

// isReplyError reports whether every command got an answer (some of them
// errors): then each put has its own outcome.
func isReplyError(cmds []*redis.Cmd) bool {
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			var re redis.Error
			if !errors.As(err, &re) {
				return false
			}
		}
	}
	return true
}

// Drop deletes the candidate's hash.
func (c *Cache) Drop(ctx context.Context, cand int64) error {
	return c.r.Del(ctx, c.key(cand)).Err()
}
