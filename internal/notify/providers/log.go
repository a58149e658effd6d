// Package providers holds the SMS and postal providers of the queue: log
// and manual ones for the embedded default, and HTTP clients for Aliyun
// SMS (SendSms with RPC signature v1) and a China Post order interface.
package providers

import (
	"context"
	"log/slog"
	"sort"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/pii"
)

// LogSMS writes each SMS to the log instead of sending it (embedded
// default). The line is the contract the browser tests read codes from:
//
//	msg="sms sent" provider=log to=138****8000 template=verification_code code=123456 text="..."
//
// Phones and names are masked as on staff screens; the login code is the
// one value logged in full (the embedded default has no real SMS).
type LogSMS struct{ Log *slog.Logger }

func (p LogSMS) SendSMS(ctx context.Context, r notify.SMSRequest) (string, error) {
	attrs := []any{"provider", "log", "to", pii.MaskPhone(r.Phone), "template", r.Template.Code}
	params := make(map[string]string, len(r.Params))
	for k, v := range r.Params {
		params[k] = v
	}
	for _, v := range r.Template.Vars {
		if v.Kind == notify.VarName {
			params[v.Name] = pii.MaskName(params[v.Name])
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "provider" || k == "to" || k == "template" || k == "text" || k == "id" {
			continue
		}
		attrs = append(attrs, k, params[k])
	}
	text := r.Template.Render(params)
	if r.Signature != "" {
		text = "【" + r.Signature + "】" + text
	}
	attrs = append(attrs, "text", text, "id", r.IdempotencyKey)
	p.Log.InfoContext(ctx, "sms sent", attrs...)
	return "log:" + r.IdempotencyKey, nil
}

// ManualPostal records postal orders in the log for staff to hand to the
// post office themselves; no waybill comes back (it is entered when the
// parcel is handed over), so no certificate_mailed SMS is sent by the queue.
type ManualPostal struct{ Log *slog.Logger }

func (p ManualPostal) CreateOrder(ctx context.Context, key string, o notify.PostalOrder) (string, error) {
	r := o.Receiver
	p.Log.InfoContext(ctx, "postal order recorded for manual handling", "provider", "manual", "id", key, "reference", o.Reference,
		"receiver", pii.MaskName(r.Name), "to", pii.MaskPhone(r.Phone), "destination", r.Province+r.City+r.County, "cargo", o.Cargo)
	return "", nil
}
