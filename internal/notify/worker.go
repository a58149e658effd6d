package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"taxiexam/internal/platform/clock"
)

// WorkerDeps are what a worker needs.
type WorkerDeps struct {
	Store    Store
	Queue    Queue
	Tx       Transactor
	Clock    clock.Clock
	Config   Config
	SMS      SMSProvider
	Postal   PostalProvider
	Listener PostalListener // optional
	// Outbox enqueues the certificate_mailed SMS after a postal order.
	Outbox   *Outbox
	Observer Observer
	Log      *slog.Logger
	// Name prefixes this node's consumer names (default host-pid-random).
	Name string
}

// Worker consumes the topic streams: it claims each message in the
// database, calls the provider with the outbox id as idempotency key,
// records the outcome, and only then acknowledges the stream entry. A
// consumer that dies at any point leaves its entries pending in the group;
// another consumer reclaims them after the visibility timeout, and the
// database claim decides whether there is still anything to do.
type Worker struct {
	d   WorkerDeps
	cfg Config
	obs Observer
	log *slog.Logger

	// crash is a test hook: when it returns true at a point, the consumer
	// stops dead there, as if the process had been killed.
	crash func(point string) bool
}

// Crash points (tests).
const (
	pointAfterClaim = "after_claim"
	pointAfterSend  = "after_send"
	pointBeforeAck  = "before_ack"
)

var errCrashed = errors.New("notify: consumer crashed (test)")

// NewWorker wires a worker.
func NewWorker(d WorkerDeps) *Worker {
	w := &Worker{d: d, cfg: d.Config.withDefaults(), obs: d.Observer, log: d.Log}
	if w.obs == nil {
		w.obs = nopObserver{}
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.d.Name == "" {
		host, _ := os.Hostname()
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		w.d.Name = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return w
}

// Run consumes every topic with cfg.Consumers consumers each until ctx
// ends; messages in hand are finished and acknowledged before it returns.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(Topics)*w.cfg.Consumers)
	for _, topic := range Topics {
		for i := 0; i < w.cfg.Consumers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.Consume(ctx, topic, fmt.Sprintf("%s-%d", w.d.Name, i)); err != nil && !errors.Is(err, context.Canceled) {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	return errors.Join(func() []error {
		var out []error
		for e := range errs {
			out = append(out, e)
		}
		return out
	}()...)
}

// Consume runs one consumer of topic until ctx ends.
func (w *Worker) Consume(ctx context.Context, topic, consumer string) error {
	for {
		err := w.d.Queue.EnsureGroup(ctx, topic)
		if err == nil {
			break
		}
		w.log.WarnContext(ctx, "notify: cannot create consumer group", "topic", topic, "err", err)
		if !sleep(ctx, time.Second) {
			return ctx.Err()
		}
	}
	reclaimEvery := max(w.cfg.VisibilityTimeout/4, 50*time.Millisecond)
	nextReclaim := time.Now()
	block := min(time.Second, max(w.cfg.VisibilityTimeout/4, 50*time.Millisecond))
	for ctx.Err() == nil {
		if time.Now().After(nextReclaim) {
			ds, err := w.d.Queue.Reclaim(ctx, topic, consumer, w.cfg.VisibilityTimeout, w.cfg.BatchSize)
			if err == nil && len(ds) > 0 {
				err = w.process(ctx, topic, ds)
			}
			if errors.Is(err, errCrashed) {
				return err
			}
			if err != nil && ctx.Err() == nil {
				w.log.WarnContext(ctx, "notify: reclaim failed", "topic", topic, "err", err)
			}
			nextReclaim = time.Now().Add(reclaimEvery)
		}
		ds, err := w.d.Queue.Read(ctx, topic, consumer, w.cfg.BatchSize, block)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			w.log.WarnContext(ctx, "notify: read failed", "topic", topic, "err", err)
			sleep(ctx, 500*time.Millisecond)
			continue
		}
		if len(ds) == 0 {
			continue
		}
		if err := w.process(ctx, topic, ds); err != nil {
			if errors.Is(err, errCrashed) {
				return err
			}
			w.log.WarnContext(ctx, "notify: batch failed; its entries will be reclaimed", "topic", topic, "err", err)
		}
	}
	return ctx.Err()
}

// outcome of one send.
type outcome struct {
	msg     Message
	ref     string
	err     error
	holdTil time.Time // quiet hours: not sent, held until then
	mailed  *SMS      // postal: the SMS to enqueue with the waybill
}

// process handles one batch of deliveries. It does not return early on
// shutdown: once messages are claimed they are sent, recorded and acked
// on a context detached from ctx (bounded by SendTimeout).
func (w *Worker) process(ctx context.Context, topic string, ds []Delivery) error {
	ids := make([]int64, 0, len(ds))
	seen := make(map[int64]bool, len(ds))
	entries := make([]string, len(ds))
	for i, d := range ds {
		entries[i] = d.EntryID
		if d.MessageID > 0 && !seen[d.MessageID] {
			seen[d.MessageID] = true
			ids = append(ids, d.MessageID)
		}
	}
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.SendTimeout+10*time.Second)
	defer cancel()

	var claimed []Message
	if len(ids) > 0 {
		var err error
		claimed, err = w.d.Store.ClaimForSend(work, ids, w.d.Clock.Now().UTC(), w.cfg.VisibilityTimeout)
		if err != nil {
			return err // entries stay pending in the group and are reclaimed
		}
	}
	if w.crashed(pointAfterClaim) {
		return errCrashed
	}

	results := make([]outcome, len(claimed))
	sem := make(chan struct{}, w.cfg.SendConcurrency)
	var wg sync.WaitGroup
	for i, m := range claimed {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			sctx, cancel := context.WithTimeout(work, w.cfg.SendTimeout)
			defer cancel()
			results[i] = w.send(sctx, m)
		}()
	}
	wg.Wait()
	if w.crashed(pointAfterSend) {
		return errCrashed
	}

	if err := w.record(work, results); err != nil {
		return err // not acked: reclaimed later, the provider dedupes the resend
	}
	if w.crashed(pointBeforeAck) {
		return errCrashed
	}
	return w.d.Queue.Ack(work, topic, entries)
}

func (w *Worker) crashed(point string) bool { return w.crash != nil && w.crash(point) }

// IdempotencyKey is the key providers receive for an outbox message.
func IdempotencyKey(id int64) string { return "examd-" + strconv.FormatInt(id, 10) }

var waybillRE = regexp.MustCompile(`^\d{13}$`)

func (w *Worker) send(ctx context.Context, m Message) (out outcome) {
	out.msg = m
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("provider panic: %v", r)
		}
	}()
	switch m.Topic {
	case TopicSMS:
		var p smsPayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			out.err = Permanent(fmt.Errorf("bad payload: %w", err))
			return
		}
		tpl, ok := TemplateByCode(p.Template)
		if !ok {
			out.err = Permanent(fmt.Errorf("unknown template %q", p.Template))
			return
		}
		if !m.Urgent {
			now := w.d.Clock.Now()
			if until := w.cfg.Quiet.Release(now); until.After(now) {
				out.holdTil = until
				return
			}
		}
		if w.d.SMS == nil {
			out.err = errors.New("no SMS provider configured")
			return
		}
		out.ref, out.err = w.d.SMS.SendSMS(ctx, SMSRequest{IdempotencyKey: IdempotencyKey(m.ID), Phone: p.Phone, Template: tpl, Params: p.Params, Signature: w.cfg.Signature})
	case TopicPostal:
		var p postalPayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			out.err = Permanent(fmt.Errorf("bad payload: %w", err))
			return
		}
		if w.d.Postal == nil {
			out.err = errors.New("no postal provider configured")
			return
		}
		waybill, err := w.d.Postal.CreateOrder(ctx, IdempotencyKey(m.ID), p.Order)
		if err == nil && waybill != "" && !waybillRE.MatchString(waybill) {
			err = fmt.Errorf("carrier returned waybill %q, want 13 digits", waybill)
		}
		out.ref, out.err = waybill, err
		if err == nil && waybill != "" && p.Order.NotifyMailed {
			out.mailed = &SMS{Phone: p.Order.Receiver.Phone, Template: TplCertificateMailed, CandidateID: p.Order.CandidateID,
				Params:    map[string]string{"name": p.Order.Receiver.Name, "waybill": waybill},
				DedupeKey: fmt.Sprintf("postal:%d:mailed", m.ID)}
		}
	default:
		out.err = Permanent(fmt.Errorf("unknown topic %q", m.Topic))
	}
	return out
}

const maxErrText = 500

func errText(err error) string {
	s := err.Error()
	if len(s) > maxErrText {
		s = s[:maxErrText]
	}
	return s
}

// record writes every outcome. SMS successes go in one statement; postal
// successes each in a transaction with their follow-ups (listener, mailed SMS).
func (w *Worker) record(ctx context.Context, results []outcome) error {
	now := w.d.Clock.Now().UTC()
	var sent []Sent
	var sentTopics []string
	var errs []error
	for _, o := range results {
		m := o.msg
		switch {
		case !o.holdTil.IsZero():
			errs = append(errs, w.d.Store.Hold(ctx, m.ID, o.holdTil.UTC()))
		case o.err == nil && (o.mailed != nil || (m.Topic == TopicPostal && w.d.Listener != nil)):
			err := w.d.Tx.InTx(ctx, func(ctx context.Context) error {
				if err := w.d.Store.MarkSent(ctx, []Sent{{ID: m.ID, Ref: o.ref}}, now); err != nil {
					return err
				}
				if w.d.Listener != nil && o.ref != "" {
					var p postalPayload
					if err := json.Unmarshal(m.Payload, &p); err == nil && p.Order.Reference != "" {
						if err := w.d.Listener.PostalOrdered(ctx, p.Order.Reference, o.ref); err != nil {
							return err
						}
					}
				}
				if o.mailed != nil && w.d.Outbox != nil {
					if _, err := w.d.Outbox.EnqueueSMS(ctx, *o.mailed); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				errs = append(errs, err)
				continue
			}
			w.obs.Sent(m.Topic)
		case o.err == nil:
			sent = append(sent, Sent{ID: m.ID, Ref: o.ref})
			sentTopics = append(sentTopics, m.Topic)
		default:
			w.obs.Failed(m.Topic)
			if IsPermanent(o.err) || m.Attempts >= w.cfg.MaxAttempts {
				errs = append(errs, w.d.Store.MarkDead(ctx, m.ID, errText(o.err)))
				w.obs.Dead(m.Topic)
				w.log.WarnContext(ctx, "notify: message dead", "id", m.ID, "topic", m.Topic, "attempts", m.Attempts, "err", o.err)
			} else {
				errs = append(errs, w.d.Store.MarkRetry(ctx, m.ID, now.Add(w.cfg.Backoff(m.Attempts)), errText(o.err)))
			}
		}
	}
	if len(sent) > 0 {
		if err := w.d.Store.MarkSent(ctx, sent, now); err != nil {
			errs = append(errs, err)
		} else {
			for _, t := range sentTopics {
				w.obs.Sent(t)
			}
		}
	}
	return errors.Join(errs...)
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
