package cert_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"taxiexam/cert"
	"taxiexam/internal/notify"
	"taxiexam/internal/platform/apperr"
)

func issue(t *testing.T, e *env, ap cert.Applicant) cert.Delivery {
	t.Helper()
	e.apps.add(ap)
	if _, err := e.svc.IssueForQualified(context.Background(), qualify(ap, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.MyDeliveries(asCandidate(ap.CandidateID))
	if err != nil || len(list) != 1 {
		t.Fatalf("deliveries: %v, %v", list, err)
	}
	return list[0]
}

func templates(t *testing.T, e *env, candidate int64) map[string]int {
	out := map[string]int{}
	for _, m := range e.messages(t, notify.TopicSMS, candidate) {
		out[m.Template]++
	}
	return out
}

func TestPostalDelivery(t *testing.T) {
	e := newEnv(t)
	d := issue(t, e, applicant(1, cert.MethodPost, true, true))
	if d.Method != cert.MethodPost || d.Status != cert.DeliveryOrdered || d.OfficeID != 1 {
		t.Fatalf("delivery %+v", d)
	}
	clerkA, clerkB := as("window_clerk", 1), as("window_clerk", 2)
	list, total, err := e.svc.Parcels(clerkA, cert.DeliveryFilter{Status: []cert.DeliveryStatus{cert.DeliveryOrdered}})
	if err != nil || total != 1 || list[0].ID != d.ID {
		t.Fatalf("to send: %v %v", total, err)
	}
	if _, total, _ := e.svc.Parcels(clerkB, cert.DeliveryFilter{}); total != 0 {
		t.Fatalf("office 2 sees %d parcels of office 1", total)
	}
	sheet, err := e.svc.ParcelSheet(clerkA)
	if err != nil || !contains(sheet, "江头街道1号") {
		t.Fatalf("sheet: %v", err)
	}
	for name, tc := range map[string]struct {
		ctx     context.Context
		waybill string
		want    error
	}{
		"12 digits":    {clerkA, "123456789012", cert.ErrWaybillInvalid},
		"letters":      {clerkA, "12345678901AB", cert.ErrWaybillInvalid},
		"other office": {clerkB, "1234567890123", cert.ErrOtherOffice},
		"not a clerk":  {as("bureau_admin", 0), "1234567890123", apperr.ErrForbidden},
	} {
		if _, err := e.svc.EnterWaybill(tc.ctx, d.ID, tc.waybill); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if got, _ := e.svc.MyDeliveries(asCandidate(1)); got[0].Status != cert.DeliveryOrdered || got[0].Version != d.Version {
		t.Fatalf("a refused waybill changed the parcel: %+v", got[0])
	}
	sent, err := e.svc.EnterWaybill(clerkA, d.ID, " 1234567890123 ")
	if err != nil || sent.Status != cert.DeliveryDispatched || sent.Waybill != "1234567890123" {
		t.Fatalf("waybill: %+v, %v", sent, err)
	}
	if n := templates(t, e, 1)[notify.TplCertificateMailed]; n != 1 {
		t.Fatalf("%d mailed SMS", n)
	}
	if _, err := e.svc.ChangeDelivery(asCandidate(1), d.ID, cert.DeliveryChoice{Method: cert.MethodPickup, OfficeID: 2, Version: sent.Version}); !errors.Is(err, cert.ErrDeliveryFixed) {
		t.Fatalf("change after dispatch: %v", err)
	}
	// A second parcel cannot reuse the waybill.
	d2 := issue(t, e, applicant(2, cert.MethodPost, true, true))
	if _, err := e.svc.EnterWaybill(clerkA, d2.ID, "1234567890123"); !errors.Is(err, cert.ErrWaybillTaken) {
		t.Fatalf("reused waybill: %v", err)
	}
	// Returned: it goes to the window and the candidate is told.
	back, err := e.svc.MarkReturned(clerkA, d.ID)
	if err != nil || back.Status != cert.DeliveryAtOffice || !back.Returned {
		t.Fatalf("returned: %+v, %v", back, err)
	}
	if n := templates(t, e, 1)[notify.TplCertificateReturned]; n != 1 {
		t.Fatalf("%d returned SMS", n)
	}
	// China Post adapter: the carrier's waybill dispatches the parcel.
	if err := e.svc.PostalOrdered(context.Background(), cert.DeliveryReference(d2.ID), "9876543210987"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.MyDeliveries(asCandidate(2)); got[0].Status != cert.DeliveryDispatched || got[0].Waybill != "9876543210987" {
		t.Fatalf("carrier waybill: %+v", got[0])
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func TestPickupAndChange(t *testing.T) {
	e := newEnv(t)
	ap := applicant(1, cert.MethodPickup, true, true)
	d := issue(t, e, ap)
	if d.Status != cert.DeliveryPreparing || d.OfficeID != 2 {
		t.Fatalf("delivery %+v", d)
	}
	// The candidate switches to post, then back to pick-up at office 1.
	r := ap.Receiver
	posted, err := e.svc.ChangeDelivery(asCandidate(1), d.ID, cert.DeliveryChoice{Method: cert.MethodPost, Receiver: r, Version: d.Version})
	if err != nil || posted.Method != cert.MethodPost || posted.Status != cert.DeliveryOrdered {
		t.Fatalf("to post: %+v, %v", posted, err)
	}
	if n := len(e.messages(t, notify.TopicPostal, 1)); n != 1 {
		t.Fatalf("%d postal orders", n)
	}
	if _, err := e.svc.ChangeDelivery(asCandidate(1), d.ID, cert.DeliveryChoice{Method: cert.MethodPickup, OfficeID: 1, Version: d.Version}); !errors.Is(err, apperr.ErrVersionConflict) {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := e.svc.ChangeDelivery(asCandidate(2), d.ID, cert.DeliveryChoice{Method: cert.MethodPickup, OfficeID: 1, Version: posted.Version}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("someone else's parcel: %v", err)
	}
	if _, err := e.svc.ChangeDelivery(asCandidate(1), d.ID, cert.DeliveryChoice{Method: cert.MethodPickup, OfficeID: 9, Version: posted.Version}); !errors.Is(err, cert.ErrOfficeRequired) {
		t.Fatalf("unknown office: %v", err)
	}
	d, err = e.svc.ChangeDelivery(asCandidate(1), d.ID, cert.DeliveryChoice{Method: cert.MethodPickup, OfficeID: 1, Version: posted.Version})
	if err != nil || d.OfficeID != 1 || d.Status != cert.DeliveryPreparing {
		t.Fatalf("back to pick-up: %+v, %v", d, err)
	}
	clerkA, clerkB := as("window_clerk", 1), as("window_clerk", 2)
	if _, err := e.svc.MarkArrived(clerkB, d.ID); !errors.Is(err, cert.ErrOtherOffice) {
		t.Fatalf("other office arrived: %v", err)
	}
	if _, err := e.svc.HandOverParcel(clerkA, d.ID, cert.HandOver{IDNumber: ap.IDNumber}); !errors.Is(err, cert.ErrDeliveryState) {
		t.Fatalf("hand-over before arrival: %v", err)
	}
	if _, err := e.svc.MarkArrived(clerkA, d.ID); err != nil {
		t.Fatal(err)
	}
	if n := templates(t, e, 1)[notify.TplReadyForPickup]; n != 1 {
		t.Fatalf("%d ready SMS", n)
	}
	found, err := e.svc.FindForPickup(clerkA, ap.IDNumber)
	if err != nil || len(found) != 1 {
		t.Fatalf("find: %v, %v", found, err)
	}
	if found, _ := e.svc.FindForPickup(clerkB, ap.IDNumber); len(found) != 0 {
		t.Fatal("office 2 finds office 1's parcel")
	}
	for name, h := range map[string]cert.HandOver{
		"wrong number":          {IDNumber: idNumber(2)},
		"last digits, no photo": {IDNumber: ap.IDNumber[14:]},
		"proxy without reason":  {IDNumber: ap.IDNumber, Proxy: true, ProxyName: "李四"},
		"wrong last digits":     {IDNumber: "0000", PhotoChecked: true},
	} {
		if _, err := e.svc.HandOverParcel(clerkA, d.ID, h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := e.svc.HandOverParcel(clerkB, d.ID, cert.HandOver{IDNumber: ap.IDNumber}); !errors.Is(err, cert.ErrOtherOffice) {
		t.Fatalf("other office hand-over: %v", err)
	}
	done, err := e.svc.HandOverParcel(clerkA, d.ID, cert.HandOver{IDNumber: ap.IDNumber[14:], PhotoChecked: true, Proxy: true, ProxyName: "王大明", ProxyReason: "本人住院，持委托书"})
	if err != nil || done.Status != cert.DeliveryCollected || done.CollectedBy != "王大明" || !done.Proxy || done.HandedOverBy != 7 {
		t.Fatalf("hand-over: %+v, %v", done, err)
	}
	if _, err := e.svc.HandOverParcel(clerkA, d.ID, cert.HandOver{IDNumber: ap.IDNumber}); !errors.Is(err, cert.ErrAlreadyCollected) {
		t.Fatalf("second hand-over: %v", err)
	}
	if list, _, _ := e.audit.List(context.Background(), auditFilter("cert.delivery.handover")); len(list) != 1 {
		t.Fatalf("%d hand-over audit entries", len(list))
	}
}

// TestReplacementReachesTheHolder: a new version rides in the parcel that
// has not left yet; once it has, the new one gets a parcel of its own the
// way the last one went (post: a new postal order; a window: that window);
// every revoke, replacement and reissue is told by SMS.
func TestReplacementReachesTheHolder(t *testing.T) {
	e := newEnv(t)
	admin, clerk1, clerk2 := as("bureau_admin", 0), as("window_clerk", 1), as("window_clerk", 2)
	first := issue(t, e, applicant(1, cert.MethodPost, true, true))
	cardsOf := func(ctx context.Context, parcel int64) []cert.Kind {
		t.Helper()
		_, cards, err := e.svc.Parcel(ctx, parcel)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []cert.Kind
		for _, c := range cards {
			kinds = append(kinds, c.Kind)
		}
		return kinds
	}
	kindOf := func(candidate int64, k cert.Kind) cert.Card {
		t.Helper()
		cards, _ := e.svc.MyCertificates(asCandidate(candidate))
		for _, c := range cards {
			if c.Kind == k && c.Live == cert.StatusValid {
				return c
			}
		}
		t.Fatalf("no valid %s", k)
		return cert.Card{}
	}

	// Not sent yet: the replacement rides in the first parcel.
	if _, err := e.svc.Replace(admin, kindOf(1, cert.KindTaxi).ID, "持证人遗失"); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.svc.MyDeliveries(asCandidate(1)); len(list) != 1 {
		t.Fatalf("%d parcels before dispatch", len(list))
	}
	if got := cardsOf(clerk1, first.ID); len(got) != 2 {
		t.Fatalf("first parcel carries %v", got)
	}
	// Sent: a reissue after that goes in a parcel of its own, by post.
	if _, err := e.svc.EnterWaybill(clerk1, first.ID, "1234567890123"); err != nil {
		t.Fatal(err)
	}
	ride := kindOf(1, cert.KindRideHailing)
	fixed, err := e.svc.Reissue(admin, ride.ID, "更正姓名", cert.Correction{Name: "王晓明"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := e.svc.MyDeliveries(asCandidate(1))
	if len(list) != 2 {
		t.Fatalf("%d parcels after a reissue once sent", len(list))
	}
	own := list[1]
	if own.CertificateID != fixed.ID || own.Method != cert.MethodPost || own.Status != cert.DeliveryOrdered || own.HolderName != "王晓明" {
		t.Fatalf("the reissue's parcel: %+v", own)
	}
	if got := cardsOf(clerk1, own.ID); len(got) != 1 || got[0] != cert.KindRideHailing {
		t.Fatalf("own parcel carries %v", got)
	}
	if got := cardsOf(clerk1, first.ID); len(got) != 1 || got[0] != cert.KindTaxi {
		t.Fatalf("first parcel now lists %v", got)
	}
	if n := len(e.messages(t, notify.TopicPostal, 1)); n != 2 {
		t.Fatalf("%d postal orders", n)
	}
	// Revoked: no parcel, an SMS.
	if _, err := e.svc.Revoke(admin, fixed.ID, "以欺骗手段取得"); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.svc.MyDeliveries(asCandidate(1)); len(list) != 2 {
		t.Fatalf("%d parcels after a revocation", len(list))
	}
	sms := templates(t, e, 1)
	if sms[notify.TplCertificateReplaced] != 2 || sms[notify.TplCertificateRevoked] != 1 {
		t.Fatalf("SMS %v", sms)
	}

	// A window parcel that has reached the window: the replacement waits
	// at the same window in a parcel of its own.
	d := issue(t, e, applicant(2, cert.MethodPickup, true, false))
	if _, err := e.svc.MarkArrived(clerk2, d.ID); err != nil {
		t.Fatal(err)
	}
	next, err := e.svc.Replace(admin, kindOf(2, cert.KindTaxi).ID, "持证人遗失")
	if err != nil {
		t.Fatal(err)
	}
	list, _ = e.svc.MyDeliveries(asCandidate(2))
	if len(list) != 2 || list[1].Method != cert.MethodPickup || list[1].OfficeID != 2 || list[1].Status != cert.DeliveryPreparing || list[1].CertificateID != next.ID {
		t.Fatalf("pick-up replacement: %+v", list)
	}
}
