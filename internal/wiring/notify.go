package wiring

import (
	"context"
	"fmt"

	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/notify/notifykv"
	"taxiexam/internal/notify/notifyprom"
	"taxiexam/internal/notify/providers"
)

// assembleNotify builds the notification queue: the outbox every service
// enqueues into (a.outbox), the admin service, the relay and the workers
// (both run on every node), the providers chosen by the configuration, and
// the queue's Prometheus metrics.
func (a *App) assembleNotify() error {
	cfg := a.cfg
	quiet, err := notify.ParseQuietHours(cfg.SMS.QuietStart, cfg.SMS.QuietEnd, cfg.Location)
	if err != nil {
		return fmt.Errorf("setting sms.quiet_start/quiet_end: %w", err)
	}
	var sms notify.SMSProvider
	switch cfg.SMS.Provider {
	case "aliyun":
		p, err := providers.NewAliyunSMS(providers.AliyunConfig{Endpoint: cfg.SMS.Aliyun.Endpoint, RegionID: cfg.SMS.Aliyun.Region,
			AccessKeyID: cfg.SMS.Aliyun.AccessKeyID, AccessKeySecret: cfg.SMS.Aliyun.AccessKeySecret, Templates: cfg.SMS.Aliyun.Templates}, nil)
		if err != nil {
			return err
		}
		sms = p
	default:
		sms = providers.LogSMS{Log: a.log}
	}
	var postal notify.PostalProvider
	switch cfg.Postal.Provider {
	case "chinapost":
		p, err := providers.NewChinaPost(providers.ChinaPostConfig{Endpoint: cfg.Postal.ChinaPost.Endpoint, PartnerID: cfg.Postal.ChinaPost.PartnerID,
			SecretKey: cfg.Postal.ChinaPost.SecretKey}, nil)
		if err != nil {
			return err
		}
		postal = p
	default:
		postal = providers.ManualPostal{Log: a.log}
	}

	n := cfg.Notify
	qcfg := notify.Config{MaxAttempts: n.MaxAttempts, BackoffBase: n.BackoffBase, BackoffMax: n.BackoffMax, SendTimeout: n.SendTimeout,
		VisibilityTimeout: n.VisibilityTimeout, RequeueAfter: n.RequeueAfter, RelayInterval: n.RelayInterval, BatchSize: n.BatchSize,
		Consumers: n.Consumers, Signature: cfg.SMS.Signature, Quiet: quiet}
	store := notifydb.New(a.db, a.pii)
	queue := notifykv.New(a.redis)
	a.outbox = notify.NewOutbox(store, a.clock, quiet)
	a.notify = notify.NewService(store, queue, a.db, a.audit, a.clock)
	metrics := notifyprom.New(a.notify.Stats)
	if err := a.registry.Register(metrics); err != nil {
		return fmt.Errorf("notify metrics: %w", err)
	}
	relay := notify.NewRelay(store, queue, a.clock, qcfg, metrics, a.log)
	w := notify.NewWorker(notify.WorkerDeps{Store: store, Queue: queue, Tx: a.db, Clock: a.clock, Config: qcfg, SMS: sms, Postal: postal,
		Listener: postalListenerFunc(a.postalOrdered), Outbox: a.outbox, Observer: metrics, Log: a.log})
	a.workers = append(a.workers,
		worker{name: "notify-relay", run: func(ctx context.Context) error { return relay.Run(ctx) }},
		worker{name: "notify-workers", run: func(ctx context.Context) error { return w.Run(ctx) }},
	)
	return nil
}
