package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/audit/auditdb"
	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/notify/notifykv"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/reqctx"
	"taxiexam/internal/platform/sqldb"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// fakeSMS is a provider that honours the idempotency key like a real
// carrier: the same key twice is one message (one "effect").
type fakeSMS struct {
	mu      sync.Mutex
	calls   map[string]int    // key -> calls
	effects map[string]string // key -> phone, once per key
	// fail decides, per call, whether the call fails (nil: never).
	fail func(key string, call int) error
}

func newFakeSMS() *fakeSMS { return &fakeSMS{calls: map[string]int{}, effects: map[string]string{}} }

func (f *fakeSMS) SendSMS(ctx context.Context, r notify.SMSRequest) (string, error) {
	f.mu.Lock()
	f.calls[r.IdempotencyKey]++
	n := f.calls[r.IdempotencyKey]
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		if err := fail(r.IdempotencyKey, n); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.mu.Lock()
	if _, ok := f.effects[r.IdempotencyKey]; !ok {
		f.effects[r.IdempotencyKey] = r.Phone
	}
	f.mu.Unlock()
	return "biz-" + r.IdempotencyKey, nil
}

func (f *fakeSMS) setFail(fn func(key string, call int) error) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

func (f *fakeSMS) counts(key string) (calls, effects int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.effects[key]; ok {
		effects = 1
	}
	return f.calls[key], effects
}

func (f *fakeSMS) totalEffects() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.effects)
}

type fakePostal struct {
	mu     sync.Mutex
	orders map[string]string // key -> waybill
	next   int64
}

func (p *fakePostal) CreateOrder(ctx context.Context, key string, o notify.PostalOrder) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.orders[key]; ok {
		return w, nil
	}
	p.next++
	w := fmt.Sprintf("11%011d", p.next)
	p.orders[key] = w
	return w, nil
}

type env struct {
	db     *sqldb.DB
	redis  *kv.Redis
	store  *notifydb.Store
	queue  *notifykv.Queue
	outbox *notify.Outbox
	svc    *notify.Service
	audit  *audit.Service
	sms    *fakeSMS
	postal *fakePostal
	cfg    notify.Config
	log    *slog.Logger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DB(t, schema.All())
	r := testenv.Redis(t)
	p := testenv.Protector(t)
	e := &env{db: db, redis: r, store: notifydb.New(db, p), queue: notifykv.New(r), sms: newFakeSMS(), postal: &fakePostal{orders: map[string]string{}},
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.outbox = notify.NewOutbox(e.store, clock.System{}, notify.QuietHours{})
	e.audit = audit.NewService(auditdb.New(db), time.Now)
	e.svc = notify.NewService(e.store, e.queue, db, e.audit, clock.System{})
	e.cfg = notify.Config{MaxAttempts: 5, BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		VisibilityTimeout: time.Second, SendTimeout: 500 * time.Millisecond, RequeueAfter: time.Second,
		RelayInterval: 20 * time.Millisecond, SweepInterval: 200 * time.Millisecond, BatchSize: 50, Consumers: 2, Signature: "测试"}
	return e
}

func (e *env) worker(name string) *notify.Worker {
	return notify.NewWorker(notify.WorkerDeps{Store: e.store, Queue: e.queue, Tx: e.db, Clock: clock.System{}, Config: e.cfg,
		SMS: e.sms, Postal: e.postal, Outbox: e.outbox, Log: e.log, Name: name})
}

func (e *env) relay() *notify.Relay {
	return notify.NewRelay(e.store, e.queue, clock.System{}, e.cfg, nil, e.log)
}

// background runs fn until the test ends.
func background(t *testing.T, fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); fn(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func (e *env) runAll(t *testing.T) {
	background(t, func(ctx context.Context) { _ = e.relay().Run(ctx) })
	background(t, func(ctx context.Context) { _ = e.worker("w").Run(ctx) })
}

func sms(i int) notify.SMS {
	return notify.SMS{Phone: fmt.Sprintf("138%08d", i), Template: notify.TplApplicationReceived, Params: map[string]string{"name": "张三"},
		DedupeKey: fmt.Sprintf("application:%d:received", i), CandidateID: int64(i)}
}

func (e *env) enqueue(t *testing.T, m notify.SMS) int64 {
	t.Helper()
	var id int64
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		var err error
		id, err = e.outbox.EnqueueSMS(ctx, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) get(t *testing.T, id int64) notify.Message {
	t.Helper()
	m, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitStatus polls until every id has status (or fails after limit).
func (e *env) waitStatus(t *testing.T, limit time.Duration, status notify.Status, ids ...int64) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		left := 0
		var last notify.Message
		for _, id := range ids {
			if m := e.get(t, id); m.Status != status {
				left++
				last = m
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages not %s after %s; e.g. %d is %s (attempts %d, error %q)", left, len(ids), status, limit, last.ID, last.Status, last.Attempts, last.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// streamEmpty waits for the streams to empty: a worker records the result
// in the database first and acknowledges the entry just after, so right
// after the row says sent the entry may still be there for a moment.
func (e *env) streamEmpty(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, topic := range notify.Topics {
		for {
			n, p, err := e.queue.Depth(context.Background(), topic)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 && p == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("stream %s still holds %d entries (%d pending) after delivery", topic, n, p)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestRolledBackTransactionEnqueuesNothing(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("business rule failed")
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		if _, err := e.outbox.EnqueueSMS(ctx, sms(1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	_, total, err := e.store.List(context.Background(), notify.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 0 {
		t.Fatalf("rolled-back transaction left %d messages", total)
	}
	// And the same event committed afterwards is not blocked by the ghost.
	id := e.enqueue(t, sms(1))
	if id == 0 {
		t.Fatal("no id after commit")
	}
}

func TestSameEventEnqueuedTwiceIsOneMessage(t *testing.T) {
	e := newEnv(t)
	first := e.enqueue(t, sms(7))
	if again := e.enqueue(t, sms(7)); again != first {
		t.Fatalf("second enqueue id %d, want the first's %d", again, first)
	}
	// Concurrently, from separate transactions.
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.db.InTx(context.Background(), func(ctx context.Context) error {
				var err error
				ids[i], err = e.outbox.EnqueueSMS(ctx, sms(8))
				return err
			})
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil {
			t.Fatalf("concurrent enqueue %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Fatalf("concurrent enqueues got ids %v", ids)
		}
	}
	_, total, _ := e.store.List(context.Background(), notify.Filter{Limit: 10})
	if total != 2 {
		t.Fatalf("%d rows for two events", total)
	}
	e.runAll(t)
	e.waitStatus(t, 10*time.Second, notify.StatusSent, first, ids[0])
	if n := e.sms.totalEffects(); n != 2 {
		t.Fatalf("%d messages delivered for two events", n)
	}
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		m     notify.SMS
		field string
	}{
		{"bad phone", notify.SMS{Phone: "12345", Template: notify.TplVerificationCode, Params: map[string]string{"code": "123456"}, DedupeKey: "k1"}, "phone"},
		{"unknown template", notify.SMS{Phone: "13800000000", Template: "nope", DedupeKey: "k2"}, "template"},
		{"missing variable", notify.SMS{Phone: "13800000000", Template: notify.TplCertificateMailed, Params: map[string]string{"name": "李四"}, DedupeKey: "k3"}, "params.waybill"},
		{"unknown variable", notify.SMS{Phone: "13800000000", Template: notify.TplVerificationCode, Params: map[string]string{"code": "1", "x": "y"}, DedupeKey: "k4"}, "params.x"},
		{"no dedupe key", notify.SMS{Phone: "13800000000", Template: notify.TplVerificationCode, Params: map[string]string{"code": "1"}}, "dedupe_key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.outbox.EnqueueSMS(context.Background(), tc.m)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.KindInvalid || ae.Fields[tc.field].IsZero() {
				t.Fatalf("err = %v, want invalid %s", err, tc.field)
			}
		})
	}
	if _, err := e.outbox.EnqueuePostal(context.Background(), notify.PostalOrder{DedupeKey: "p"}); err == nil {
		t.Fatal("empty postal order accepted")
	}
	_, total, _ := e.store.List(context.Background(), notify.Filter{Limit: 10})
	if total != 0 {
		t.Fatalf("bad input wrote %d rows", total)
	}
}

// A worker killed at any point before XACK: another consumer reclaims the
// entry after the visibility timeout and the message takes effect once.
func TestWorkerKilledMidMessageIsHandledOnceByAnother(t *testing.T) {
	cases := []struct {
		point     string
		wantCalls int // provider calls in all (the key makes the second one a no-op)
	}{
		{notify.PointAfterClaim, 1}, // died before calling the provider
		{notify.PointAfterSend, 2},  // provider called, outcome never recorded: resent with the same key
		{notify.PointBeforeAck, 1},  // recorded as sent, never acked: the next consumer only acks
	}
	for _, tc := range cases {
		t.Run(tc.point, func(t *testing.T) {
			e := newEnv(t)
			id := e.enqueue(t, sms(1))
			if n, err := e.relay().RelayOnce(context.Background()); err != nil || n != 1 {
				t.Fatalf("relay = %d, %v", n, err)
			}
			a := e.worker("a")
			notify.SetCrash(a, func(p string) bool { return p == tc.point })
			err := a.Consume(context.Background(), notify.TopicSMS, "a-1")
			if !errors.Is(err, notify.ErrCrashed) {
				t.Fatalf("worker a: %v, want a crash at %s", err, tc.point)
			}
			// The entry is pending for the dead consumer.
			if _, pending, _ := e.queue.Depth(context.Background(), notify.TopicSMS); pending != 1 {
				t.Fatalf("pending entries after the crash = %d, want 1", pending)
			}
			start := time.Now()
			background(t, func(ctx context.Context) { _ = e.worker("b").Consume(ctx, notify.TopicSMS, "b-1") })
			e.waitStatus(t, 10*time.Second, notify.StatusSent, id)
			key := notify.IdempotencyKey(id)
			deadline := time.Now().Add(5 * time.Second)
			for {
				if n, p, _ := e.queue.Depth(context.Background(), notify.TopicSMS); n == 0 && p == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("entry never acknowledged by the second consumer")
				}
				time.Sleep(20 * time.Millisecond)
			}
			calls, effects := e.sms.counts(key)
			if effects != 1 || calls != tc.wantCalls {
				t.Fatalf("provider calls %d effects %d, want %d calls and 1 effect", calls, effects, tc.wantCalls)
			}
			if tc.point != notify.PointBeforeAck && time.Since(start) < e.cfg.VisibilityTimeout/2 {
				t.Fatalf("reclaimed after %s, before the visibility timeout", time.Since(start))
			}
		})
	}
}

func TestRedisFlushedWhileQueuedStillDeliversEachOnce(t *testing.T) {
	e := newEnv(t)
	var ids []int64
	for i := range 40 {
		ids = append(ids, e.enqueue(t, sms(i)))
	}
	// The relay moves them to the stream; one consumer takes some in hand
	// and dies; then Redis comes back empty.
	if n, err := e.relay().RelayOnce(context.Background()); err != nil || n != 40 {
		t.Fatalf("relay = %d, %v", n, err)
	}
	cfg := e.cfg
	e.cfg.BatchSize = 10
	a := e.worker("a")
	notify.SetCrash(a, func(p string) bool { return p == notify.PointAfterClaim })
	if err := a.Consume(context.Background(), notify.TopicSMS, "a-1"); !errors.Is(err, notify.ErrCrashed) {
		t.Fatal(err)
	}
	e.cfg = cfg
	flushNotifyKeys(t, e.redis)
	if n, _, _ := e.queue.Depth(context.Background(), notify.TopicSMS); n != 0 {
		t.Fatal("stream survived the flush")
	}
	e.runAll(t)
	e.waitStatus(t, 20*time.Second, notify.StatusSent, ids...)
	for _, id := range ids {
		calls, effects := e.sms.counts(notify.IdempotencyKey(id))
		if effects != 1 || calls != 1 {
			t.Fatalf("message %d: %d calls, %d effects", id, calls, effects)
		}
	}
	if n := e.sms.totalEffects(); n != 40 {
		t.Fatalf("%d messages delivered, want 40", n)
	}
}

func flushNotifyKeys(t *testing.T, r *kv.Redis) {
	t.Helper()
	ctx := context.Background()
	keys, err := r.Keys(ctx, r.Key("notify", "*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		if err := r.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestProviderFailingThreeTimesThenSucceedingDeliversOnce(t *testing.T) {
	e := newEnv(t)
	e.sms.setFail(func(key string, call int) error {
		if call <= 3 {
			return fmt.Errorf("carrier busy (call %d)", call)
		}
		return nil
	})
	id := e.enqueue(t, sms(1))
	e.runAll(t)
	e.waitStatus(t, 15*time.Second, notify.StatusSent, id)
	m := e.get(t, id)
	calls, effects := e.sms.counts(notify.IdempotencyKey(id))
	if m.Attempts != 4 || calls != 4 || effects != 1 {
		t.Fatalf("attempts %d, calls %d, effects %d; want 4, 4, 1", m.Attempts, calls, effects)
	}
	if m.LastError != "" || m.ProviderRef != "biz-"+notify.IdempotencyKey(id) || m.SentAt.IsZero() {
		t.Fatalf("sent row: %+v", m)
	}
	e.streamEmpty(t)
}

func TestAlwaysFailingMessageDiesVisibleAndRetryable(t *testing.T) {
	e := newEnv(t)
	e.cfg.MaxAttempts = 3
	e.sms.setFail(func(string, int) error { return errors.New("carrier down") })
	id := e.enqueue(t, sms(1))
	other := e.enqueue(t, sms(2))
	e.runAll(t)
	e.waitStatus(t, 15*time.Second, notify.StatusDead, id, other)
	m := e.get(t, id)
	if calls, _ := e.sms.counts(notify.IdempotencyKey(id)); m.Attempts != 3 || calls != 3 || m.LastError != "carrier down" {
		t.Fatalf("dead row attempts %d calls %d error %q", m.Attempts, calls, m.LastError)
	}

	ctx := context.Background()
	dead, total, err := e.svc.List(ctx, notify.Filter{Status: notify.StatusDead})
	if err != nil || total != 2 || dead[0].LastError != "carrier down" || dead[0].RecipientMasked != "138****0002" {
		t.Fatalf("dead list = %+v, %d, %v", dead, total, err)
	}
	if strings.Contains(dead[0].Summary, "张三") {
		t.Fatalf("staff summary shows the full name: %q", dead[0].Summary)
	}
	stats, err := e.svc.Stats(ctx)
	if err != nil || stats[0].Topic != notify.TopicSMS || stats[0].Dead != 2 {
		t.Fatalf("stats = %+v, %v", stats, err)
	}

	// An admin retries one after the carrier recovers.
	e.sms.setFail(nil)
	actx := reqctx.With(ctx, reqctx.Request{ID: "req-1", ClientIP: "127.0.0.1", Actor: &reqctx.Actor{UserID: 1, Kind: "staff", Role: "bureau_admin", Username: "admin"}})
	v, err := e.svc.Retry(actx, id)
	if err != nil || v.Status != notify.StatusPending || v.Attempts != 0 {
		t.Fatalf("retry = %+v, %v", v, err)
	}
	e.waitStatus(t, 10*time.Second, notify.StatusSent, id)
	if _, effects := e.sms.counts(notify.IdempotencyKey(id)); effects != 1 {
		t.Fatal("retried message not delivered once")
	}
	if _, err := e.svc.Retry(actx, id); !errors.Is(err, notify.ErrNotDead) {
		t.Fatalf("retrying a sent message: %v", err)
	}
	if _, err := e.svc.Retry(actx, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("retrying a missing message: %v", err)
	}
	recs, _, err := e.audit.List(ctx, audit.Filter{Action: "notify.retry"})
	if err != nil || len(recs) != 1 || recs[0].ActorName != "admin" || recs[0].TargetID != fmt.Sprint(id) {
		t.Fatalf("audit = %+v, %v", recs, err)
	}
	if got := e.get(t, other); got.Status != notify.StatusDead {
		t.Fatalf("the other dead message moved to %s without a retry", got.Status)
	}
}

func TestPermanentErrorDiesAtOnce(t *testing.T) {
	e := newEnv(t)
	e.sms.setFail(func(string, int) error { return notify.Permanent(errors.New("isv.MOBILE_NUMBER_ILLEGAL")) })
	id := e.enqueue(t, sms(1))
	e.runAll(t)
	e.waitStatus(t, 10*time.Second, notify.StatusDead, id)
	if m := e.get(t, id); m.Attempts != 1 {
		t.Fatalf("attempts %d, want 1", m.Attempts)
	}
}

func TestReminderIsNotSentBeforeItsTimeAndSoonAfter(t *testing.T) {
	e := newEnv(t)
	at := time.Now().Add(2 * time.Second)
	m := notify.SMS{Phone: "13900000001", Template: notify.TplExamReminder, DedupeKey: "booking:1:reminder", NotBefore: at, Urgent: true,
		Params: map[string]string{"name": "王五", "date": "11月24日", "time": "09:00", "centre": "漳州考点", "address": "漳州市芗城区某路1号"}}
	id := e.enqueue(t, m)
	e.runAll(t)
	for time.Now().Before(at.Add(-200 * time.Millisecond)) {
		if got := e.get(t, id); got.Status != notify.StatusPending {
			t.Fatalf("reminder is %s at %s, before its time %s", got.Status, time.Now().Format("15:04:05.000"), at.Format("15:04:05.000"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.waitStatus(t, 5*time.Second, notify.StatusSent, id)
	got := e.get(t, id)
	if got.SentAt.Before(at) {
		t.Fatalf("sent at %s, before %s", got.SentAt, at)
	}
	if d := got.SentAt.Sub(at); d > 3*time.Second {
		t.Fatalf("sent %s after its time", d)
	}
}

func TestPostalOrderGetsWaybillAndMailedSMS(t *testing.T) {
	e := newEnv(t)
	addr := notify.Address{Name: "赵六", Phone: "13700000007", Province: "福建省", City: "漳州市", County: "芗城区", Detail: "胜利路1号"}
	sender := notify.Address{Name: "漳州市交通运输局", Phone: "13600000000", Province: "福建省", City: "漳州市", County: "芗城区", Detail: "某路2号"}
	var id int64
	err := e.db.InTx(context.Background(), func(ctx context.Context) error {
		var err error
		id, err = e.outbox.EnqueuePostal(ctx, notify.PostalOrder{DedupeKey: "cert:17:post", CandidateID: 17, Sender: sender, Receiver: addr,
			Cargo: "出租汽车驾驶员从业资格证 x2", Reference: "cert:17", NotifyMailed: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.runAll(t)
	e.waitStatus(t, 10*time.Second, notify.StatusSent, id)
	m := e.get(t, id)
	if len(m.ProviderRef) != 13 {
		t.Fatalf("waybill %q", m.ProviderRef)
	}
	// The mailed SMS follows, with the waybill, once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, _, err := e.svc.List(context.Background(), notify.Filter{CandidateID: 17, Topic: notify.TopicSMS})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].Status == notify.StatusSent {
			if list[0].Template != notify.TplCertificateMailed || !strings.Contains(list[0].Summary, m.ProviderRef) {
				t.Fatalf("mailed SMS = %+v", list[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mailed SMS: %+v", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
	hist, total, err := e.svc.List(context.Background(), notify.Filter{Phone: "13700000007"})
	if err != nil || total != 2 || hist[0].RecipientMasked != "137****0007" {
		t.Fatalf("history by phone = %+v %d %v", hist, total, err)
	}
}

func TestVerificationCodeGoesThroughTheQueue(t *testing.T) {
	e := newEnv(t)
	if err := e.outbox.SendVerificationCode(context.Background(), "13812345678", "654321"); err != nil {
		t.Fatal(err)
	}
	if err := e.outbox.SendVerificationCode(context.Background(), "13812345678", "111111"); err != nil {
		t.Fatal(err)
	}
	list, _, err := e.svc.List(context.Background(), notify.Filter{Phone: "13812345678"})
	if err != nil || len(list) != 2 {
		t.Fatalf("codes = %+v, %v", list, err)
	}
	if strings.Contains(list[0].Summary, "111111") || strings.Contains(list[1].Summary, "654321") {
		t.Fatal("staff can read a verification code")
	}
	e.runAll(t)
	e.waitStatus(t, 10*time.Second, notify.StatusSent, list[0].ID, list[1].ID)
}

func TestQuietHoursHoldNonUrgentSMSButNotCodes(t *testing.T) {
	e := newEnv(t)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	q, _ := notify.ParseQuietHours("22:00", "08:00", sh)
	night := time.Date(2026, 11, 23, 23, 15, 0, 0, sh)
	ob := notify.NewOutbox(e.store, clock.NewFake(night), q)
	ctx := context.Background()
	late, err := ob.EnqueueSMS(ctx, sms(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.SendVerificationCode(ctx, "13800000009", "123456"); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, late).NotBefore; !got.Equal(time.Date(2026, 11, 24, 8, 0, 0, 0, sh)) {
		t.Fatalf("non-urgent SMS due %s, want 08:00 next morning", got.In(sh))
	}
	codes, _, _ := e.svc.List(ctx, notify.Filter{Phone: "13800000009"})
	if len(codes) != 1 || !codes[0].NotBefore.Equal(night) {
		t.Fatalf("code held: %+v", codes)
	}
}

// TestWithdrawnMessagesNeverGoOut: a scheduled reminder withdrawn while
// pending, and one withdrawn after the relay queued it (its stream entry
// is delivered later), are never sent; a sent message cannot be withdrawn.
func TestWithdrawnMessagesNeverGoOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	later := sms(1)
	later.NotBefore = time.Now().Add(24 * time.Hour)
	pending := e.enqueue(t, later)
	queued := e.enqueue(t, sms(2))
	if _, err := e.store.ClaimDue(ctx, time.Now(), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if e.get(t, queued).Status != notify.StatusQueued {
		t.Fatal("the relay did not queue the due message")
	}
	for _, key := range []string{later.DedupeKey, sms(2).DedupeKey} {
		if err := e.outbox.Withdraw(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{pending, queued} {
		if got := e.get(t, id).Status; got != notify.StatusWithdrawn {
			t.Fatalf("message %d is %s", id, got)
		}
	}
	if got, err := e.store.ClaimForSend(ctx, []int64{pending, queued}, time.Now(), time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("a worker claimed withdrawn messages: %v %v", got, err)
	}
	sent := e.enqueue(t, sms(3))
	e.runAll(t)
	e.waitStatus(t, 10*time.Second, notify.StatusSent, sent)
	if err := e.outbox.Withdraw(ctx, sms(3).DedupeKey); err != nil {
		t.Fatal(err)
	}
	if e.get(t, sent).Status != notify.StatusSent {
		t.Fatal("withdrawing a sent message changed it")
	}
	if calls, _ := e.sms.counts("examd-" + strconv.FormatInt(queued, 10)); calls != 0 {
		t.Fatalf("the withdrawn queued message was sent %d times", calls)
	}
}
