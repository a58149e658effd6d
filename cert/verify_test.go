package cert_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/internal/platform/signing"
	"taxiexam/internal/platform/testenv"
)

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	i := strings.Index(url, cert.VerifyPath)
	if i < 0 {
		t.Fatalf("verify URL %q", url)
	}
	return url[i+len(cert.VerifyPath):]
}

func issueOne(t *testing.T, e *env, n int) cert.Card {
	t.Helper()
	ap := applicant(n, cert.MethodPickup, true, true)
	e.apps.add(ap)
	if _, err := e.svc.IssueForQualified(context.Background(), qualify(ap, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	cards, err := e.svc.MyCertificates(asCandidate(ap.CandidateID))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.Kind == cert.KindTaxi {
			return c
		}
	}
	t.Fatal("no taxi certificate")
	return cert.Card{}
}

func TestVerify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card := issueOne(t, e, 1)
	token := tokenOf(t, card.VerifyURL)
	if len(card.VerifyURL) > 260 {
		t.Errorf("verify URL is %d characters; the QR code gets dense", len(card.VerifyURL))
	}
	v, err := e.svc.Verify(ctx, token)
	if err != nil || !v.Genuine || v.Status != cert.StatusValid || v.Claims.Holder != "王**" || v.Claims.CertificateID != card.ID {
		t.Fatalf("genuine token: %+v, %v", v, err)
	}
	if v, err := e.svc.Verify(ctx, card.VerifyURL); err != nil || !v.Genuine {
		t.Fatalf("the whole URL: %v", err)
	}

	other, _ := signing.New("t1:" + signing.NewSeed()) // same key id, another key: a forger's
	msg, _, _ := strings.Cut(token, ".")
	forged := cert.SignToken(other, cert.Claims{CertificateID: card.ID, Kind: cert.KindTaxi, Holder: "王**", IDNumber: card.MaskedIDNumber,
		IssuedOn: card.IssuedOn, ExpiresOn: card.ExpiresOn, Version: 1})
	flip := []byte(token)
	flip[5] ^= 1
	for name, bad := range map[string]string{
		"altered":           string(flip),
		"truncated":         token[:len(token)-4],
		"signature removed": msg + ".t1.",
		"forged":            forged,
		"garbage":           "%%%",
		"empty":             "",
		"huge":              strings.Repeat("A", 5000),
		"message only":      msg,
		"key id only":       ".t1.",
	} {
		if _, err := e.svc.Verify(ctx, bad); !errors.Is(err, cert.ErrNotGenuine) {
			t.Errorf("%s: %v, want not genuine", name, err)
		}
	}

	// A genuine signature on claims that do not match the record (a token
	// signed for another version or kind) is not genuine either.
	wrong := cert.SignToken(e.signer, cert.Claims{CertificateID: card.ID, Kind: cert.KindRideHailing, Holder: "王**", IDNumber: card.MaskedIDNumber,
		IssuedOn: card.IssuedOn, ExpiresOn: card.ExpiresOn, Version: 1})
	if _, err := e.svc.Verify(ctx, wrong); !errors.Is(err, cert.ErrNotGenuine) {
		t.Errorf("mismatched claims: %v", err)
	}
	missing := cert.SignToken(e.signer, cert.Claims{CertificateID: 99999, Kind: cert.KindTaxi, Holder: "王**", IDNumber: card.MaskedIDNumber,
		IssuedOn: card.IssuedOn, ExpiresOn: card.ExpiresOn, Version: 1})
	if _, err := e.svc.Verify(ctx, missing); !errors.Is(err, cert.ErrNotGenuine) {
		t.Errorf("unknown certificate: %v", err)
	}

	// Expired: the same genuine token after the validity.
	e.clock.Advance(6*365*24*3600e9 + 3*24*3600e9)
	if v, err := e.svc.Verify(ctx, token); err != nil || v.Status != cert.StatusExpired {
		t.Fatalf("after expiry: %+v, %v", v.Status, err)
	}
}

func TestSM2Tokens(t *testing.T) {
	ring, err := signing.New("g1:sm2:" + signing.NewSeed() + ",t0:" + signing.NewSeed())
	if err != nil {
		t.Fatal(err)
	}
	c := cert.Claims{CertificateID: 7, Kind: cert.KindRideHailing, Holder: "李*", IDNumber: "3502**********1234", Version: 2}
	tok := cert.SignToken(ring, c)
	if !strings.Contains(tok, ".g1.") {
		t.Fatalf("token %q not signed by the SM2 key", tok)
	}
	got, err := cert.VerifyToken(ring, tok)
	if err != nil || got.CertificateID != 7 || got.Kind != cert.KindRideHailing || got.Version != 2 {
		t.Fatalf("%+v, %v", got, err)
	}
	b := []byte(tok)
	b[3] ^= 2
	if _, err := cert.VerifyToken(ring, string(b)); !errors.Is(err, cert.ErrNotGenuine) {
		t.Fatalf("altered SM2 token: %v", err)
	}
}

func TestRevokeReplaceReissue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := as("bureau_admin", 0)
	card := issueOne(t, e, 1)
	oldToken := tokenOf(t, card.VerifyURL)

	if _, err := e.svc.Revoke(admin, card.ID, " "); !errors.Is(err, cert.ErrReasonRequired) {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := e.svc.Revoke(as("window_clerk", 1), card.ID, "x"); err == nil {
		t.Fatal("a clerk revoked a certificate")
	}
	next, err := e.svc.Replace(admin, card.ID, "持证人遗失")
	if err != nil {
		t.Fatal(err)
	}
	if next.Version != 2 || next.ID == card.ID || next.Live != cert.StatusValid || next.LicenceID == card.LicenceID || !cert.ValidLicenceID(next.LicenceID) {
		t.Fatalf("replacement %+v", next)
	}
	if v, err := e.svc.Verify(ctx, oldToken); err != nil || v.Status != cert.StatusReplaced {
		t.Fatalf("old token after replacement: %+v, %v", v.Status, err)
	}
	if _, err := e.svc.Replace(admin, card.ID, "again"); !errors.Is(err, cert.ErrNotValid) {
		t.Fatalf("replacing a replaced one: %v", err)
	}
	if _, err := e.svc.Reissue(admin, next.ID, "更正姓名", cert.Correction{IDNumber: "350203199001000010"}); err == nil {
		t.Fatal("a bad corrected ID number was accepted")
	}
	fixed, err := e.svc.Reissue(admin, next.ID, "更正姓名", cert.Correction{Name: "王晓明"})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Version != 3 || fixed.HolderName != "王晓明" || !fixed.ExpiresOn.Equal(card.ExpiresOn) {
		t.Fatalf("reissue %+v", fixed)
	}
	revoked, err := e.svc.Revoke(admin, fixed.ID, "以欺骗手段取得")
	if err != nil || revoked.Status != cert.StatusRevoked {
		t.Fatalf("revoke: %+v, %v", revoked.Status, err)
	}
	if v, err := e.svc.Verify(ctx, tokenOf(t, fixed.VerifyURL)); err != nil || v.Status != cert.StatusRevoked {
		t.Fatalf("revoked token: %+v, %v", v.Status, err)
	}
	d, err := e.svc.Certificate(admin, card.ID)
	if err != nil || len(d.Events) != 2 || d.Events[0].Action != cert.ActionIssued || d.Events[1].Action != cert.ActionReplaced || d.ReplacedBy != next.ID {
		t.Fatalf("history %+v, %v", d, err)
	}
	// A revoked lineage frees the "one valid per kind" key, but the same
	// qualification reported again issues nothing: the lineage key holds.
	ap, _ := e.apps.Applicant(ctx, card.ApplicationID)
	again, err := e.svc.IssueForQualified(ctx, qualify(ap, e.clock.Now()))
	if err != nil || len(again) != 4 {
		t.Fatalf("reported again: %d certificates, %v", len(again), err)
	}
	if list, _, _ := e.audit.List(ctx, auditFilter("cert.replaced")); len(list) != 1 {
		t.Fatalf("%d audit entries for the replacement", len(list))
	}
}

// TestVerifyIndexFollowsOtherNodes: node 2 answers from its index; node 1
// revokes; node 2's next sync shows "revoked".
func TestVerifyIndexFollowsOtherNodes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card := issueOne(t, e, 1)
	token := tokenOf(t, card.VerifyURL)
	second := node(testenv.SecondNode(t, e.db), e.pii, e.apps, e.signer, e.clock)
	run, stop := context.WithCancel(ctx)
	defer stop()
	go second.RunVerifyIndex(run, 20*time.Millisecond) //nolint:errcheck
	if v, err := second.Verify(ctx, token); err != nil || v.Status != cert.StatusValid {
		t.Fatalf("node 2 before: %+v, %v", v.Status, err)
	}
	if _, err := e.svc.Revoke(as("bureau_admin", 0), card.ID, "以欺骗手段取得"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := second.Verify(ctx, token)
		if err == nil && v.Status == cert.StatusRevoked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node 2 still shows %v (%v) after the revocation", v.Status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
